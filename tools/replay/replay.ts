/**
 * `replayRun`: replay a run from durable records only (DESIGN §4). Reads the run's audit trail,
 * execute intents, dead letters and config snapshots back from the broker, fetches exactly the
 * input records the receipts point at, re-drives the core in recorded order and compares.
 */
import type { Kafka, KafkaMessage } from '../../processor/io/client.js';
import type { Logger } from 'pino';
import { decodeRecord, type ConsumedMessage } from '../../processor/codec/index.js';
import type { AuditRecordV1, ConfigSnapshotV1, DeadLetterV1, ExecutionIntentV1 } from '../../processor/core/types.js';
import { createKafka, type CreateKafkaOptions } from '../../processor/io/client.js';
import { emptyOutputs, receiptsOf, type PartitionOutputs, type RecordedRun } from './drive.js';
import { replayRecorded } from './offline.js';
import { topicWatermarks } from '../../processor/io/offsets.js';
import { readPartitions } from '../../processor/io/read.js';
import { ExoArmurError } from '../../processor/errors.js';
import { replayInWorkers } from './parallel.js';
import type { ReplayReport } from './report.js';
import type { CheckpointV1 } from '../../processor/core/checkpoint.js';
import type { Topics } from '../../processor/config/types.js';
import { resultsTopic } from '../../processor/config/defaults.js';

import type { ReplayOptions } from './options.js';
export type { ReplayOptions };

type Role = 'audit' | 'execute' | 'dlq' | 'config' | 'checkpoint';

function decodeOrThrow(role: Role, topic: string, partition: number, message: KafkaMessage): unknown {
  const decoded = decodeRecord(role, message.value, message.headers);
  if (!decoded.ok || decoded.value === null) {
    throw new ExoArmurError(
      'REPLAY_RECORD_UNREADABLE',
      `${topic}/${partition}@${message.offset} is not a readable ${role} record (${decoded.ok ? 'null value' : decoded.reason}): the topic holds data ExoArmur did not write; check the run's topic names`,
      {
        context: { topic, partition, offset: message.offset },
      },
    );
  }
  return decoded.value;
}

/** Decoded records of a whole topic (or of the given partitions), by partition, in offset order. */
async function readWhole<T>(kafka: Kafka, topic: string, role: Role, timeoutMs: number | undefined, only?: ReadonlySet<number>): Promise<Map<number, T[]>> {
  const marks = await topicWatermarks(kafka, topic);
  const ranges = new Map([...marks].filter(([p]) => only === undefined || only.has(p)).map(([p, m]) => [p, { from: m.low, to: m.high }]));
  const byOffset = new Map<number, Map<bigint, T>>([...ranges.keys()].map((p) => [p, new Map()]));
  await readPartitions(kafka, {
    topic,
    ranges,
    purpose: `replay: reading ${role} records`,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    onBatch: (partition, messages) => {
      const into = byOffset.get(partition)!;
      for (const m of messages) into.set(BigInt(m.offset), decodeOrThrow(role, topic, partition, m) as T);
    },
  });
  const out = new Map<number, T[]>();
  for (const [partition, records] of byOffset) {
    out.set(
      partition,
      [...records.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v),
    );
  }
  return out;
}

function asConsumed(topic: string, partition: number, m: KafkaMessage): ConsumedMessage {
  return { topic, partition, offset: m.offset, key: m.key, value: m.value, headers: m.headers, timestamp: m.timestamp };
}

/** Exactly the input offsets the receipts name, fetched as one range per input partition. */
async function readInputs(kafka: Kafka, topic: string, receipts: readonly AuditRecordV1[], timeoutMs: number | undefined): Promise<Map<number, Map<string, ConsumedMessage>>> {
  const wanted = new Map<number, Set<string>>();
  const ranges = new Map<number, { from: bigint; to: bigint }>();
  for (const r of receipts) {
    if (r.input.topic !== topic) continue;
    const offset = BigInt(r.input.offset);
    const p = r.input.partition;
    let set = wanted.get(p);
    if (set === undefined) wanted.set(p, (set = new Set()));
    set.add(r.input.offset);
    const range = ranges.get(p);
    if (range === undefined) ranges.set(p, { from: offset, to: offset + 1n });
    else ranges.set(p, { from: offset < range.from ? offset : range.from, to: offset + 1n > range.to ? offset + 1n : range.to });
  }
  const out = new Map<number, Map<string, ConsumedMessage>>();
  if (ranges.size === 0) return out;
  await readPartitions(kafka, {
    topic,
    ranges,
    purpose: 'replay: reading the inputs the receipts point at',
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    onBatch: (partition, messages) => {
      let into = out.get(partition);
      if (into === undefined) out.set(partition, (into = new Map()));
      for (const m of messages) if (wanted.get(partition)?.has(m.offset)) into.set(m.offset, asConsumed(topic, partition, m));
    },
  });
  return out;
}

export interface ReadRunOptions {
  brokers: string[];
  login?: Pick<CreateKafkaOptions, 'sasl' | 'tls'>;
  topics: Topics;
  logger?: Logger;
  /** Per-topic read timeout. */
  timeoutMs?: number;
  /** Only these partitions of the run (the config topic is read whole); all when absent. */
  partitions?: ReadonlySet<number>;
}

/**
 * A run's durable records read back from the broker (read_committed): the audit trail, execute
 * intents, dead letters, config snapshots, and exactly the inputs the receipts point at. Shared by
 * `replay` and `record`, which writes the same records to a recorded-run directory.
 */
export async function readRecordedRun(options: ReadRunOptions): Promise<RecordedRun> {
  const { topics, logger, timeoutMs, partitions } = options;
  const kafka = createKafka({ brokers: options.brokers, clientId: 'exoarmur-replay', logger, ...options.login });

  const [audit, execute, dlq, configs] = await Promise.all([
    readWhole<AuditRecordV1>(kafka, topics.audit, 'audit', timeoutMs, partitions),
    readWhole<ExecutionIntentV1>(kafka, topics.execute, 'execute', timeoutMs, partitions),
    readWhole<DeadLetterV1>(kafka, topics.dlq, 'dlq', timeoutMs, partitions),
    readWhole<ConfigSnapshotV1>(kafka, topics.config, 'config', timeoutMs),
  ]);
  const outputs = new Map<number, PartitionOutputs>();
  const of = (partition: number): PartitionOutputs => {
    let o = outputs.get(partition);
    if (o === undefined) outputs.set(partition, (o = emptyOutputs()));
    return o;
  };
  for (const [partition, records] of audit) of(partition).audit = records;
  for (const [partition, records] of execute) of(partition).execute = records;
  for (const [partition, records] of dlq) of(partition).dlq = records;
  const snapshots = new Map<string, ConfigSnapshotV1>();
  for (const records of configs.values()) for (const s of records) snapshots.set(s.config_hash, s);

  const receipts = [...outputs.values()].flatMap((o) => receiptsOf(o.audit));
  // The checkpoint topic is named by the run's config (checkpoints.topic), when it had a key.
  const checkpointTopics = new Set(
    [...snapshots.values()].map((s) => (JSON.parse(s.config) as { checkpoints?: { topic?: string } }).checkpoints?.topic).filter((t) => t !== undefined),
  );
  const checkpoints = new Map<number, CheckpointV1[]>();
  for (const topic of checkpointTopics) {
    for (const [partition, records] of await readWhole<CheckpointV1>(kafka, topic, 'checkpoint', timeoutMs, partitions))
      checkpoints.set(partition, [...(checkpoints.get(partition) ?? []), ...records]);
  }
  // Every topic a receipt points at: the two inputs, and any further telemetry topic of the config's `inputs`.
  const inputTopicNames = [...new Set([topics.telemetry, topics.operator_actions, ...receipts.map((r) => r.input.topic)])];
  const read = await Promise.all(inputTopicNames.map((topic) => readInputs(kafka, topic, receipts, timeoutMs)));
  return {
    outputs,
    inputs: new Map(inputTopicNames.map((topic, i) => [topic, read[i]!])),
    snapshots,
    ...(checkpointTopics.size === 0 ? {} : { checkpoints }),
  };
}

/**
 * Replays a run. Partitions are independent (own state, own audit chain, own inputs), so a run of
 * several partitions is replayed by worker threads, each reading, driving and comparing its share
 * (parallel.ts); a what-if (a config override, a function) replays in this thread.
 */
export async function replayRun(options: ReplayOptions): Promise<ReplayReport> {
  const cpuAtStart = process.cpuUsage();
  const report = (options.configOverride === undefined && options.workers !== 1 ? await replayInWorkers(options) : undefined) ?? (await replayPartitions(options));
  // The process's CPU, every thread's: what replay costs where wall clock is shared with others.
  const cpu = process.cpuUsage(cpuAtStart);
  return { ...report, timing_ms: { ...report.timing_ms, cpu: Math.round((cpu.user + cpu.system) / 1000) } };
}

/** Replays the given partitions of a run (all when none are given) in this thread. */
export async function replayPartitions(options: ReplayOptions & { partitions?: ReadonlySet<number> }): Promise<ReplayReport> {
  const { topics, logger } = options;
  const started = performance.now();
  const recorded = await readRecordedRun(options);
  const readDone = performance.now();
  const receipts = [...recorded.outputs.values()].reduce((n, o) => n + receiptsOf(o.audit).length, 0);
  logger?.info({ inputs: receipts, snapshots: recorded.snapshots.size, read_ms: Math.round(readDone - started) }, 'replay: run read back');

  const report = replayRecorded(recorded, {
    runId: options.runId ?? topics.audit,
    telemetryTopic: topics.telemetry,
    operatorTopic: topics.operator_actions,
    resultsTopic: resultsTopic(topics),
    configOverride: options.configOverride,
    readMs: readDone - started,
  });
  logger?.info({ compared: report.compared, mismatched: report.mismatched, pass: report.pass, events_per_second: report.events_per_second }, 'replay: compared');
  return report;
}
