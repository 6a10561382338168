/**
 * Reads offset ranges of a topic's partitions with read_committed, batch by batch, for replay:
 * the run's whole audit trail, outputs and config snapshots, and exactly the input offsets the
 * receipts point at. A range ends at an end offset taken before reading, so a still-running
 * writer cannot make the read endless; control records count towards reaching it.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { ExoArmurError } from '../../processor/errors.js';

/** [from, to): first offset to read and the offset to stop before. */
export interface OffsetRange {
  from: bigint;
  to: bigint;
}

export class ReplayReadError extends ExoArmurError {}

/** Every partition of `topic` from its log start to its end offset now. */
export async function wholeTopicRanges(kafka: Kafka, topic: string): Promise<Map<number, OffsetRange>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      throw new ReplayReadError('REPLAY_TOPIC_MISSING', `topic ${topic} does not exist on the broker: check the run id (--run) or --topic-prefix and --brokers`, { context: { topic } });
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { from: BigInt(o.low), to: BigInt(o.high) }]));
  } finally {
    await admin.disconnect();
  }
}

export interface ReadRangesOptions {
  topic: string;
  ranges: ReadonlyMap<number, OffsetRange>;
  /** Called once per fetched batch with the batch's messages inside the partition's range. */
  onMessages: (partition: number, messages: KafkaMessage[]) => void;
  timeoutMs?: number;
}

/** Reads the given ranges; resolves once every partition reached its `to`. Returns the messages delivered. */
export async function readRanges(kafka: Kafka, options: ReadRangesOptions): Promise<number> {
  const { topic, ranges } = options;
  const pending = new Set([...ranges].filter(([, r]) => r.from < r.to).map(([p]) => p));
  if (pending.size === 0) return 0;
  const consumer = kafka.consumer({
    groupId: `exoarmur-replay-${randomUUID()}`,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  let delivered = 0;
  let settle: (error?: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error?: unknown) => (error === undefined ? resolve() : reject(error));
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  const timer = setTimeout(() => {
    settle(new ReplayReadError('REPLAY_READ_TIMEOUT', `reading ${topic} partitions ${[...pending].join(',')} did not reach their end offsets within ${timeoutMs} ms: is a transaction still open (stop the processor) or the broker unreachable?`, { retriable: true, context: { topic } }));
  }, timeoutMs);
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    const assigned = event.payload.memberAssignment[topic] ?? [];
    const unwanted = assigned.filter((p) => !ranges.has(p));
    if (unwanted.length > 0) consumer.pause([{ topic, partitions: unwanted }]);
    for (const [partition, range] of ranges) if (assigned.includes(partition)) consumer.seek({ topic, partition, offset: range.from.toString() });
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    const { partition, lastOffset } = event.payload;
    const range = ranges.get(partition);
    if (event.payload.topic === topic && range !== undefined && BigInt(lastOffset) + 1n >= range.to) pending.delete(partition);
    if (pending.size === 0) settle();
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
        if (isStale()) return;
        const range = ranges.get(batch.partition);
        if (range === undefined) return;
        const inside = batch.messages.filter((m) => {
          const offset = BigInt(m.offset);
          return offset >= range.from && offset < range.to;
        });
        if (inside.length === 0) return;
        try {
          options.onMessages(batch.partition, inside);
          delivered += inside.length;
        } catch (error) {
          // A decoding failure ends the read; thrown into kafkajs it would only restart the consumer.
          settle(error);
        }
      },
    });
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  return delivered;
}
