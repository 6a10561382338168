/**
 * The embedded broker's cluster mode (issue 18): three KRaft nodes on loopback, each broker and
 * controller (a controller quorum of three), each in its own data dir under the cluster dir, with
 * replication factor 3, min.insync.replicas=2 and unclean leader election off. Every node is a
 * single-node broker's launch (broker.ts) with a node id and the shared voters; each is started,
 * SIGKILLed and stopped by its own PID. Secure (--secure): every node runs the single broker's
 * SASL/SCRAM-over-TLS listener and ACL authorizer with one CA and one set of credentials kept in
 * the cluster dir.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExoArmurError, UsageError } from '../../processor/errors.js';
import { DEFAULT_READY_TIMEOUT_MS, launchBroker, runningPid, stopBroker, waitBrokerReady, type StopResult } from './broker.js';
import { clusterReplicationProperties } from './config.js';
import { fetchBroker } from './fetch.js';
import { dataDirLayout } from './paths.js';
import { freePort, requireFreePort } from './ports.js';
import { requireJava } from './prerequisites.js';
import { isBrokerProcess } from './process-state.js';
import { newClusterId } from './storage.js';
import { prepareSecure } from './secure-start.js';
import { secureFiles } from './secure.js';
import { pollUntil } from '../lib/poll.js';

export const CLUSTER_NODES = 3;

export interface ClusterNode {
  nodeId: number;
  port: number;
  controllerPort: number;
  dataDir: string;
}

/** `<cluster dir>/cluster.json`: what every later start, kill and stop of a node reads. */
export interface ClusterState {
  clusterId: string;
  version: string;
  nodes: ClusterNode[];
  /** SASL/SCRAM over TLS with role ACLs (secure.ts): one CA and one set of credentials in the cluster dir, for every node. */
  secure?: boolean;
}

export interface StartedCluster extends ClusterState {
  dir: string;
  /** The bootstrap list of every node: `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`. */
  brokers: string;
  /** PID of each node, by node id. */
  pids: Record<number, number>;
  startMs: number;
  /** Secure mode: the CA a client trusts and the credentials file (0600). */
  secureFiles?: { caFile: string; credentialsFile: string };
}

function stateFile(dir: string): string {
  return join(resolve(dir), 'cluster.json');
}

export function readClusterState(dir: string): ClusterState | undefined {
  const file = stateFile(dir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ClusterState) : undefined;
}

export function clusterBrokers(state: ClusterState): string {
  return state.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
}

function voters(nodes: readonly ClusterNode[]): string {
  return nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',');
}

function nodeOf(state: ClusterState, nodeId: number): ClusterNode {
  const node = state.nodes.find((n) => n.nodeId === nodeId);
  if (node === undefined) throw new UsageError('CLI_USAGE', `the cluster has nodes ${state.nodes.map((n) => n.nodeId).join(', ')}, not ${nodeId}`);
  return node;
}

/** Free loopback ports for every node, each distinct and checked free (other brokers may listen). */
async function choosePorts(count: number): Promise<Array<{ port: number; controllerPort: number }>> {
  const taken = new Set<number>();
  const next = async (): Promise<number> => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const out: Array<{ port: number; controllerPort: number }> = [];
  for (let i = 0; i < count; i += 1) out.push({ port: await next(), controllerPort: await next() });
  return out;
}

/** The PID of a node, when it runs. */
export function nodePid(node: ClusterNode): number | undefined {
  return runningPid(dataDirLayout(node.dataDir));
}

async function launchNode(dir: string, state: ClusterState, node: ClusterNode, libsDir: string): Promise<number> {
  const layout = dataDirLayout(node.dataDir);
  const running = runningPid(layout);
  if (running !== undefined) return running;
  await requireFreePort(node.port, `node ${node.nodeId} Kafka`);
  await requireFreePort(node.controllerPort, `node ${node.nodeId} KRaft controller`);
  const secure = state.secure === true ? prepareSecure(dir, node.port, node.controllerPort) : undefined;
  return launchBroker({
    layout,
    port: node.port,
    controllerPort: node.controllerPort,
    libsDir,
    version: state.version,
    member: { nodeId: node.nodeId, voters: voters(state.nodes), clusterId: state.clusterId, overrides: clusterReplicationProperties(state.nodes.length) },
    ...(secure === undefined ? {} : { secure }),
  });
}

async function waitNodeReady(dir: string, node: ClusterNode, pid: number, timeoutMs: number): Promise<void> {
  await waitBrokerReady(`127.0.0.1:${node.port}`, pid, dataDirLayout(node.dataDir), timeoutMs, dir);
}

/**
 * Starts every node of the cluster in `dir` (created with fresh free ports on first start, the
 * same ports after) and waits until each answers; nodes already running are left as they are.
 */
export async function startCluster(options: { dir: string; readyTimeoutMs?: number; cacheRoot?: string; secure?: boolean }): Promise<StartedCluster> {
  const started = performance.now();
  const dir = resolve(options.dir);
  requireJava();
  const fetched = await fetchBroker(options.cacheRoot === undefined ? {} : { cacheRoot: options.cacheRoot });
  let state = readClusterState(dir);
  if (state === undefined) {
    const ports = await choosePorts(CLUSTER_NODES);
    state = {
      clusterId: newClusterId(),
      version: fetched.version,
      nodes: ports.map((p, i) => ({ nodeId: i + 1, ...p, dataDir: join(dir, `node-${i + 1}`) })),
      secure: options.secure === true,
    };
    mkdirSync(dir, { recursive: true });
    writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
  }
  const pids: Record<number, number> = {};
  try {
    // All nodes first: a controller quorum of three elects a leader only once two of them run.
    for (const node of state.nodes) pids[node.nodeId] = await launchNode(dir, state, node, fetched.libsDir);
    for (const node of state.nodes) await waitNodeReady(dir, node, pids[node.nodeId]!, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  } catch (error) {
    // Nodes that never became ready are not left running behind the error.
    for (const node of state.nodes) {
      const pid = pids[node.nodeId];
      if (pid !== undefined && isBrokerProcess(pid, dataDirLayout(node.dataDir).serverProperties)) process.kill(pid, 'SIGKILL');
    }
    throw error;
  }
  return {
    ...state,
    dir,
    brokers: clusterBrokers(state),
    pids,
    startMs: Math.round(performance.now() - started),
    ...(state.secure === true ? { secureFiles: { caFile: secureFiles(dir).caPem, credentialsFile: secureFiles(dir).credentials } } : {}),
  };
}

/** Starts one node again on its data dir and ports (after a kill), retrying while its ports are released; resolves once it answers. */
export async function restartNode(dir: string, nodeId: number, timeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<number> {
  const state = requireClusterState(dir);
  const node = nodeOf(state, nodeId);
  const fetched = await fetchBroker();
  const pid = await pollUntil(async () => launchNode(resolve(dir), state, node, fetched.libsDir), {
    timeoutMs,
    intervalMs: 500,
    what: `node ${nodeId} to launch on ports ${node.port}/${node.controllerPort}`,
  });
  await waitNodeReady(resolve(dir), node, pid, timeoutMs);
  return pid;
}

/** SIGKILL (kill) or SIGTERM of one node, by its PID. */
export async function stopNode(dir: string, nodeId: number, kill: boolean): Promise<StopResult> {
  return stopBroker({ dataDir: nodeOf(requireClusterState(dir), nodeId).dataDir, kill });
}

/**
 * Stops every node by its PID (SIGTERM, or SIGKILL with kill), all at once so none waits on a quorum
 * already gone. With `graceMs`, a node still running that long after its SIGTERM is SIGKILLed
 * (`forced`): the last node of a combined KRaft cluster to shut down can wait minutes for a
 * controlled shutdown that the quorum, gone with the others, can no longer grant.
 */
export async function stopCluster(dir: string, kill = false, options: { graceMs?: number } = {}): Promise<(StopResult & { forced?: true })[]> {
  const state = readClusterState(dir);
  if (state === undefined) return [];
  return Promise.all(
    state.nodes.map(async (node) => {
      if (options.graceMs === undefined) return stopBroker({ dataDir: node.dataDir, kill });
      try {
        return await stopBroker({ dataDir: node.dataDir, kill, timeoutMs: options.graceMs });
      } catch (error) {
        if (!(error instanceof ExoArmurError) || error.code !== 'BROKER_STOP_TIMEOUT') throw error;
        return { ...(await stopBroker({ dataDir: node.dataDir, kill: true })), forced: true as const };
      }
    }),
  );
}

function requireClusterState(dir: string): ClusterState {
  const state = readClusterState(dir);
  if (state === undefined)
    throw new ExoArmurError('CLUSTER_MISSING', `no cluster in ${resolve(dir)} (no cluster.json): start it with \`exoarmur broker start --cluster --data-dir ${dir}\``);
  return state;
}

export interface ClusterNodeStatus extends ClusterNode {
  running: boolean;
  pid?: number;
}

export function clusterStatus(dir: string): { dir: string; brokers: string; nodes: ClusterNodeStatus[] } | undefined {
  const state = readClusterState(dir);
  if (state === undefined) return undefined;
  const nodes = state.nodes.map((node) => {
    const pid = nodePid(node);
    return pid === undefined ? { ...node, running: false } : { ...node, running: true, pid };
  });
  return { dir: resolve(dir), brokers: clusterBrokers(state), nodes };
}
