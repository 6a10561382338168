/**
 * Offsets, read through one admin connection per call: a topic's watermarks, a group's committed
 * offsets, and the group's progress over its inputs (how much of what is on the log it committed).
 * Every "how far is the processor" question of the shell, the harness, the bench and the tests is
 * answered here.
 */
import type { Admin, Kafka } from 'kafkajs';
import { KafkaOperationError, UsageError } from '../errors.js';
import { withAdmin } from './client.js';

export interface Watermarks {
  /** Log start offset. */
  low: bigint;
  /** Log end offset (the next offset to be written). */
  high: bigint;
}

async function watermarksOf(admin: Admin, topic: string): Promise<Map<number, Watermarks>> {
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) {
    // The topic list leaves out topics this principal may not describe: asked by name, the broker says so.
    const refusal = await admin.fetchTopicMetadata({ topics: [topic] }).then(
      () => undefined,
      (error: { type?: string }) => error.type,
    );
    if (refusal === 'TOPIC_AUTHORIZATION_FAILED') {
      throw new UsageError('TOPIC_NOT_AUTHORIZED', `the broker refused access to topic ${topic} (TOPIC_AUTHORIZATION_FAILED): log in as a role the ACLs allow to read it`, {
        context: { topic },
      });
    }
    throw new UsageError('TOPIC_MISSING', `topic ${topic} does not exist on the broker: check the topic name (the run id or prefix) and the broker`, { context: { topic } });
  }
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]));
}

/** Every partition's watermarks; a missing topic is TOPIC_MISSING. */
export function topicWatermarks(kafka: Kafka, topic: string): Promise<Map<number, Watermarks>> {
  return withAdmin(kafka, (admin) => watermarksOf(admin, topic));
}

export interface PartitionProgress extends Watermarks {
  topic: string;
  partition: number;
  /** The group's committed next offset, or null when it never committed this partition. */
  committed: bigint | null;
}

/** The group's committed offset beside the watermarks of every partition of `topics`. */
export function groupProgress(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<PartitionProgress[]> {
  return withAdmin(kafka, (admin) => groupProgressVia(admin, groupId, topics));
}

/** Attempts at an offsets answer that covers every partition, and the wait before the second (doubling). */
export const OFFSETS_ANSWER_ATTEMPTS = 6;
const OFFSETS_ANSWER_FIRST_WAIT_MS = 100;

/**
 * `groupProgress` on an admin connection the caller keeps open (a poller asking several times a
 * second). Only the coordinator's -1 means "never committed": kafkajs asks for the partitions its
 * metadata cache lists, and while a group rebalances or a leader moves that list can come back
 * short, so an answer without some partition is asked again (6 attempts over ~3 s), then refused
 * as GROUP_OFFSETS_INCOMPLETE, never read as "start from the log start".
 */
export async function groupProgressVia(admin: Admin, groupId: string, topics: readonly string[]): Promise<PartitionProgress[]> {
  for (let attempt = 1; ; attempt += 1) {
    const rows = await progressRows(admin, groupId, topics);
    if (rows.missing === undefined) return rows.rows;
    if (attempt >= OFFSETS_ANSWER_ATTEMPTS) {
      const { topic, partition } = rows.missing;
      throw new KafkaOperationError(
        'GROUP_OFFSETS_INCOMPLETE',
        `group ${groupId}: the coordinator's offsets answer has no entry for ${topic}[${partition}] (${attempt} attempts)`,
        {
          context: { topic, partition },
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, OFFSETS_ANSWER_FIRST_WAIT_MS * 2 ** (attempt - 1)));
  }
}

async function progressRows(admin: Admin, groupId: string, topics: readonly string[]): Promise<{ rows: PartitionProgress[]; missing?: { topic: string; partition: number } }> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  const rows: PartitionProgress[] = [];
  for (const topic of topics) {
    for (const [partition, marks] of await watermarksOf(admin, topic)) {
      const offset = committed.find((c) => c.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset;
      if (offset === undefined) return { rows, missing: { topic, partition } };
      rows.push({ topic, partition, ...marks, committed: BigInt(offset) >= 0n ? BigInt(offset) : null });
    }
  }
  return { rows };
}

/** Records of `rows` the group has committed, of all there are (log end minus log start). */
export function committedShare(rows: readonly PartitionProgress[]): { committed: bigint; total: bigint } {
  let committed = 0n;
  let total = 0n;
  for (const row of rows) {
    total += row.high - row.low;
    if (row.committed !== null && row.committed > row.low) committed += row.committed - row.low;
  }
  return { committed, total };
}

/** Where a consumer of the group resumes on each partition: its committed offset, else the log start. */
export function resumeOffset(row: PartitionProgress): bigint {
  return row.committed ?? row.low;
}
