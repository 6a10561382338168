/**
 * One step's working set, one part per job: the state overlay (reads see this step's changes,
 * the input state is never mutated), the audit chain, the ids derived from the input's
 * idempotency key (fixed before the step starts), the sorted lists kept in state (pending
 * approvals by expiry, collectives by check time, retained keys by due time), and the partition's
 * stream time. `finish` turns every state change, then the partition's meta record, into 'state'
 * output records.
 */
import type { CoreInput, OutputRecord, Primitives, StepResult } from './api.js';
import { AuditChain } from './audit-chain.js';
import { GENESIS_HASH } from './chain.js';
import type { CoreConfig } from './config-types.js';
import { StepIds } from './ids.js';
import { StateOverlay } from './overlay.js';
import { listShape, SortedStateList } from './sorted-list.js';
import { stateKeys, stateRecord, type StateView } from './state.js';
import { formatIsoMs, msOf } from './time.js';
import type { CollectiveExpiryNode, PartitionMeta, PendingNode, RetentionBucket, RevertNode } from './types.js';

/** Pending approvals, sorted by (expires_at, approval_id). */
const PENDING_LIST = listShape<PendingNode>('pending', 'approval_id', 'expires_at', stateKeys.pending, { head: 'pending_head', tail: 'pending_tail', count: 'pending_count' });

/** Collectives to look at when stream time passes their check_at, sorted by (check_at, collective key). */
const COLLECTIVE_EXPIRY_LIST = listShape<CollectiveExpiryNode>('collective_expiry', 'collective_key', 'check_at', stateKeys.collectiveExpiry, {
  head: 'collective_head',
  tail: 'collective_tail',
  count: null,
});

/** Released containments to revert when stream time passes their end, sorted by (ends_at, intent_id). */
const REVERT_LIST = listShape<RevertNode>('revert', 'intent_id', 'ends_at', stateKeys.revert, { head: 'revert_head', tail: 'revert_tail', count: null });
/**
 * Retention buckets (state keys to delete once stream time passes their due time), sorted by
 * (due_at, bucket_id): one list per retention, so that each list's due times arrive in order.
 */
const IDEM_RETENTION_LIST = listShape<RetentionBucket>('retention', 'bucket_id', 'due_at', stateKeys.retention, {
  head: 'idem_retention_head',
  tail: 'idem_retention_tail',
  count: null,
});
const DECIDED_RETENTION_LIST = listShape<RetentionBucket>('retention', 'bucket_id', 'due_at', stateKeys.retention, {
  head: 'decided_retention_head',
  tail: 'decided_retention_tail',
  count: null,
});

export class StepContext {
  readonly records: OutputRecord[] = [];
  readonly state: StateOverlay;
  readonly ids: StepIds;
  readonly audit: AuditChain;
  readonly pending: SortedStateList<PendingNode>;
  readonly collectiveExpiry: SortedStateList<CollectiveExpiryNode>;
  readonly reverts: SortedStateList<RevertNode>;
  /** Idempotency marks, and decided approvals with their release guards, by due time (retention.ts). */
  readonly retention: { idem: SortedStateList<RetentionBucket>; decided: SortedStateList<RetentionBucket> };
  /** The partition was stepped before: its meta record is stored. */
  readonly resumed: boolean;
  private readonly meta: PartitionMeta;
  private readonly metaKey: string;

  constructor(
    view: StateView,
    readonly input: CoreInput,
    readonly config: CoreConfig,
    readonly prims: Primitives,
    /** The input's idempotency key (identity.ts): part of every id this step derives. */
    readonly idempotencyKey: string,
  ) {
    this.metaKey = stateKeys.meta(input.partition);
    const stored = view.get(this.metaKey)?.meta;
    this.resumed = stored !== undefined && stored !== null;
    this.meta = stored
      ? { ...stored }
      : {
          partition: input.partition,
          next_seq: 0,
          head_hash: GENESIS_HASH,
          stream_time: null,
          pending_head: null,
          pending_tail: null,
          pending_count: 0,
          collective_head: null,
          collective_tail: null,
          revert_head: null,
          revert_tail: null,
          idem_retention_head: null,
          idem_retention_tail: null,
          decided_retention_head: null,
          decided_retention_tail: null,
        };
    this.state = new StateOverlay(view);
    this.ids = new StepIds(prims, idempotencyKey, input);
    this.audit = new AuditChain(this.meta, input, config.config_hash, this.ids, prims, this.records);
    this.pending = new SortedStateList(this.state, this.meta, PENDING_LIST);
    this.collectiveExpiry = new SortedStateList(this.state, this.meta, COLLECTIVE_EXPIRY_LIST);
    this.reverts = new SortedStateList(this.state, this.meta, REVERT_LIST);
    this.retention = {
      idem: new SortedStateList(this.state, this.meta, IDEM_RETENTION_LIST),
      decided: new SortedStateList(this.state, this.meta, DECIDED_RETENTION_LIST),
    };
  }

  get partition(): number {
    return this.input.partition;
  }

  get streamTime(): string | null {
    return this.meta.stream_time;
  }

  /** Advances the partition's stream time (greatest telemetry observed_at); returns true if it moved. */
  advanceStreamTime(observedAt: string): boolean {
    if (this.meta.stream_time !== null && msOf(observedAt) <= msOf(this.meta.stream_time)) return false;
    this.meta.stream_time = observedAt;
    return true;
  }

  emit(record: OutputRecord): void {
    this.records.push(record);
  }

  finish(): StepResult {
    this.state.writeRecords(this.records);
    this.records.push({ role: 'state', key: this.metaKey, value: stateRecord('meta', { ...this.meta }) });
    return { records: this.records };
  }
}

export function addSeconds(iso: string, seconds: number): string {
  return formatIsoMs(msOf(iso) + seconds * 1000);
}
