/** The audit record and its payloads (schemas/audit_record_v1.avsc): one payload type per event kind. */
import type {
  ActionClass,
  ApprovalRequirement,
  Classification,
  ExecutionOutcome,
  CollectiveMember,
  Intent,
  KillSwitchScope,
  OperatorActionKind,
  Severity,
  SubjectKind,
  Verdict,
  Vote,
} from './record-types.js';

/** What a rejected value itself names (schemas: ReadIdentifiers); null where absent or not valid. */
export interface ReadIdentifiers {
  event_id: string | null;
  action_id: string | null;
  tenant_id: string | null;
  correlation_id: string | null;
  cell_id: string | null;
}

/** telemetry_rejected and action_rejected; identifiers is null only in records written before it existed. */
export interface InputRejectedPayload {
  reason_code: string;
  reason: string;
  dead_letter_id: string;
  value_size: number;
  value_sha256: string | null;
  identifiers: ReadIdentifiers | null;
}

/** An attributes.confidence the belief did not use, and why (schemas: IgnoredConfidence). */
export interface IgnoredConfidence {
  value: string;
  reason: 'out_of_range' | 'not_a_number';
}

/** Audit payloads, one per event kind (the Avro union branch named in PAYLOAD_TYPE_OF_KIND). */
export interface AuditPayloads {
  telemetry_received: {
    event_id: string;
    cell_id: string;
    event_type: string;
    severity: Severity;
    observed_at: string;
    received_at: string;
    source_kind: string;
    source_name: string;
  };
  telemetry_duplicate: { first_seen: string };
  telemetry_rejected: InputRejectedPayload;
  facts_derived: { event_id: string; subject: string; subject_kind: SubjectKind; claim_type: string; event_type: string; severity: Severity; cell_id: string };
  belief_emitted: {
    emitter: string;
    subject: string;
    claim_type: string;
    confidence: number;
    confidence_source: 'attribute' | 'severity';
    classification: Classification;
    severity: Severity;
    observed_at: string;
    ttl_s: number;
    ignored_confidence: IgnoredConfidence | null;
  };
  collective_updated: { claim_type: string; aggregate_score: number; quorum_count: number; spread: number; conflict: boolean; ttl_s: number; members: CollectiveMember[] };
  intent_proposed: { intent: Intent; intent_hash: string };
  safety_evaluated: {
    intent_id: string;
    intent_hash: string;
    action_class: ActionClass;
    rule: string;
    verdict: Verdict;
    trust: number;
    confidence: number;
    quorum_count: number;
    aggregate_score: number;
    policy_verified: boolean;
    kill_switch_global: boolean;
    kill_switch_tenant: boolean;
  };
  intent_released: {
    intent_id: string;
    intent_hash: string;
    action_class: ActionClass;
    intent_type: string;
    subject: string;
    rule: string;
    approval_id: string | null;
    approvers: string[];
  };
  intent_denied: { intent_id: string; intent_hash: string; action_class: ActionClass; rule: string };
  approval_requested: {
    approval_id: string;
    intent_id: string;
    intent_hash: string;
    action_class: ActionClass;
    rule: string;
    requirement: ApprovalRequirement;
    required_votes: number;
    expires_at: string;
    partition: number;
  };
  approval_expired: {
    approval_id: string;
    intent_id: string;
    intent_hash: string;
    expires_at: string;
    cause: 'stream_time' | 'late_action';
    stream_time: string | null;
    votes: Vote[];
  };
  action_received: { action_id: string; action: OperatorActionKind; actor_id: string; approval_id: string | null; decided_at: string };
  action_duplicate: { first_seen: string };
  action_rejected: InputRejectedPayload;
  operator_action_applied: {
    action_id: string;
    action: OperatorActionKind;
    actor_id: string;
    approval_id: string | null;
    scope: KillSwitchScope | null;
    votes: Vote[];
    required_votes: number | null;
  };
  operator_action_rejected: { action_id: string; action: OperatorActionKind; actor_id: string; approval_id: string | null; reason_code: string; reason: string };
  approval_granted: { approval_id: string; intent_id: string; intent_hash: string; requirement: ApprovalRequirement; approvers: string[] };
  approval_denied: { approval_id: string; intent_id: string; intent_hash: string; actor_id: string; reason: string };
  kill_switch_changed: { scope: KillSwitchScope; tenant_id: string | null; on: boolean; actor_id: string; action_id: string; reason: string };
  containment_in_force: {
    intent_id: string;
    action_class: ActionClass;
    subject: string;
    subject_kind: SubjectKind;
    live_intent_id: string;
    live_action_class: ActionClass;
    live_released_at: string;
    live_ends_at: string | null;
  };
  containment_reverted: {
    intent_id: string;
    action_class: ActionClass;
    subject: string;
    subject_kind: SubjectKind;
    ends_at: string;
    stream_time: string;
    revert_intent_id: string;
    revert_intent_type: string;
  };
  circuit_breaker_tripped: {
    intent_id: string;
    action_class: ActionClass;
    classes: ActionClass[];
    max_releases: number;
    window_s: number;
    releases_in_window: number;
    window_start: string;
    stream_time: string;
    partition: number;
  };
  result_received: { intent_id: string; actuator_group: string; outcome: ExecutionOutcome; attempt: number; finished_at: string };
  result_duplicate: { first_seen: string };
  result_rejected: InputRejectedPayload;
  execution_succeeded: ExecutionReported;
  execution_failed: ExecutionReported;
}

/** What an actuator did with a released intent (an ExecutionResultV1 as the audit trail keeps it). */
export interface ExecutionReported {
  intent_id: string;
  intent_hash: string;
  intent_type: string;
  subject: string;
  outcome: ExecutionOutcome;
  /** Why it did not succeed (failed, or gave_up after its attempts); null when it did. */
  reason: string | null;
  attempt: number;
  driver: string;
  actuator_group: string;
  response_status: number | null;
  response_sha256: string | null;
  started_at: string;
  finished_at: string;
  execute_partition: number;
  execute_offset: string;
}

export type AuditEventKind = keyof AuditPayloads;

/** The receipt kinds: exactly one per consumed input record, from any input topic. */
export const RECEIPT_KINDS: ReadonlySet<string> = new Set<AuditEventKind>([
  'telemetry_received',
  'telemetry_duplicate',
  'telemetry_rejected',
  'action_received',
  'action_duplicate',
  'action_rejected',
  'result_received',
  'result_duplicate',
  'result_rejected',
]);

/** The Avro union branch (full name) of each event kind's payload. */
export const PAYLOAD_TYPE_OF_KIND: { readonly [K in AuditEventKind]: string } = {
  telemetry_received: 'exoarmur.TelemetryReceived',
  telemetry_duplicate: 'exoarmur.InputDuplicate',
  telemetry_rejected: 'exoarmur.InputRejected',
  facts_derived: 'exoarmur.FactsDerived',
  belief_emitted: 'exoarmur.BeliefEmitted',
  collective_updated: 'exoarmur.CollectiveUpdated',
  intent_proposed: 'exoarmur.IntentProposed',
  safety_evaluated: 'exoarmur.SafetyEvaluated',
  intent_released: 'exoarmur.IntentReleased',
  intent_denied: 'exoarmur.IntentDenied',
  approval_requested: 'exoarmur.ApprovalRequested',
  approval_expired: 'exoarmur.ApprovalExpired',
  action_received: 'exoarmur.ActionReceived',
  action_duplicate: 'exoarmur.InputDuplicate',
  action_rejected: 'exoarmur.InputRejected',
  operator_action_applied: 'exoarmur.OperatorActionApplied',
  operator_action_rejected: 'exoarmur.OperatorActionRejected',
  approval_granted: 'exoarmur.ApprovalGranted',
  approval_denied: 'exoarmur.ApprovalDenied',
  kill_switch_changed: 'exoarmur.KillSwitchChanged',
  containment_in_force: 'exoarmur.ContainmentInForce',
  circuit_breaker_tripped: 'exoarmur.CircuitBreakerTripped',
  containment_reverted: 'exoarmur.ContainmentReverted',
  result_received: 'exoarmur.ResultReceived',
  result_duplicate: 'exoarmur.InputDuplicate',
  result_rejected: 'exoarmur.InputRejected',
  execution_succeeded: 'exoarmur.ExecutionReported',
  execution_failed: 'exoarmur.ExecutionReported',
};

export interface InputCoordinates {
  topic: string;
  partition: number;
  offset: string;
}

export interface AuditRecordV1<K extends AuditEventKind = AuditEventKind> {
  audit_id: string;
  event_kind: K;
  tenant_id: string;
  correlation_id: string;
  trace_id: string | null;
  idempotency_key: string;
  input: InputCoordinates;
  seq: number;
  event_time: string;
  process_time: string;
  config_hash: string;
  payload: AuditPayloads[K];
  prev_hash: string;
  record_hash: string;
}
