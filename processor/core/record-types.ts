/**
 * The vocabulary and the input/output records of schemas/*.avsc (telemetry, operator action,
 * config snapshot, dead letter, execution intent). Optional fields are explicit `null`, never absent.
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
