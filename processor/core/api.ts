/**
 * The contract between the pure decision core and the I/O shell.
 *
 * The core is a function of recorded inputs only:
 *   step(state, input, config, primitives) -> { records }
 * It never mutates `state`; every change it wants is an output record with role 'state'
 * (a StateRecordV1 changelog entry). The shell writes those records to exoarmur.state.v1 in
 * the same transaction as the audit/execute/dlq records, and applies them to its cache with
 * `applyStateRecords` (the same function restore and replay use), so the cache is always
 * exactly what the compacted changelog holds.
 *
 * Time, identity and crypto enter as inputs: `process_time` is stamped by the shell when it
 * consumed the record (recorded, never decided on); hashing and signature checks are injected
 * as `Primitives` so the core imports no node built-ins.
 */

/** Deterministic, side-effect-free functions the composition root injects (node:crypto). */
export interface Primitives {
  /** Lower-case hex SHA-256 of a UTF-8 string or bytes. */
  sha256Hex(data: string | Uint8Array): string;
  /** Ed25519 verification. `publicKey` is the registry entry (base64 of the raw 32-byte key or SPKI PEM). */
  verifyEd25519(publicKey: string, message: Uint8Array, signatureBase64: string): boolean;
}

/** Which input topic a record came from: telemetry (any format), operator actions, or actuators' results. */
export type InputSource = 'telemetry' | 'operator' | 'result';

/** Result of decoding an input value (done by processor/codec, pure). */
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string; reason_code?: string; hint?: DecodeHint };

/**
 * What a failed decode could still read (for a rejected record's tenant/correlation/trace and
 * idempotency key). Every field is optional: the codec fills in only what it found valid.
 */
export interface DecodeHint {
  tenant_id?: string;
  correlation_id?: string;
  trace_id?: string;
  event_id?: string;
  action_id?: string;
  cell_id?: string;
  observed_at?: string;
}

/** One consumed Kafka record, as the core sees it. */
export interface CoreInput<T = unknown> {
  source: InputSource;
  topic: string;
  partition: number;
  /** Kafka offset as a decimal string (kafkajs convention). */
  offset: string;
  key: string | null;
  /** The raw value bytes; dead letters carry them unchanged. */
  value: Uint8Array | null;
  /** The Kafka record timestamp (RFC 3339, ms, UTC "Z"); the event time of last resort. */
  kafka_timestamp: string;
  /** When the shell consumed this record (RFC 3339, ms, UTC "Z"). Recorded, never decided on. */
  process_time: string;
  /** The codec's decoding of `value` for this source. */
  decoded: Decoded<T>;
}

/** Where an output record goes. Partition is always the input partition (co-partitioning). */
export type OutputRole = 'audit' | 'execute' | 'dlq' | 'state';

export interface OutputRecord {
  role: OutputRole;
  /** Kafka key (DESIGN §1): tenant_id:correlation_id, subject, original key, or state key. */
  key: string | null;
  /** The record, typed by its schema (AuditRecordV1, ExecutionIntentV1, DeadLetterV1, StateRecordV1). */
  value: unknown;
}

export interface StepResult {
  records: OutputRecord[];
}
