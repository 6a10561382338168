/**
 * State restore: read one partition of the compacted changelog (exoarmur.state.v1) with
 * read_committed from its log start up to the end offset fetched first, handing every record to
 * `apply`. Runs after the task fenced the previous owner, so no transaction of ours is still open
 * on that partition and the end offset is stable; the one reader (io/read.ts) bounds it in time.
 */
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { KafkaOperationError } from '../errors.js';
import { topicWatermarks } from '../io/offsets.js';
import { readPartitions } from '../io/read.js';
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

export async function restorePartition(options: RestoreOptions): Promise<RestoreResult> {
  const { kafka, topic, partition, logger } = options;
  const started = Date.now();
  const marks = (await topicWatermarks(kafka, topic)).get(partition);
  if (marks === undefined) throw new KafkaOperationError('PARTITION_MISSING', `topic ${topic} has no partition ${partition}`, { context: { topic, partition } });
  const records = await readPartitions(kafka, {
    topic,
    ranges: new Map([[partition, { from: marks.low, to: marks.high }]]),
    purpose: `state restore of ${topic}[${partition}]`,
    groupPrefix: `${options.groupPrefix}.restore.${partition}`,
    onBatch: (_partition, messages) => options.apply(messages),
    ...(options.heartbeat === undefined ? {} : { heartbeat: options.heartbeat }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const durationMs = Date.now() - started;
  logger.info({ ...logEvent('state_restored'), topic, restored_records: records, end_offset: marks.high.toString(), restore_ms: durationMs }, 'state restored');
  return { records, endOffset: marks.high.toString(), durationMs };
}
