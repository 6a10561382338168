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
import type { Kafka } from '../io/client.js';
import { restorePartition } from './restore.js';

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

export async function restoreTree(s: TreeSource): Promise<MerkleFrontier> {
  let latest: CheckpointV1 | null = null;
  const common = { kafka: s.kafka, partition: s.partition, groupPrefix: s.groupPrefix, logger: s.logger, heartbeat: s.heartbeat };
  await restorePartition({
    ...common,
    topic: s.checkpointTopic,
    apply: (messages) => {
      for (const m of messages) latest = decoded<CheckpointV1>('checkpoint', s.checkpointTopic, s.partition, m);
    },
  });
  if (latest !== null) return frontierOf(latest);
  let frontier = EMPTY_FRONTIER;
  await restorePartition({
    ...common,
    topic: s.auditTopic,
    apply: (messages) => {
      for (const m of messages) frontier = appendRecord(s.primitives, frontier, decoded<AuditRecordV1>('audit', s.auditTopic, s.partition, m).record_hash);
    },
  });
  return frontier;
}
