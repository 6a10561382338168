/**
 * State restore into the task's local store (state-store.ts), like a Kafka Streams task: read one
 * partition of the compacted changelog (exoarmur.state.v1) with read_committed from the store's
 * checkpoint — or, for a missing or unusable store, from the log start into an emptied store — up
 * to the end offset fetched first. Runs after the task fenced the previous owner, so no
 * transaction of ours is still open on that partition and the end offset is stable; the one reader
 * (io/read.ts) bounds it in time. Fetched records are written to the store in transactions of
 * RESTORE_WRITE_ENTRIES with the offset after them as the checkpoint, so an interrupted restore
 * resumes where it stopped.
 */
import type { Kafka, KafkaMessage } from '../io/client.js';
import type { Logger } from 'pino';
import { ExoArmurError, KafkaOperationError } from '../errors.js';
import { toCurrentVersion, type InputHeaders } from '../codec/index.js';
import { withAdmin } from '../io/client.js';
import { readPartitions } from '../io/read.js';
import { logEvent } from '../log-events.js';
import { TaskStore, type Checkpoint, type StoreEntry } from './state-store.js';

/** Kafka's default delete.retention.ms, used when the topic's own value cannot be read. */
export const DEFAULT_DELETE_RETENTION_MS = 86_400_000;

/**
 * Changelog entries per store transaction while restoring (an interrupted restore resumes from the
 * last one). Entries pending a write outlive the young generation and are promoted, so this bounds
 * the old-space garbage of a restore: a cold restore of 1M keys on 3 partitions peaked at 365–376 MB
 * RSS with 50,000 and 284 MB with 10,000, first commit after 12.3–13.0 s and 13.7 s (`make bench` recovery rows).
 */
export const RESTORE_WRITE_ENTRIES = 10_000;

export interface ChangelogFacts {
  topic: string;
  partition: number;
  /** Log start and end offsets. */
  low: bigint;
  high: bigint;
  /** How long the broker keeps tombstones (the topic's delete.retention.ms). */
  deleteRetentionMs: number;
}

export type RestorePlan = { mode: 'delta'; from: bigint } | { mode: 'full'; from: bigint; reason: string };

/**
 * Where restore starts. The store is used only if it reflects this changelog up to an offset the
 * log still covers: a checkpoint beyond the end means the store is not of this log (or the log
 * was recreated) and one before the log start means records it needs are gone; a checkpoint older
 * than the tombstone retention may have missed deletes the cleaner has since dropped.
 */
export function planRestore(checkpoint: Checkpoint | undefined, log: ChangelogFacts, nowMs: number): RestorePlan {
  const full = (reason: string): RestorePlan => ({ mode: 'full', from: log.low, reason });
  if (checkpoint === undefined) return full('no store');
  if (checkpoint.topic !== log.topic || checkpoint.partition !== log.partition) return full(`store reflects ${checkpoint.topic}[${checkpoint.partition}]`);
  const at = BigInt(checkpoint.offset);
  if (at > log.high) return full(`store checkpoint ${at} is beyond the changelog end ${log.high}`);
  if (at < log.low) return full(`store checkpoint ${at} is before the changelog start ${log.low}`);
  if (nowMs - checkpoint.writtenAtMs > log.deleteRetentionMs) return full(`store checkpoint is older than the changelog's tombstone retention (${log.deleteRetentionMs} ms)`);
  return { mode: 'delta', from: at };
}

async function changelogFacts(kafka: Kafka, topic: string, partition: number): Promise<ChangelogFacts> {
  return withAdmin(kafka, async (admin) => {
    const marks = (await admin.fetchTopicOffsets(topic)).find((o) => o.partition === partition);
    if (marks === undefined) throw new KafkaOperationError('PARTITION_MISSING', `topic ${topic} has no partition ${partition}`, { context: { topic, partition } });
    const described = await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['delete.retention.ms'] }], includeSynonyms: false });
    const value = Number(described.resources[0]?.configEntries.find((e) => e.configName === 'delete.retention.ms')?.configValue);
    return { topic, partition, low: BigInt(marks.low), high: BigInt(marks.high), deleteRetentionMs: Number.isFinite(value) && value >= 0 ? value : DEFAULT_DELETE_RETENTION_MS };
  });
}

export interface RestoreOptions {
  kafka: Kafka;
  topic: string;
  partition: number;
  /** The task's store directory (taskStoreDir). */
  storeDir: string;
  /** Prefix of the throwaway reader group (the app id). */
  groupPrefix: string;
  /** The owning group consumer's heartbeat: a long restore must not cost the task its partitions. */
  heartbeat?: () => Promise<void>;
  logger: Logger;
  /** Wall clock (ms) for the checkpoints' age. */
  nowMs: () => number;
  timeoutMs?: number;
}

export interface RestoreResult {
  store: TaskStore;
  plan: RestorePlan;
  records: number;
  endOffset: string;
  durationMs: number;
}

function openOrRebuild(dir: string, logger: Logger): TaskStore {
  try {
    return TaskStore.open(dir);
  } catch (error) {
    logger.warn({ err: error, dir }, 'state store unreadable; rebuilding it from the changelog');
    TaskStore.remove(dir);
    return TaskStore.open(dir);
  }
}

function entriesOf(messages: KafkaMessage[], topic: string, partition: number): StoreEntry[] {
  return messages.map((m) => {
    if (m.key === null) {
      // The changelog is written only by this processor; a keyless entry means the topic holds
      // foreign data, and guessing state would break exactly-once.
      throw new ExoArmurError('STATE_RECORD_UNREADABLE', `state changelog entry at offset ${m.offset} has no key`, { context: { topic, partition, offset: m.offset } });
    }
    if (m.value === null) return { key: m.key.toString('utf8'), value: null };
    // The store keeps bare values, read as the current state schema: an entry an older version wrote is stored re-encoded.
    const current = toCurrentVersion('state', m.value, m.headers as InputHeaders);
    if (!current.ok)
      throw new ExoArmurError('STATE_RECORD_UNREADABLE', `state changelog entry at offset ${m.offset}: ${current.reason}`, { context: { topic, partition, offset: m.offset } });
    return { key: m.key.toString('utf8'), value: current.value };
  });
}

export async function restoreStore(options: RestoreOptions): Promise<RestoreResult> {
  const { kafka, topic, partition, logger } = options;
  const started = Date.now();
  const log = await changelogFacts(kafka, topic, partition);
  let store = openOrRebuild(options.storeDir, logger);
  const plan = planRestore(store.checkpoint(), log, options.nowMs());
  try {
    if (plan.mode === 'full') {
      await store.close();
      TaskStore.remove(options.storeDir);
      store = TaskStore.open(options.storeDir);
    }
    const checkpointAt = (offset: bigint): Checkpoint => ({ topic, partition, offset: offset.toString(), writtenAtMs: options.nowMs() });
    // Fetched batches are small; each store transaction syncs to disk, so several are written together.
    let pending: StoreEntry[] = [];
    const records = await readPartitions(kafka, {
      topic,
      ranges: new Map([[partition, { from: plan.from, to: log.high }]]),
      purpose: `state restore of ${topic}[${partition}]`,
      groupPrefix: `${options.groupPrefix}.restore.${partition}`,
      onBatch: (_partition, messages) => {
        if (messages.length === 0) return;
        for (const entry of entriesOf(messages, topic, partition)) pending.push(entry);
        if (pending.length < RESTORE_WRITE_ENTRIES) return;
        store.write(pending, checkpointAt(BigInt(messages[messages.length - 1]!.offset) + 1n));
        pending = [];
      },
      ...(options.heartbeat === undefined ? {} : { heartbeat: options.heartbeat }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    // Everything below the end is read (what follows the last record is markers or aborted data).
    store.write(pending, checkpointAt(log.high));
    const durationMs = Date.now() - started;
    logger.info(
      {
        ...logEvent('state_restored'),
        topic,
        restore_mode: plan.mode,
        ...(plan.mode === 'full' ? { restore_reason: plan.reason } : {}),
        from_offset: plan.from.toString(),
        restored_records: records,
        end_offset: log.high.toString(),
        restore_ms: durationMs,
      },
      'state restored',
    );
    return { store, plan, records, endOffset: log.high.toString(), durationMs };
  } catch (error) {
    await store.close();
    throw error;
  }
}
