/**
 * Where a task's Merkle tree continues from: the frontier of the partition's latest signed
 * checkpoint (the compacted checkpoint topic keeps it); the empty tree when the partition has no
 * committed audit record yet (the restored store's chain head says how many it has); or, when
 * checkpoints were just switched on for a partition that already has audit records, the tree
 * rebuilt from those records once.
 *
 * The chain head decides, not the audit partition's offsets: a partition whose transactions were
 * all aborted (a task killed before its first commit, or the leftover abort every task start
 * writes) has offsets but no record. Reading it would be wasted, and under the secure profile it is
 * refused: the processor's role writes the audit topic and does not read it (io/acls.ts). A partition
 * with no record reads nothing at all, its checkpoint partition included (start-up I/O).
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
  /** The partition's committed audit records (the restored store's chain head, `next_seq`). */
  committedAuditRecords: number;
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
  // No committed audit record, no tree: a checkpoint commits with the records it signs, so none is read either.
  if (s.committedAuditRecords === 0) return EMPTY_FRONTIER;
  let latest: CheckpointV1 | null = null;
  await readWholePartition(s, s.checkpointTopic, (messages) => {
    for (const m of messages) latest = decoded<CheckpointV1>('checkpoint', s.checkpointTopic, s.partition, m);
  });
  if (latest !== null) return frontierOf(latest);
  let frontier = EMPTY_FRONTIER;
  let read = 0;
  await readWholePartition(s, s.auditTopic, (messages) => {
    for (const m of messages) {
      frontier = appendRecord(s.primitives, frontier, decoded<AuditRecordV1>('audit', s.auditTopic, s.partition, m).record_hash);
      read += 1;
    }
  });
  // A tree of fewer records than the chain (retention removed some) would sign checkpoints nobody can check.
  if (read !== s.committedAuditRecords) {
    throw new ExoArmurError(
      'CHECKPOINT_TREE_INCOMPLETE',
      `${s.auditTopic}[${s.partition}] holds ${read} committed audit records, the partition's chain ${s.committedAuditRecords}: its Merkle tree cannot be rebuilt`,
      { context: { topic: s.auditTopic, partition: s.partition } },
    );
  }
  return frontier;
}
