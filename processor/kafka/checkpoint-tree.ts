/**
 * Where a task's Merkle tree continues from: the frontier of the partition's latest signed
 * checkpoint (the compacted checkpoint topic keeps it), or, when checkpoints were just switched on
 * for a partition that already has audit records, the tree rebuilt from those records once.
 */
import type { Logger } from 'pino';
import { decodeRecord } from '../codec/index.js';
import { appendRecord, frontierOf, type CheckpointV1 } from '../core/checkpoint.js';
import type { Primitives } from '../core/api.js';
import { EMPTY_FRONTIER, type MerkleFrontier } from '../core/merkle.js';
import type { AuditRecordV1 } from '../core/types.js';
import { ExoArmurError } from '../errors.js';
import type { Kafka, KafkaMessage } from '../io/client.js';
import { KafkaOperationError } from '../errors.js';
import { topicWatermarks } from '../io/offsets.js';
import { readPartitions } from '../io/read.js';

export interface TreeSource {
  kafka: Kafka;
  checkpointTopic: string;
  auditTopic: string;
  partition: number;
  groupPrefix: string;
  primitives: Primitives;
  logger: Logger;
  heartbeat: () => Promise<void>;
}

function decoded<T>(role: 'checkpoint' | 'audit', topic: string, partition: number, m: { value: Buffer | null; headers?: unknown; offset: string }): T {
  const result = decodeRecord(role, m.value, m.headers as never);
  if (!result.ok) throw new ExoArmurError('CHECKPOINT_UNREADABLE', `${topic}[${partition}]@${m.offset}: ${result.reason}`, { context: { topic, partition, offset: m.offset } });
  return result.value as T;
}

/** Reads one partition of a topic from its log start to the end offset fetched first, with the one reader. */
async function readWholePartition(
  s: { kafka: Kafka; partition: number; groupPrefix: string; heartbeat: () => Promise<void> },
  topic: string,
  apply: (messages: KafkaMessage[]) => void,
): Promise<void> {
  const marks = (await topicWatermarks(s.kafka, topic)).get(s.partition);
  if (marks === undefined) throw new KafkaOperationError('PARTITION_MISSING', `topic ${topic} has no partition ${s.partition}`, { context: { topic, partition: s.partition } });
  await readPartitions(s.kafka, {
    topic,
    ranges: new Map([[s.partition, { from: marks.low, to: marks.high }]]),
    purpose: `Merkle tree restore of ${topic}[${s.partition}]`,
    groupPrefix: `${s.groupPrefix}.restore.${s.partition}`,
    onBatch: (_partition, messages) => apply(messages),
    heartbeat: s.heartbeat,
  });
}

export async function restoreTree(s: TreeSource): Promise<MerkleFrontier> {
  let latest: CheckpointV1 | null = null;
  await readWholePartition(s, s.checkpointTopic, (messages) => {
    for (const m of messages) latest = decoded<CheckpointV1>('checkpoint', s.checkpointTopic, s.partition, m);
  });
  if (latest !== null) return frontierOf(latest);
  let frontier = EMPTY_FRONTIER;
  await readWholePartition(s, s.auditTopic, (messages) => {
    for (const m of messages) frontier = appendRecord(s.primitives, frontier, decoded<AuditRecordV1>('audit', s.auditTopic, s.partition, m).record_hash);
  });
  return frontier;
}
