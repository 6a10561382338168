/**
 * `exoarmur process` children for the benchmark: a config file per measurement (own app id, own
 * output topics), RSS sampled from /proc/<pid>/status, progress read from the group's committed
 * offsets against the inputs' end offsets, and the child's pino log read back for its batches.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Kafka } from '../../processor/io/client.js';
import { ensureTopics, topicSpecs } from '../../processor/io/topics.js';
import { ExoArmurError } from '../../processor/errors.js';
import { CLI_PATH, ProcessorChild, type LogEntry } from '../lib/children.js';
import { pollUntil } from '../lib/poll.js';
import { ProcMeter } from '../lib/proc.js';
import { committedShare, groupProgressVia } from '../../processor/io/offsets.js';
import type { ProcessingGuarantee } from '../../processor/kafka/transactions.js';
import type { Topics } from '../../processor/config/types.js';
import { machineCpuUse, sampleMachineCpu, type MachineCpuUse } from './machine-cpu.js';

export type RunTopics = Topics;

export interface ProcessorSpec {
  /** Names the config and log files. */
  name: string;
  dir: string;
  brokers: string;
  appId: string;
  topics: RunTopics;
  partitions: number;
  guarantee: ProcessingGuarantee;
  maxInputsPerTransaction: number;
  /** Root of the child's local state stores (--state-dir): the same directory again is a warm restart, a new one a cold one. */
  stateDir: string;
  /** Write a V8 CPU profile of each child into this directory. */
  cpuProfileDir?: string;
}

export async function ensureRunTopics(kafka: Kafka, topics: RunTopics, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topicSpecs({ partitions, overrides: topics }));
  } finally {
    await admin.disconnect();
  }
}

export function writeProcessorConfig(spec: ProcessorSpec): string {
  const config = {
    app_id: spec.appId,
    brokers: spec.brokers.split(','),
    partitions: spec.partitions,
    processing_guarantee: spec.guarantee,
    // Every topic, the later ones (results, actuator state) too: a name left out falls back to the
    // default, shared by every job on the broker (the scaling job found the catch-up's 3-partition results topic).
    topics: { ...spec.topics },
  };
  const file = join(spec.dir, `${spec.name}.config.json`);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** The command line a reader can rerun for this child. */
export function processorCommand(spec: ProcessorSpec): string {
  return `node ${CLI_PATH} process --config ${join(spec.dir, `${spec.name}.config.json`)} --state-dir ${spec.stateDir} --max-inputs-per-transaction ${spec.maxInputsPerTransaction}`;
}

export interface BenchProcessor {
  spec: ProcessorSpec;
  child: ProcessorChild;
  /** Memory and CPU sampled from /proc every 200 ms and when the child is signalled. */
  meter: ProcMeter;
}

/** Spawns instance `instance` of the measurement's processor with its own log file. */
export function startBenchProcessor(spec: ProcessorSpec, instance = 0): BenchProcessor {
  const configFile = writeProcessorConfig(spec);
  const meter = new ProcMeter();
  const child = new ProcessorChild({
    brokers: spec.brokers,
    configFile,
    logFile: join(spec.dir, `${spec.name}.${instance}.log`),
    args: ['--state-dir', spec.stateDir, '--max-inputs-per-transaction', String(spec.maxInputsPerTransaction)],
    ...(spec.cpuProfileDir === undefined ? {} : { cpuProfileDir: spec.cpuProfileDir }),
    sample: { everyMs: 200, probe: meter.probe },
  });
  return { spec, child, meter };
}

/** Sum of `outputs` over the child's batch_committed log events, and when the first batch committed. */
export function batchesFromLog(entries: readonly LogEntry[]): { batches: number; inputs: number; outputs: number; firstCommitMs: number | undefined } {
  let batches = 0;
  let inputs = 0;
  let outputs = 0;
  let firstCommitMs: number | undefined;
  for (const entry of entries) {
    batches += 1;
    inputs += Number(entry['inputs'] ?? 0);
    for (const count of Object.values((entry['outputs'] ?? {}) as Record<string, number>)) outputs += count;
    const at = Date.parse(String(entry['time']));
    if (firstCommitMs === undefined || at < firstCommitMs) firstCommitMs = at;
  }
  return { batches, inputs, outputs, firstCommitMs };
}

/** Inputs of `groupId` committed so far over `topics`, of all there are; retried while leadership of fresh topics settles. */
export async function groupProgress(admin: Admin, groupId: string, topics: string[]): Promise<{ committed: number; total: number }> {
  const rows = await pollUntil(() => groupProgressVia(admin, groupId, topics), { timeoutMs: 5_000, intervalMs: 250, what: `the committed offsets of group ${groupId}` });
  const share = committedShare(rows);
  return { committed: Number(share.committed), total: Number(share.total) };
}

export interface CatchUpResult {
  events: number;
  instances: number;
  elapsedMs: number;
  /** When committed offsets first moved, and how many were committed then (startup excluded from the steady rate). */
  firstProgressMs: number;
  committedAtFirstProgress: number;
  outputs: number;
  batches: number;
  peakRssBytes: number;
  hwmBytes: number;
  /** CPU time of all children, sampled when every input was committed. */
  cpuMs: number;
  /** The whole machine's CPU from the first spawn to the last commit (broker included); null off Linux. */
  machine: MachineCpuUse | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts `instances` children on the same group and polls until every input offset is committed.
 * Time runs from the first spawn; the children are stopped (SIGTERM) afterwards.
 */
export async function catchUp(kafka: Kafka, spec: ProcessorSpec, instances: number, timeoutMs: number): Promise<CatchUpResult> {
  const admin = kafka.admin();
  await admin.connect();
  const inputs = [spec.topics.telemetry, spec.topics.operator_actions];
  const children: BenchProcessor[] = [];
  try {
    await ensureRunTopics(kafka, spec.topics, spec.partitions);
    const { total } = await groupProgress(admin, spec.appId, inputs);
    const started = Date.now();
    const machineStart = sampleMachineCpu();
    for (let i = 0; i < instances; i += 1) children.push(startBenchProcessor(spec, i));
    let firstProgressMs = -1;
    let committedAtFirstProgress = 0;
    for (;;) {
      for (const { child } of children) child.assertRunning();
      const progress = await groupProgress(admin, spec.appId, inputs);
      const now = Date.now();
      if (firstProgressMs < 0 && progress.committed > 0) {
        firstProgressMs = now - started;
        committedAtFirstProgress = progress.committed;
      }
      if (progress.committed >= total) {
        const elapsedMs = now - started;
        const machine = machineCpuUse(machineStart, sampleMachineCpu());
        for (const { child } of children) child.sampleNow();
        const memories = children.map((c) => c.meter.memory);
        const cpuMs = children.reduce((sum, c) => sum + c.meter.cpuMs, 0);
        for (const { child } of children) await child.stop();
        let outputs = 0;
        let batches = 0;
        for (const { child } of children) {
          const parsed = batchesFromLog(child.events('batch_committed'));
          outputs += parsed.outputs;
          batches += parsed.batches;
        }
        return {
          events: total,
          instances,
          elapsedMs,
          firstProgressMs,
          committedAtFirstProgress,
          outputs,
          batches,
          peakRssBytes: Math.max(...memories.map((m) => m.rssBytes)),
          hwmBytes: Math.max(...children.map((c) => c.meter.memory.hwmBytes)),
          cpuMs,
          machine,
        };
      }
      if (now - started > timeoutMs) throw new ExoArmurError('BENCH_TIMEOUT', `${spec.name}: ${progress.committed}/${total} inputs committed after ${timeoutMs} ms`);
      await sleep(250);
    }
  } finally {
    for (const { child } of children) if (child.running) await child.kill('SIGKILL');
    await admin.disconnect();
  }
}

export interface RecoveryResult {
  stateRecords: number;
  /** Spawn → first batch_committed log event. */
  firstCommitMs: number;
  /** Spawn → every input committed. */
  allCommittedMs: number;
  restoreMsMax: number;
  /** Changelog records the restore read (all partitions). */
  restoredRecords: number;
  rssAtFirstCommitBytes: number;
  hwmBytes: number;
}

/** Restarts a processor on an existing state topic (with new inputs waiting) and times it to its first committed batch. */
export async function recover(kafka: Kafka, spec: ProcessorSpec, timeoutMs: number): Promise<RecoveryResult> {
  const admin = kafka.admin();
  await admin.connect();
  const inputs = [spec.topics.telemetry, spec.topics.operator_actions];
  let run: BenchProcessor | undefined;
  try {
    const { total } = await groupProgress(admin, spec.appId, inputs);
    const stateRecords = (await admin.fetchTopicOffsets(spec.topics.state)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    run = startBenchProcessor(spec);
    const { child, meter } = run;
    const started = child.spawnedAtMs;
    let firstCommitMs: number | undefined;
    let rssAtFirstCommitBytes = 0;
    for (;;) {
      child.assertRunning();
      child.sampleNow();
      const memory = meter.memory;
      if (firstCommitMs === undefined) {
        const first = batchesFromLog(child.events('batch_committed')).firstCommitMs;
        if (first !== undefined) {
          firstCommitMs = first - started;
          rssAtFirstCommitBytes = memory.rssBytes;
        }
      }
      if (firstCommitMs !== undefined && (await groupProgress(admin, spec.appId, inputs)).committed >= total) {
        const allCommittedMs = Date.now() - started;
        const restores = child.events('state_restored');
        const restoreMsMax = Math.max(0, ...restores.map((e) => Number(e['restore_ms'] ?? 0)));
        const restoredRecords = restores.reduce((sum, e) => sum + Number(e['restored_records'] ?? 0), 0);
        await child.stop();
        return { stateRecords, firstCommitMs, allCommittedMs, restoreMsMax, restoredRecords, rssAtFirstCommitBytes, hwmBytes: meter.memory.hwmBytes };
      }
      if (Date.now() - started > timeoutMs) throw new ExoArmurError('BENCH_TIMEOUT', `${spec.name}: no recovery after ${timeoutMs} ms (log: ${child.logFile})`);
      await sleep(50);
    }
  } finally {
    if (run?.child.running) await run.child.kill('SIGKILL');
    await admin.disconnect();
  }
}
