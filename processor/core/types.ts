/**
 * TypeScript forms of the records in schemas/*.avsc. The .avsc files are the source of truth;
 * the codec tests encode every record the core emits with those schemas, so a drift between
 * these types and the schemas fails a test. Optional fields are explicit `null`, never absent.
 */

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type SubjectKind = 'host' | 'user' | 'process' | 'ip' | 'service';
export type Classification = 'benign' | 'suspicious' | 'malicious';
export type ActionClass = 'A0_observe' | 'A1_soft_containment' | 'A2_hard_containment' | 'A3_irreversible';
export type Verdict = 'allow' | 'deny' | 'require_human' | 'require_quorum';
export type ApprovalRequirement = 'human' | 'quorum';
export type OperatorActionKind = 'approve' | 'deny' | 'kill_switch_on' | 'kill_switch_off';
export type KillSwitchScope = 'global' | 'tenant';

export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
export const SUBJECT_KINDS: readonly SubjectKind[] = ['host', 'user', 'process', 'ip', 'service'];
export const ACTION_CLASSES: readonly ActionClass[] = ['A0_observe', 'A1_soft_containment', 'A2_hard_containment', 'A3_irreversible'];

/** JSON value, for telemetry attributes. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface TelemetryEventV1 {
  schema_version: '1';
  event_id: string;
  tenant_id: string;
  cell_id: string;
  observed_at: string;
  received_at: string;
  source: { kind: string; name: string; host: string | null; sensor_id: string | null };
  event_type: string;
  severity: Severity;
  attributes: { [key: string]: JsonValue };
  entity_refs: { host: string | null; user: string | null; process: string | null; ip: string | null; service: string | null };
  correlation_id: string;
  trace_id: string;
}

export interface OperatorActionV1 {
  schema_version: '1';
  action_id: string;
  action: OperatorActionKind;
  tenant_id: string;
  correlation_id: string;
  approval_id: string | null;
  intent_hash: string | null;
  scope: KillSwitchScope | null;
  actor_id: string;
  decided_at: string;
  reason: string | null;
  signature: string;
}

export interface ConfigSnapshotV1 {
  config_hash: string;
  /** Canonical JSON of the effective config object. */
  config: string;
  captured_at: string;
}

export interface DeadLetterV1 {
  dead_letter_id: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  key: string | null;
  value: Uint8Array | null;
  value_size: number;
  value_sha256: string | null;
  value_truncated: boolean;
  reason_code: string;
  reason: string;
  kafka_timestamp: string;
  process_time: string;
  config_hash: string;
  receipt_audit_id: string;
}

export interface Intent {
  intent_id: string;
  tenant_id: string;
  correlation_id: string;
  trace_id: string;
  event_id: string;
  subject: string;
  subject_kind: SubjectKind;
  claim_type: string;
  action_class: ActionClass;
  intent_type: string;
  classification: Classification;
  confidence: number;
  event_time: string;
}

export interface ExecutionIntentV1 {
  intent_id: string;
  intent_hash: string;
  tenant_id: string;
  correlation_id: string;
  trace_id: string;
  subject: string;
  action_class: ActionClass;
  intent_type: string;
  claim_type: string;
  released_by: { rule: string; approval_id: string | null; approvers: string[] };
  event_time: string;
  config_hash: string;
  source_audit_id: string;
}

export interface Vote {
  actor_id: string;
  action_id: string;
  decided_at: string;
}
export interface CollectiveMember {
  emitter: string;
  confidence: number;
  observed_at: string;
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
  telemetry_rejected: { reason_code: string; reason: string; dead_letter_id: string; value_size: number; value_sha256: string | null };
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
  action_rejected: { reason_code: string; reason: string; dead_letter_id: string; value_size: number; value_sha256: string | null };
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
}

export type AuditEventKind = keyof AuditPayloads;

/** The receipt kinds: exactly one per consumed input record, from either input topic. */
export const RECEIPT_KINDS: ReadonlySet<string> = new Set<AuditEventKind>([
  'telemetry_received',
  'telemetry_duplicate',
  'telemetry_rejected',
  'action_received',
  'action_duplicate',
  'action_rejected',
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

export type StateKind = 'meta' | 'pending' | 'idempotency' | 'collective' | 'approval' | 'kill_switch' | 'released' | 'collective_expiry';
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
}

export type ExecutionOutcome = 'succeeded' | 'failed' | 'gave_up';

/** schemas/execution_result_v1.avsc: what an actuator did with one released intent. */
export interface ExecutionResultV1 {
  schema_version: '1';
  intent_id: string;
  intent_hash: string;
  tenant_id: string;
  correlation_id: string;
  trace_id: string;
  subject: string;
  intent_type: string;
  outcome: ExecutionOutcome;
  attempt: number;
  driver: string;
  response_status: number | null;
  response_sha256: string | null;
  detail: string | null;
  started_at: string;
  finished_at: string;
  actuator_group: string;
  source_partition: number;
  source_offset: string;
}

/** schemas/actuator_state_v1.avsc: the reference actuator's dedupe entry for one intent. */
export interface ActuatorStateV1 {
  intent_id: string;
  status: 'in_flight' | ExecutionOutcome;
  attempts: number;
  started_at: string;
  updated_at: string;
}
