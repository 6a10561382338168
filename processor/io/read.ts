/**
 * The one reader: given partitions of one topic, read_committed, from a start offset up to an end
 * offset fixed before reading (or without end, until aborted). State restore, replay, record,
 * inspect, `operator pending`, the harness and the tests all read through it.
 *
 * The end is seen through END_BATCH_PROCESS, which fires for batches of records and for batches
 * that held only transaction markers or aborted records, so a log that ends in a marker still
 * ends. A read_committed reader stops at the last stable offset: a transaction on the partition
 * that never completes (a hanging transaction) holds it below the end forever, which is why every
 * bounded read has a timeout whose error names the partitions and how to find such a transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { KafkaOperationError } from '../errors.js';
import { fixedPartitionsAssigner } from './assigner.js';
import { toShellError } from './kafka-errors.js';
import { topicWatermarks } from './offsets.js';

/** [from, to): the first offset to read and the offset to stop before; `to: null` reads on until aborted. */
export interface PartitionRange {
  from: bigint;
  to: bigint | null;
}

export interface ReadPartitionsOptions {
  topic: string;
  ranges: ReadonlyMap<number, PartitionRange>;
  /** Called once per fetched batch with its records inside the partition's range; 'stop' ends the read. */
  onBatch: (partition: number, messages: KafkaMessage[]) => void | 'stop';
  /** What the read is for, in errors (e.g. "state restore"). */
  purpose: string;
  /** Bounded reads only; default 120 s. */
  timeoutMs?: number;
  /** Ends the read early (resolves with what was delivered). */
  signal?: AbortSignal;
  /** A group member's heartbeat, called between batches so a long read does not cost it its partitions. */
  heartbeat?: () => Promise<void>;
  /** The reader's throwaway group is `<groupPrefix>.read.<uuid>`. */
  groupPrefix?: string;
  maxBytesPerPartition?: number;
}

export const DEFAULT_READ_TIMEOUT_MS = 120_000;

/** Reads the ranges; resolves with the number of records delivered once every bounded partition reached its end. */
export async function readPartitions(kafka: Kafka, options: ReadPartitionsOptions): Promise<number> {
  const { topic, ranges } = options;
  const partitions = [...ranges.keys()].sort((a, b) => a - b);
  const pending = new Set(
    partitions.filter((p) => {
      const r = ranges.get(p)!;
      return r.to === null || r.from < r.to;
    }),
  );
  const bounded = partitions.every((p) => ranges.get(p)!.to !== null);
  if (pending.size === 0 || options.signal?.aborted) return 0;

  const consumer = kafka.consumer({
    groupId: `${options.groupPrefix ?? 'exoarmur'}.read.${randomUUID()}`,
    readUncommitted: false,
    partitionAssigners: [fixedPartitionsAssigner(partitions)],
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    ...(options.maxBytesPerPartition === undefined ? {} : { maxBytesPerPartition: options.maxBytesPerPartition }),
  });
  let delivered = 0;
  let settled = false;
  let settle: (error?: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error?: unknown) => {
      settled = true;
      if (error === undefined) resolve();
      else reject(error);
    };
  });
  const reached = (partition: number, nextOffset: bigint) => {
    const to = ranges.get(partition)?.to;
    if (to !== null && to !== undefined && nextOffset >= to) pending.delete(partition);
    if (bounded && pending.size === 0) settle();
  };
  const timeoutMs = options.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const timer = bounded
    ? setTimeout(() => {
        const stuck = [...pending].map((p) => `${topic}[${p}] before ${ranges.get(p)!.to}`).join(', ');
        settle(
          new KafkaOperationError(
            'READ_TIMEOUT',
            `${options.purpose}: reading ${stuck} did not reach the end offset in ${timeoutMs} ms: the broker may be unreachable, or a transaction is hanging there (kafka-transactions.sh --bootstrap-server <broker> describe-producers --topic ${topic} --partition <p>, or find-hanging; end it with kafka-transactions.sh abort)`,
            {
              context: { topic, partition: [...pending][0], offset: String(ranges.get([...pending][0]!)?.to) },
            },
          ),
        );
      }, timeoutMs)
    : undefined;
  const onAbort = () => settle();
  options.signal?.addEventListener('abort', onAbort);
  // The next offset to deliver per partition. A rejoin of the reader's group (a rebalance under load,
  // a coordinator move) fires GROUP_JOIN again: it seeks on from here, and a batch fetched again
  // is filtered by it, so every offset is delivered once (a count read through here is exact).
  const position = new Map(partitions.map((p) => [p, ranges.get(p)!.from]));
  consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const p of partitions) consumer.seek({ topic, partition: p, offset: position.get(p)!.toString() });
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    if (event.payload.topic === topic) reached(event.payload.partition, BigInt(event.payload.lastOffset) + 1n);
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) settle(event.payload.error);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch, isStale }) => {
        if (settled || isStale()) return;
        const range = ranges.get(batch.partition);
        const next = position.get(batch.partition);
        if (range === undefined || next === undefined) return;
        const inside = batch.messages.filter((m) => {
          const offset = BigInt(m.offset);
          return offset >= next && (range.to === null || offset < range.to);
        });
        if (inside.length > 0) {
          position.set(batch.partition, BigInt(inside[inside.length - 1]!.offset) + 1n);
          try {
            delivered += inside.length;
            if (options.onBatch(batch.partition, inside) === 'stop') settle();
          } catch (error) {
            // The caller's failure ends the read; thrown into kafkajs it would only restart the reader.
            settle(error);
            return;
          }
        }
        await options.heartbeat?.().catch(() => undefined);
      },
    });
    await finished;
  } catch (error) {
    throw toShellError(error, `${options.purpose}: reading ${topic}`, { topic });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => undefined);
  }
  return delivered;
}

export type ReadFrom = 'earliest' | 'latest' | bigint;

export interface ReadTopicOptions {
  topic: string;
  /** Partitions to read; all when omitted. */
  partitions?: number[];
  from?: ReadFrom;
  limit?: number;
  /** Keep reading new records until `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  purpose?: string;
  onRecord: (record: { partition: number; message: KafkaMessage }) => void;
}

/**
 * A topic as a downstream consumer sees it, record by record: from earliest, latest or an
 * offset, up to the end offsets now (or on, with `follow`), at most `limit` records.
 */
export async function readTopic(kafka: Kafka, options: ReadTopicOptions): Promise<number> {
  const { topic } = options;
  const from = options.from ?? 'earliest';
  const marks = await topicWatermarks(kafka, topic);
  const ranges = new Map<number, PartitionRange>();
  for (const p of options.partitions ?? [...marks.keys()]) {
    const m = marks.get(p);
    if (m === undefined) throw new KafkaOperationError('PARTITION_MISSING', `topic ${topic} has no partition ${p}`, { context: { topic, partition: p } });
    const first = from === 'earliest' ? m.low : from === 'latest' ? m.high : from < m.low ? m.low : from > m.high ? m.high : from;
    ranges.set(p, { from: first, to: options.follow ? null : m.high });
  }
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return 0;
  let count = 0;
  await readPartitions(kafka, {
    topic,
    ranges,
    purpose: options.purpose ?? `reading ${topic}`,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    onBatch: (partition, messages) => {
      for (const message of messages) {
        if (count >= limit) return 'stop';
        count += 1;
        options.onRecord({ partition, message });
      }
      return count >= limit ? 'stop' : undefined;
    },
  });
  return count;
}
