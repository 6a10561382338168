/**
 * The soak's faults on a live cluster under load: SIGKILL of the broker leading a telemetry
 * partition (then its restart), SIGKILL of a processor instance (then its restart), a second and
 * third instance joining and leaving (rebalances while transactions are open), and a whole-cluster
 * restart. Each is timed from the moment it lands until every input offered before it is committed.
 */
import { join } from 'node:path';
import { ProcessorChild } from '../lib/children.js';
import { pollUntil } from '../lib/poll.js';
import { refuseStartsWhileStopping } from '../lib/run-cleanup.js';
import { restartNode, startCluster, stopCluster, stopNode } from '../broker/cluster.js';
import type { SeededRandom } from '../lib/seeded-random.js';
import type { ChildProcessorControl } from '../reality/child-control.js';
import type { RunContext } from '../reality/run-context.js';
import type { FaultKind } from './plan.js';
import type { FaultRecord } from './report.js';

export interface SoakState {
  /** The run, its instance 1 a child process of the soak. */
  ctx: RunContext & { processor: ChildProcessorControl };
  clusterDir: string;
  instancesDir: string;
  random: SeededRandom;
  startedAtMs: number;
  /** Instances 2 and 3 while they are in the group. */
  joiners: ProcessorChild[];
  joinerStarts: number;
  records: FaultRecord[];
  /** Processor exits nobody asked for (the instance was restarted, as a supervisor would). */
  unexpectedExits: string[];
  /** Log end offsets that went backwards across a broker fault (a lost acknowledged write). */
  truncations: string[];
}

const RECOVERY_TIMEOUT_MS = 300_000;

/** Restarts instance 1 if it exited on its own, noting it (a fault only restarts what it killed). */
export function supervise(state: SoakState): void {
  const processor = state.ctx.processor;
  const child = processor.current;
  if (child !== undefined && !child.running) {
    // A run stopping after a signal stopped it: not an exit to note, nor one to restart.
    refuseStartsWhileStopping('instance 1 again');
    state.unexpectedExits.push(`instance 1 (start ${processor.starts}): ${child.failure()}`);
    state.ctx.log(`soak: instance 1 exited on its own (${child.failure()}); restarting it`);
    processor.start();
  }
}

/** Waits until the cluster is whole again: every partition of the run's topics has all three replicas in sync. */
export async function waitHealthy(state: SoakState): Promise<void> {
  await pollUntil(
    async () => {
      supervise(state);
      const partitions = await state.ctx.kafka.replicas();
      return partitions.length > 0 && partitions.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length);
    },
    { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 500, what: 'every partition of the run back to three in-sync replicas' },
  );
}

async function offeredSoFar(state: SoakState): Promise<bigint> {
  return (await state.ctx.kafka.inputProgress()).total;
}

/**
 * Milliseconds from `since` until the group has committed every input offered before the fault
 * (`offered`) and at least one offered after it: under steady load, processing has resumed and
 * caught up (a processor that was idle when killed is not recovered until its successor commits).
 */
async function recoveredAfter(state: SoakState, since: number, offered: bigint): Promise<number> {
  await pollUntil(
    async () => {
      supervise(state);
      return (await state.ctx.kafka.inputProgress()).committed > offered;
    },
    { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 200, what: `the group to commit the ${offered} inputs offered before the fault and one after` },
  );
  return Date.now() - since;
}

async function logEnds(state: SoakState): Promise<Map<string, bigint>> {
  const facts = await state.ctx.kafka.storageFacts();
  const ends = new Map<string, bigint>();
  for (const [topic, f] of Object.entries(facts.topics)) for (const o of f.offsets) ends.set(`${topic}/${o.partition}`, BigInt(o.log_end));
  return ends;
}

async function checkNoTruncation(state: SoakState, before: Map<string, bigint>, fault: string): Promise<void> {
  const after = await pollUntil(async () => logEnds(state), { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 500, what: 'the log end offsets after the fault' });
  for (const [partition, end] of before) {
    const now = after.get(partition) ?? -1n;
    if (now < end) state.truncations.push(`${partition}: log end ${end} before ${fault}, ${now} after`);
  }
}

interface Landed {
  detail: string;
  recoveryMs: number;
}

/** The group's recovery is timed from the kill, while the node restarts (other replicas lead meanwhile). */
async function killLeader(state: SoakState, at: number, target: bigint): Promise<Landed> {
  const { ctx } = state;
  const partition = state.random.int(3);
  const leader = (await ctx.kafka.replicas()).find((p) => p.topic === ctx.kafka.topics.telemetry && p.partition === partition)!.leader;
  const before = await logEnds(state);
  const killed = await stopNode(state.clusterDir, leader, true);
  ctx.faults.brokerKills += 1;
  ctx.log(`soak: SIGKILL node ${leader} (pid ${killed.pid}), leader of ${ctx.kafka.topics.telemetry}/${partition}; restarting it`);
  const recovery = recoveredAfter(state, at, target);
  await restartNode(state.clusterDir, leader);
  const recoveryMs = await recovery;
  await checkNoTruncation(state, before, `the kill of node ${leader}`);
  return { detail: `node ${leader} (pid ${killed.pid}) led telemetry/${partition}`, recoveryMs };
}

async function killProcessor(state: SoakState, at: number, target: bigint): Promise<Landed> {
  const { ctx } = state;
  const pid = ctx.processor.current?.pid;
  await ctx.processor.kill();
  ctx.faults.processorKills += 1;
  ctx.log(`soak: SIGKILL instance 1 (pid ${pid}); restarting it`);
  ctx.processor.start();
  return { detail: `instance 1 pid ${pid}`, recoveryMs: await recoveredAfter(state, at, target) };
}

function startJoiner(state: SoakState, n: number): ProcessorChild {
  state.joinerStarts += 1;
  const base = state.ctx.processor.options;
  const args = (base.args ?? []).filter((_, i, all) => all[i] !== '--state-dir' && all[i - 1] !== '--state-dir');
  return new ProcessorChild({
    ...base,
    logFile: join(state.instancesDir, `instance-${n}.${state.joinerStarts}.log`),
    args: [...args, '--state-dir', join(state.instancesDir, `state-${n}`)],
  });
}

/** A node that has not exited this long after its SIGTERM is waiting on a quorum that left with the others: it is SIGKILLed. */
const CLUSTER_STOP_GRACE_MS = 20_000;

/** Every node SIGTERMed at once while the processors run on, then the cluster started again on its data dirs. */
async function restartCluster(state: SoakState, at: number, target: bigint): Promise<Landed> {
  const { ctx } = state;
  const before = await logEnds(state);
  const stopped = await stopCluster(state.clusterDir, false, { graceMs: CLUSTER_STOP_GRACE_MS });
  const forced = stopped.flatMap((s, i) => (s.forced === true ? [`node ${i + 1}`] : []));
  const how =
    forced.length === 0 ? 'SIGTERM' : `SIGTERM; ${forced.join(', ')} SIGKILLed after ${CLUSTER_STOP_GRACE_MS / 1000} s in a controlled shutdown the quorum could no longer grant`;
  ctx.log(`soak: every node stopped (${how}); starting the cluster again`);
  const started = await startCluster({ dir: state.clusterDir });
  const recoveryMs = await recoveredAfter(state, at, target);
  await checkNoTruncation(state, before, 'the cluster restart');
  return { detail: `3 nodes stopped (${how}) and started again in ${started.startMs} ms`, recoveryMs };
}

/** One fault; returns its records (a join-and-leave gives two: the join, then the leave). */
export async function injectSoakFault(state: SoakState, kind: FaultKind, plannedAtMs: number): Promise<FaultRecord[]> {
  await waitHealthy(state);
  const at = Date.now();
  const target = await offeredSoFar(state);
  const record = (k: string, since: number, detail: string, recoveryMs: number): FaultRecord => ({
    kind: k,
    plannedAtMs,
    atMs: since - state.startedAtMs,
    recoveryMs,
    detail,
  });
  if (kind === 'join_leave') {
    state.joiners = [startJoiner(state, 2), startJoiner(state, 3)];
    state.ctx.log('soak: instances 2 and 3 join the group');
    // Recovered once both are members and the group has caught up with what was offered by then.
    for (const joiner of state.joiners) await joiner.waitForEvent('group_joined', { timeoutMs: RECOVERY_TIMEOUT_MS });
    const joined = record('join', at, 'instances 2 and 3 joined', await recoveredAfter(state, at, await offeredSoFar(state)));
    // They stay a seeded while under load, then leave one after the other.
    const stay = 2_000 + state.random.int(8_000);
    await pollUntil(() => Date.now() - at >= joined.recoveryMs + stay, { timeoutMs: joined.recoveryMs + stay + 1000, intervalMs: 250, what: 'the joiners to stay a while' });
    const leftAt = Date.now();
    for (const joiner of state.joiners.reverse()) await joiner.stop();
    state.joiners = [];
    const leaveTarget = await offeredSoFar(state);
    state.ctx.log('soak: instances 3 and 2 left the group (SIGTERM)');
    return [joined, record('leave', leftAt, 'instances 3 then 2 left (SIGTERM, exit 0)', await recoveredAfter(state, leftAt, leaveTarget))];
  }
  const landed =
    kind === 'kill_leader' ? await killLeader(state, at, target) : kind === 'kill_processor' ? await killProcessor(state, at, target) : await restartCluster(state, at, target);
  return [record(kind, at, landed.detail, landed.recoveryMs)];
}
