/**
 * A read_committed reader of chosen partitions of one topic, from earliest, latest or an offset,
 * up to the end offsets seen at start (or forever with `follow`). Used by `exoarmur inspect` and
 * by the integration tests to read outputs back the way a downstream consumer would.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { fixedPartitionsAssigner } from '../../processor/kafka/assigner.js';

export type ReadFrom = 'earliest' | 'latest' | bigint;

export interface ReadOptions {
  topic: string;
  /** Partitions to read; all when omitted. */
  partitions?: number[];
  from?: ReadFrom;
  limit?: number;
  /** Keep reading new records until `signal` aborts. */
  follow?: boolean;
  signal?: AbortSignal;
  onRecord: (record: { partition: number; message: KafkaMessage }) => void;
}

export async function readCommitted(kafka: Kafka, options: ReadOptions): Promise<number> {
  const { topic } = options;
  const from = options.from ?? 'earliest';
  const admin = kafka.admin();
  await admin.connect();
  let watermarks;
  try {
    watermarks = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const partitions = options.partitions ?? watermarks.map((w) => w.partition).sort((a, b) => a - b);
  const start = new Map<number, bigint>();
  const end = new Map<number, bigint>();
  for (const p of partitions) {
    const w = watermarks.find((x) => x.partition === p);
    if (!w) throw new RangeError(`topic ${topic} has no partition ${p}`);
    const low = BigInt(w.low);
    const high = BigInt(w.high);
    const first = from === 'earliest' ? low : from === 'latest' ? high : from < low ? low : from > high ? high : from;
    start.set(p, first);
    end.set(p, high);
  }
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const pendingEnd = new Set(partitions.filter((p) => start.get(p)! < end.get(p)!));
  if (!options.follow && (pendingEnd.size === 0 || limit <= 0)) return 0;

  const consumer = kafka.consumer({
    groupId: `exoarmur-reader-${randomUUID()}`,
    readUncommitted: false,
    partitionAssigners: [fixedPartitionsAssigner(partitions)],
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
  });
  let count = 0;
  let done: () => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  const check = () => {
    if (count >= limit || (!options.follow && pendingEnd.size === 0)) done();
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    const { partition, lastOffset } = event.payload;
    if (event.payload.topic === topic && BigInt(lastOffset) + 1n >= (end.get(partition) ?? 0n)) pendingEnd.delete(partition);
    check();
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const p of partitions) consumer.seek({ topic, partition: p, offset: start.get(p)!.toString() });
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) fail(event.payload.error);
  });
  options.signal?.addEventListener('abort', () => done());
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, isStale }) => {
        if (isStale()) return;
        const from = start.get(batch.partition) ?? 0n;
        const stop = options.follow ? undefined : end.get(batch.partition);
        try {
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            if (offset < from || (stop !== undefined && offset >= stop) || count >= limit) continue;
            count += 1;
            options.onRecord({ partition: batch.partition, message });
          }
        } catch (error) {
          // The caller's failure ends the read; thrown into kafkajs it would only restart the reader.
          fail(error);
        }
      },
    });
    await finished;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return count;
}
