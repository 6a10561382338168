/**
 * State restore: read one partition of the compacted changelog (exoarmur.state.v1) with
 * read_committed from its beginning up to the end offset fetched first, handing every record to
 * `apply`. Runs after the task fenced the previous owner, so no transaction of theirs is still
 * open on that partition and the end offset is stable.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { KafkaOperationError } from '../errors.js';
import { fixedPartitionsAssigner } from './assigner.js';
import { toShellError } from './kafka-errors.js';
import { logEvent } from '../log-events.js';

export interface RestoreOptions {
  kafka: Kafka;
  topic: string;
  partition: number;
  /** Prefix of the throwaway reader group (the app id). */
  groupPrefix: string;
  apply: (messages: KafkaMessage[]) => void;
  /** The owning group consumer's heartbeat: a long restore must not cost the task its partitions. */
  heartbeat?: () => Promise<void>;
  logger: Logger;
  timeoutMs?: number;
}

export interface RestoreResult {
  records: number;
  endOffset: string;
  durationMs: number;
}

/** Low and high watermarks of one partition. */
export async function partitionWatermarks(kafka: Kafka, topic: string, partition: number): Promise<{ low: string; high: string }> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    const entry = offsets.find((o) => o.partition === partition);
    if (!entry) throw new KafkaOperationError('PARTITION_MISSING', `topic ${topic} has no partition ${partition}`, { context: { topic, partition } });
    return { low: entry.low, high: entry.high };
  } finally {
    await admin.disconnect();
  }
}

export async function restorePartition(options: RestoreOptions): Promise<RestoreResult> {
  const { kafka, topic, partition, logger } = options;
  const started = Date.now();
  const { low, high } = await partitionWatermarks(kafka, topic, partition);
  if (BigInt(high) <= BigInt(low)) {
    logger.info({ ...logEvent('state_restored'), topic, restored_records: 0, end_offset: high, restore_ms: Date.now() - started }, 'state restored (empty changelog)');
    return { records: 0, endOffset: high, durationMs: Date.now() - started };
  }

  const consumer = kafka.consumer({
    groupId: `${options.groupPrefix}.restore.${partition}.${randomUUID()}`,
    readUncommitted: false,
    partitionAssigners: [fixedPartitionsAssigner([partition])],
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
  });
  let records = 0;
  const end = BigInt(high);
  let finish: () => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const reachedEnd = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  // END_BATCH_PROCESS fires for batches of records and for batches that held only transaction
  // markers or aborted records, so the end is seen even when the log ends with a marker.
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    if (event.payload.topic === topic && event.payload.partition === partition && BigInt(event.payload.lastOffset) + 1n >= end) finish();
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) fail(event.payload.error);
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  const timer = setTimeout(
    () =>
      fail(
        // A read_committed reader stops at the last stable offset: a transaction on this partition
        // that never completes (a hanging transaction, not ours: our own was fenced before restore)
        // holds it below the end offset forever, and only an operator can abort it.
        new KafkaOperationError(
          'RESTORE_TIMEOUT',
          `state restore of ${topic}[${partition}] did not reach offset ${high} in ${timeoutMs} ms: if its last stable offset is stuck, a transaction is hanging there; find it with kafka-transactions.sh --bootstrap-server <broker> describe-producers --topic ${topic} --partition ${partition} (or find-hanging --broker-id <id>) and end it with kafka-transactions.sh abort`,
          { retriable: true, context: { topic, partition, offset: high } },
        ),
      ),
    timeoutMs,
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        if (batch.partition !== partition) return;
        const within = batch.messages.filter((m) => BigInt(m.offset) < end);
        try {
          options.apply(within);
        } catch (error) {
          // Not thrown into kafkajs (it would only restart this reader): the restore itself fails.
          fail(error);
          return;
        }
        records += within.length;
        // A rebalance during restore surfaces on the next batch (the task is then rebuilt).
        await options.heartbeat?.().catch(() => undefined);
      },
    });
    await reachedEnd;
  } catch (error) {
    throw toShellError(error, `restoring state from ${topic}[${partition}]`, { topic, partition });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  const durationMs = Date.now() - started;
  logger.info({ ...logEvent('state_restored'), topic, restored_records: records, end_offset: high, restore_ms: durationMs }, 'state restored');
  return { records, endOffset: high, durationMs };
}
