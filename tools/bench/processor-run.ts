/**
 * `exoarmur process` children for the benchmark: a config file per measurement (own app id, own
 * output topics), RSS sampled from /proc/<pid>/status, progress read from the group's committed
 * offsets against the inputs' end offsets, and the child's pino log read back for its batches.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Kafka } from '../../processor/io/client.js';
import { ensureTopics, topicSpecs } from '../../processor/io/topics.js';
import { ExoArmurError } from '../../processor/errors.js';
import { CliChild, CLI_PATH } from '../process/children.js';
import type { ProcessingGuarantee } from '../../processor/kafka/transactions.js';
import type { LogEvent } from '../../processor/log-events.js';
import { readCpuMs, readMemory, type MemorySample } from './proc-sample.js';
import type { Topics } from '../../processor/config/types.js';

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
  const t = spec.topics;
  const config = {
    app_id: spec.appId,
    brokers: spec.brokers.split(','),
    partitions: spec.partitions,
    processing_guarantee: spec.guarantee,
    topics: { telemetry: t.telemetry, operator_actions: t.operator_actions, config: t.config, audit: t.audit, execute: t.execute, state: t.state, dlq: t.dlq },
  };
  const file = join(spec.dir, `${spec.name}.config.json`);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** The command line a reader can rerun for this child. */
export function processorCommand(spec: ProcessorSpec): string {
  return `node ${CLI_PATH} process --config ${join(spec.dir, `${spec.name}.config.json`)} --max-inputs-per-transaction ${spec.maxInputsPerTransaction}`;
}

export class ProcessorChild {
  readonly cli: CliChild;
  readonly spawnedAtMs = Date.now();
  readonly logFile: string;
  /** Latest VmRSS/VmHWM sample and the greatest VmRSS seen. */
  memory: MemorySample = { rssBytes: 0, hwmBytes: 0 };
  /** CPU time the child has used so far (a figure the load of other processes barely moves). */
  cpuMs = 0;
  private readonly sampler: NodeJS.Timeout;

  constructor(
    readonly spec: ProcessorSpec,
    instance = 0,
  ) {
    const configFile = writeProcessorConfig(spec);
    this.logFile = join(spec.dir, `${spec.name}.${instance}.log`);
    const nodeArgs = spec.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${spec.cpuProfileDir}`];
    // The broker as a flag: it outranks an exported KAFKA_BROKERS, so the child joins the bench's broker.
    this.cli = new CliChild(
      ['process', '--brokers', spec.brokers, '--config', configFile, '--log-file', this.logFile, '--max-inputs-per-transaction', String(spec.maxInputsPerTransaction)],
      process.env,
      nodeArgs,
    );
    this.sampler = setInterval(() => this.sample(), 200);
  }

  sample(): MemorySample {
    const pid = this.cli.child.pid;
    const now = pid === undefined ? undefined : readMemory(pid);
    if (now !== undefined) this.memory = now;
    const cpu = pid === undefined ? undefined : readCpuMs(pid);
    if (cpu !== undefined) this.cpuMs = cpu;
    return this.memory;
  }

  log(): Array<Record<string, unknown>> {
    if (!existsSync(this.logFile)) return [];
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Fails fast when the child died instead of letting a poll time out. */
  assertRunning(): void {
    if (!this.cli.running) {
      throw new ExoArmurError(
        'BENCH_PROCESSOR_EXITED',
        `processor ${this.spec.name} exited early: ${this.cli.output.stderr.trim().split('\n').slice(-3).join(' | ')} (log: ${this.logFile})`,
      );
    }
  }

  async stop(): Promise<void> {
    this.sample();
    clearInterval(this.sampler);
    const run = await this.cli.kill('SIGTERM');
    if (run.code !== 0 && run.signal === null) {
      throw new ExoArmurError('BENCH_PROCESSOR_FAILED', `processor ${this.spec.name} exited ${run.code} on SIGTERM: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
  }
}

/** Sum of `outputs` over the child's batch_committed log events, and when the first batch committed. */
export function batchesFromLog(entries: ReadonlyArray<Record<string, unknown>>): { batches: number; inputs: number; outputs: number; firstCommitMs: number | undefined } {
  let batches = 0;
  let inputs = 0;
  let outputs = 0;
  let firstCommitMs: number | undefined;
  for (const entry of entries) {
    if (entry['event'] !== ('batch_committed' satisfies LogEvent)) continue;
    batches += 1;
    inputs += Number(entry['inputs'] ?? 0);
    for (const count of Object.values((entry['outputs'] ?? {}) as Record<string, number>)) outputs += count;
    const at = Date.parse(String(entry['time']));
    if (firstCommitMs === undefined || at < firstCommitMs) firstCommitMs = at;
  }
  return { batches, inputs, outputs, firstCommitMs };
}

/** Committed next offsets of `groupId` against end offsets over `topics`, summed; retried while leadership of fresh topics settles. */
export async function groupProgress(admin: Admin, groupId: string, topics: string[]): Promise<{ committed: number; total: number }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await readGroupProgress(admin, groupId, topics);
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function readGroupProgress(admin: Admin, groupId: string, topics: string[]): Promise<{ committed: number; total: number }> {
  const committed = await admin.fetchOffsets({ groupId, topics });
  let done = 0;
  let total = 0;
  for (const topic of topics) {
    for (const end of await admin.fetchTopicOffsets(topic)) {
      const low = Number(end.low);
      total += Number(end.high) - low;
      const at = Number(committed.find((c) => c.topic === topic)?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1');
      if (at > low) done += at - low;
    }
  }
  return { committed: done, total };
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
  const children: ProcessorChild[] = [];
  try {
    await ensureRunTopics(kafka, spec.topics, spec.partitions);
    const { total } = await groupProgress(admin, spec.appId, inputs);
    const started = Date.now();
    for (let i = 0; i < instances; i += 1) children.push(new ProcessorChild(spec, i));
    let firstProgressMs = -1;
    let committedAtFirstProgress = 0;
    for (;;) {
      for (const child of children) child.assertRunning();
      const progress = await groupProgress(admin, spec.appId, inputs);
      const now = Date.now();
      if (firstProgressMs < 0 && progress.committed > 0) {
        firstProgressMs = now - started;
        committedAtFirstProgress = progress.committed;
      }
      if (progress.committed >= total) {
        const elapsedMs = now - started;
        const memories = children.map((c) => c.sample());
        for (const child of children) await child.stop();
        let outputs = 0;
        let batches = 0;
        for (const child of children) {
          const parsed = batchesFromLog(child.log());
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
          hwmBytes: Math.max(...children.map((c) => c.memory.hwmBytes)),
          cpuMs: children.reduce((sum, c) => sum + c.cpuMs, 0),
        };
      }
      if (now - started > timeoutMs) throw new ExoArmurError('BENCH_TIMEOUT', `${spec.name}: ${progress.committed}/${total} inputs committed after ${timeoutMs} ms`);
      await sleep(250);
    }
  } finally {
    for (const child of children) if (child.cli.running) await child.cli.kill('SIGKILL');
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
  rssAtFirstCommitBytes: number;
  hwmBytes: number;
}

/** Restarts a processor on an existing state topic (with new inputs waiting) and times it to its first committed batch. */
export async function recover(kafka: Kafka, spec: ProcessorSpec, timeoutMs: number): Promise<RecoveryResult> {
  const admin = kafka.admin();
  await admin.connect();
  const inputs = [spec.topics.telemetry, spec.topics.operator_actions];
  let child: ProcessorChild | undefined;
  try {
    const { total } = await groupProgress(admin, spec.appId, inputs);
    const stateRecords = (await admin.fetchTopicOffsets(spec.topics.state)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    child = new ProcessorChild(spec);
    const started = child.spawnedAtMs;
    let firstCommitMs: number | undefined;
    let rssAtFirstCommitBytes = 0;
    for (;;) {
      child.assertRunning();
      const memory = child.sample();
      if (firstCommitMs === undefined) {
        const first = batchesFromLog(child.log()).firstCommitMs;
        if (first !== undefined) {
          firstCommitMs = first - started;
          rssAtFirstCommitBytes = memory.rssBytes;
        }
      }
      if (firstCommitMs !== undefined && (await groupProgress(admin, spec.appId, inputs)).committed >= total) {
        const allCommittedMs = Date.now() - started;
        const restoreMsMax = Math.max(
          0,
          ...child
            .log()
            .filter((e) => e['event'] === ('state_restored' satisfies LogEvent))
            .map((e) => Number(e['restore_ms'] ?? 0)),
        );
        await child.stop();
        return { stateRecords, firstCommitMs, allCommittedMs, restoreMsMax, rssAtFirstCommitBytes, hwmBytes: child.memory.hwmBytes };
      }
      if (Date.now() - started > timeoutMs) throw new ExoArmurError('BENCH_TIMEOUT', `${spec.name}: no recovery after ${timeoutMs} ms (log: ${child.logFile})`);
      await sleep(50);
    }
  } finally {
    if (child?.cli.running) await child.cli.kill('SIGKILL');
    await admin.disconnect();
  }
}
