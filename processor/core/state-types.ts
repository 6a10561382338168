/** The per-partition state records (schemas/state_record_v1.avsc): what the changelog holds. */
import type { ActionClass, ApprovalRequirement, CollectiveMember, Intent, KillSwitchScope, Vote } from './record-types.js';

export type StateKind =
  | 'meta'
  | 'pending'
  | 'idempotency'
  | 'collective'
  | 'approval'
  | 'kill_switch'
  | 'released'
  | 'collective_expiry'
  | 'containment'
  | 'breaker'
  | 'revert'
  | 'retention'
  | 'contained'
  | 'position';
export type ApprovalStatus = 'pending' | 'granted' | 'denied' | 'expired';

export interface PartitionMeta {
  partition: number;
  next_seq: number;
  head_hash: string;
  stream_time: string | null;
  pending_head: string | null;
  pending_tail: string | null;
  pending_count: number;
  collective_head: string | null;
  collective_tail: string | null;
  revert_head: string | null;
  revert_tail: string | null;
  idem_retention_head: string | null;
  idem_retention_tail: string | null;
  decided_retention_head: string | null;
  decided_retention_tail: string | null;
}
export interface PendingEntry {
  approval_id: string;
  expires_at: string;
}
export interface PendingNode extends PendingEntry {
  prev: string | null;
  next: string | null;
}
/** Node of the collective expiry list; `prev`/`next` are collective keys. */
export interface CollectiveExpiryNode {
  collective_key: string;
  check_at: string;
  prev: string | null;
  next: string | null;
}
/** Node of the retention list: state keys to delete once stream time passes `due_at` (retention.ts). */
export interface RetentionBucket {
  bucket_id: string;
  due_at: string;
  keys: string[];
  prev: string | null;
  next: string | null;
}
export interface ApprovalState {
  approval_id: string;
  status: ApprovalStatus;
  requirement: ApprovalRequirement;
  required_votes: number;
  votes: Vote[];
  rule: string;
  expires_at: string;
  partition: number;
  intent: Intent;
  intent_hash: string;
  decided_at: string | null;
}
export interface KillSwitchState {
  scope: KillSwitchScope;
  tenant_id: string | null;
  on: boolean;
  actor_id: string;
  action_id: string;
  reason: string;
  decided_at: string;
}
/** The strongest containment released on one subject of a tenant (SG-160). */
export interface LiveContainment {
  intent_id: string;
  action_class: ActionClass;
  released_at: string;
  /** released_at + policy.containment_ttl_s of its class; null: no end configured. */
  ends_at: string | null;
}
/** Node of the revert list (sorted by ends_at): a released containment and the intent to revert. */
export interface RevertNode {
  intent_id: string;
  ends_at: string;
  prev: string | null;
  next: string | null;
  intent: Intent;
  intent_hash: string;
}
/** A released containment off the revert list: kept with no end by an operator, or reverted (kept for a late action's answer). */
export interface ContainedIntent {
  intent_id: string;
  status: 'kept' | 'reverted';
  /** reverted: the end it was reverted at; kept: null. */
  ends_at: string | null;
  intent: Intent;
  intent_hash: string;
}
/** Stream times of a tenant's recent releases of the circuit breaker's classes, ascending. */
export interface BreakerWindow {
  release_times: string[];
}
/** position/<input topic>: the next offset of that input topic on this partition, committed with the outputs. */
export interface InputPosition {
  topic: string;
  next_offset: number;
}
export interface ReleasedIntent {
  intent_id: string;
  intent_hash: string;
  event_time: string;
}

export interface StateRecordV1 {
  kind: StateKind;
  meta: PartitionMeta | null;
  pending: PendingNode | null;
  collective: { beliefs: CollectiveMember[] } | null;
  approval: ApprovalState | null;
  kill_switch: KillSwitchState | null;
  released: ReleasedIntent | null;
  collective_expiry: CollectiveExpiryNode | null;
  containment: LiveContainment | null;
  breaker: BreakerWindow | null;
  revert: RevertNode | null;
  retention: RetentionBucket | null;
  contained: ContainedIntent | null;
  /** Written by the shell, never read by the core (kafka/task.ts: where a task resumes). */
  position: InputPosition | null;
}
