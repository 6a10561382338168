/**
 * The embedded broker's life cycle: start (format once, spawn detached, wait for readiness),
 * stop (SIGTERM or SIGKILL), status. Everything about one broker lives in its data dir.
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExoArmurError, UsageError } from '../../processor/errors.js';
import { createKafka } from '../../processor/io/client.js';
import { CLUSTER_JVM_FLAGS, JVM_FLAGS, log4jConfig, serverProperties } from './config.js';
import { prepareSecure, secureClientOf, secureFilesOf, type PreparedSecure } from './secure-start.js';
import { fetchBroker } from './fetch.js';
import { dataDirLayout, defaultDataDir, type DataDirLayout } from './paths.js';
import { freePort, requireFreePort, waitPortsFree } from './ports.js';
import { requireJava } from './prerequisites.js';
import { isBrokerProcess, readPid } from './process-state.js';
import { formatOnce } from './storage.js';
import { readMemory } from '../lib/proc.js';
import { refuseStartsWhileStopping } from '../lib/run-cleanup.js';

export { fetchBroker, pinnedKafkaVersion } from './fetch.js';

export const DEFAULT_PORT = 9092;
export const DEFAULT_READY_TIMEOUT_MS = 90_000;

export interface StartBrokerOptions {
  dataDir?: string;
  /** Kafka API port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** KRaft controller port; defaults to a free port when `port` is 0, else port + 1. */
  controllerPort?: number;
  cacheRoot?: string;
  readyTimeoutMs?: number;
  /** SASL/SCRAM over TLS and the StandardAuthorizer (secure.ts); kept for the data dir's later starts. */
  secure?: boolean;
}

export interface StartedBroker {
  pid: number;
  brokers: string;
  port: number;
  controllerPort: number;
  dataDir: string;
  logFile: string;
  /** True when a broker was already running on this data dir and was left as it was. */
  alreadyRunning: boolean;
  /** From spawn to answering metadata and group-coordinator requests. */
  startMs: number;
  /** Secure mode: the CA a client trusts and the credentials file (0600); absent for a plaintext broker. */
  secure?: { caFile: string; credentialsFile: string };
}

interface BrokerState {
  pid: number;
  port: number;
  controllerPort: number;
  version: string;
  secure?: boolean;
}

function readState(layout: DataDirLayout): BrokerState | undefined {
  if (!existsSync(layout.stateFile)) return undefined;
  return JSON.parse(readFileSync(layout.stateFile, 'utf8')) as BrokerState;
}

/** The pid of the broker running on this data dir, or undefined. */
export function runningPid(layout: DataDirLayout): number | undefined {
  const pid = readPid(layout.pidFile);
  return pid !== undefined && isBrokerProcess(pid, layout.serverProperties) ? pid : undefined;
}

/** Polls until the broker answers metadata and its group coordinator serves requests. */
export async function waitBrokerReady(brokers: string, pid: number, layout: DataDirLayout, timeoutMs: number, secureDir = layout.dataDir): Promise<void> {
  const secure = secureClientOf(secureDir, readState(layout)?.secure === true);
  const kafka = createKafka({ brokers: [brokers], clientId: 'exoarmur-broker-probe', silent: true, retry: { retries: 0 }, preflight: false, ...secure });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isBrokerProcess(pid, layout.serverProperties)) {
      throw new ExoArmurError('BROKER_EXITED', `the broker (pid ${pid}) exited during start-up: read ${layout.logFile} and ${layout.consoleFile}`);
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.fetchTopicMetadata({ topics: [] });
      // The first group request creates __consumer_offsets; until its partitions load, transactional
      // sendOffsets answers NOT_COORDINATOR, which kafkajs does not retry. Ready means past that.
      await admin.fetchOffsets({ groupId: 'exoarmur-broker-readiness', topics: [] });
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new UsageError('BROKER_NOT_READY', `the broker did not answer within ${Math.round(timeoutMs / 1000)} s: read ${layout.logFile}`, {
          context: { pid, brokers },
        });
      }
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 250));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** One node of a cluster (tools/broker/cluster.ts): its id, every voter, the shared cluster id, the replication lines. */
export interface ClusterMember {
  nodeId: number;
  voters: string;
  clusterId: string;
  overrides: Record<string, string | number>;
}

export interface LaunchInput {
  layout: DataDirLayout;
  port: number;
  controllerPort: number;
  libsDir: string;
  version: string;
  secure?: PreparedSecure;
  member?: ClusterMember;
}

/**
 * Writes the node's server.properties and log4j config, formats its storage once, spawns java
 * detached and records its pid and state; does not wait (a cluster's nodes are only ready together).
 */
export function launchBroker(input: LaunchInput): number {
  const { layout, port, controllerPort, secure, member } = input;
  mkdirSync(layout.dataDir, { recursive: true });
  const overrides = { ...member?.overrides, ...secure?.properties };
  writeFileSync(
    layout.serverProperties,
    serverProperties({
      port,
      controllerPort,
      logDirs: layout.logDirs,
      logFile: layout.logFile,
      ...(member === undefined ? {} : { nodeId: member.nodeId, voters: member.voters }),
      overrides,
    }),
    { mode: 0o600 },
  );
  // Secure mode puts the store and JAAS passwords in it: readable by the broker's owner only (mode applies on creation, so also chmod).
  chmodSync(layout.serverProperties, 0o600);
  writeFileSync(layout.log4jConfig, log4jConfig({ kind: 'file', fileName: layout.logFile }));
  const classpath = `${input.libsDir}/*`;
  formatOnce(layout, classpath, secure?.formatArgs ?? [], member === undefined ? undefined : { nodeId: member.nodeId, clusterId: member.clusterId });
  const consoleFd = openSync(layout.consoleFile, 'a');
  const jvm = member === undefined ? JVM_FLAGS : CLUSTER_JVM_FLAGS;
  refuseStartsWhileStopping(`the broker in ${layout.dataDir}`);
  const child = spawn('java', [...jvm, '-cp', classpath, `-Dlog4j2.configurationFile=${layout.log4jConfig}`, 'kafka.Kafka', layout.serverProperties], {
    detached: true,
    stdio: ['ignore', consoleFd, consoleFd],
  });
  closeSync(consoleFd);
  const pid = child.pid;
  if (pid === undefined) throw new ExoArmurError('BROKER_SPAWN_FAILED', `could not spawn java for the broker: read ${layout.consoleFile}`);
  child.unref();
  writeFileSync(layout.pidFile, `${pid}\n`);
  writeFileSync(layout.stateFile, `${JSON.stringify({ pid, port, controllerPort, version: input.version, secure: secure !== undefined } satisfies BrokerState)}\n`);
  return pid;
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<StartedBroker> {
  const layout = dataDirLayout(options.dataDir ?? defaultDataDir());
  const started = performance.now();
  const existingPid = runningPid(layout);
  if (existingPid !== undefined) {
    const state = readState(layout);
    if (state === undefined)
      throw new ExoArmurError(
        'BROKER_STATE_MISSING',
        `broker pid ${existingPid} runs on ${layout.dataDir} but ${layout.stateFile} is missing: stop it with \`exoarmur broker stop --kill\``,
      );
    if (options.port !== undefined && options.port !== 0 && options.port !== state.port) {
      throw new UsageError(
        'BROKER_RUNNING_ELSEWHERE',
        `a broker already runs on ${layout.dataDir} at port ${state.port}: stop it first (\`exoarmur broker stop\`) to use port ${options.port}`,
      );
    }
    return {
      pid: existingPid,
      brokers: `127.0.0.1:${state.port}`,
      port: state.port,
      controllerPort: state.controllerPort,
      dataDir: layout.dataDir,
      logFile: layout.logFile,
      alreadyRunning: true,
      startMs: 0,
      ...(state.secure === true ? { secure: secureFilesOf(layout) } : {}),
    };
  }
  requireJava();
  const fetched = await fetchBroker(options.cacheRoot === undefined ? {} : { cacheRoot: options.cacheRoot });
  const requestedPort = options.port ?? DEFAULT_PORT;
  mkdirSync(layout.dataDir, { recursive: true });
  // A picked port can still be taken by another process between the check and the broker's bind: then a new pair is picked.
  for (let attempt = 1; ; attempt++) {
    const port = requestedPort === 0 ? await freePort() : requestedPort;
    const controllerPort = options.controllerPort ?? (requestedPort === 0 ? await freePort() : port + 1);
    await requireFreePort(port, 'Kafka');
    await requireFreePort(controllerPort, 'KRaft controller');
    const logBefore = existsSync(layout.logFile) ? statSync(layout.logFile).size : 0;
    const secure = options.secure === true || readState(layout)?.secure === true ? prepareSecure(layout.dataDir, port, controllerPort) : undefined;
    const pid = launchBroker({ layout, port, controllerPort, libsDir: fetched.libsDir, version: fetched.version, ...(secure === undefined ? {} : { secure }) });
    const brokers = `127.0.0.1:${port}`;
    try {
      await waitBrokerReady(brokers, pid, layout, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    } catch (error) {
      // A broker that never became ready is not left running behind the error.
      if (isBrokerProcess(pid, layout.serverProperties)) process.kill(pid, 'SIGKILL');
      if (requestedPort === 0 && options.controllerPort === undefined && attempt < 3 && lostPortRace(layout.logFile, logBefore)) continue;
      throw error;
    }
    return {
      pid,
      brokers,
      port,
      controllerPort,
      dataDir: layout.dataDir,
      logFile: layout.logFile,
      alreadyRunning: false,
      startMs: Math.round(performance.now() - started),
      ...(secure === undefined ? {} : { secure: secureFilesOf(layout) }),
    };
  }
}

/** Whether the broker's log since `from` says it could not bind a listener (a port taken after it was checked). */
function lostPortRace(logFile: string, from: number): boolean {
  if (!existsSync(logFile)) return false;
  const text = readFileSync(logFile).subarray(from).toString('utf8');
  return text.includes('Unable to start acceptor') || text.includes('Address already in use');
}

export interface StopBrokerOptions {
  dataDir?: string;
  /** SIGKILL instead of a graceful SIGTERM. */
  kill?: boolean;
  timeoutMs?: number;
}

export interface StopResult {
  /** False when no broker was running on the data dir. */
  stopped: boolean;
  pid?: number;
}

export async function stopBroker(options: StopBrokerOptions = {}): Promise<StopResult> {
  const layout = dataDirLayout(options.dataDir ?? defaultDataDir());
  const pid = runningPid(layout);
  if (pid === undefined) {
    rmSync(layout.pidFile, { force: true });
    return { stopped: false };
  }
  const state = readState(layout);
  process.kill(pid, options.kill === true ? 'SIGKILL' : 'SIGTERM');
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (isBrokerProcess(pid, layout.serverProperties)) {
    if (Date.now() > deadline) {
      throw new UsageError('BROKER_STOP_TIMEOUT', `the broker (pid ${pid}) did not exit after SIGTERM: run \`exoarmur broker stop --kill\` (log: ${layout.logFile})`);
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
  // Stopped means its ports are released too, so a restart on them (the clients keep the address) finds them free.
  if (state !== undefined) await waitPortsFree([state.port, state.controllerPort], Math.max(0, deadline - Date.now()));
  rmSync(layout.pidFile, { force: true });
  return { stopped: true, pid };
}

export interface BrokerStatus {
  running: boolean;
  dataDir: string;
  logFile: string;
  formatted: boolean;
  pid?: number;
  brokers?: string;
  port?: number;
  controllerPort?: number;
  version?: string;
  rssBytes?: number;
}

export async function brokerStatus(options: { dataDir?: string } = {}): Promise<BrokerStatus> {
  const layout = dataDirLayout(options.dataDir ?? defaultDataDir());
  const formatted = existsSync(join(layout.logDirs, 'meta.properties'));
  const pid = runningPid(layout);
  const state = readState(layout);
  const base = { dataDir: layout.dataDir, logFile: layout.logFile, formatted };
  if (pid === undefined || state === undefined) return { running: false, ...base };
  const rssBytes = readMemory(pid)?.rssBytes;
  return {
    running: true,
    ...base,
    pid,
    brokers: `127.0.0.1:${state.port}`,
    port: state.port,
    controllerPort: state.controllerPort,
    version: state.version,
    ...(rssBytes === undefined ? {} : { rssBytes }),
  };
}
