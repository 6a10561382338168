/** ExecutionResultV1 from an actuator: Avro with the schema named by its headers; validated beyond what Avro can say. */
import type { Decoded, DecodeHint } from '../core/api.js';
import { normalizeRfc3339 } from '../core/time.js';
import type { ExecutionResultV1 } from '../core/types.js';
import { decodeRecord, schemaFromHeaders, type InputHeaders } from './avro.js';
import { MAX_FIELD_CHARS } from './telemetry.js';

export function decodeExecutionResult(bytes: Uint8Array | null, headers: InputHeaders | undefined): Decoded<ExecutionResultV1> {
  if (bytes === null) return { ok: false, reason_code: 'null_value', reason: 'the record has no value (a tombstone); a result must be an ExecutionResultV1 Avro record' };
  const schema = schemaFromHeaders(headers, 'result');
  if (!schema.ok) return schema;
  const decoded = decodeRecord('result', bytes, headers);
  if (!decoded.ok) return decoded;
  const r = decoded.value as ExecutionResultV1;
  const hint: DecodeHint = {};
  if (r.tenant_id.length > 0 && r.tenant_id.length <= MAX_FIELD_CHARS && !r.tenant_id.includes(':')) hint.tenant_id = r.tenant_id;
  if (r.correlation_id.length > 0 && r.correlation_id.length <= MAX_FIELD_CHARS) hint.correlation_id = r.correlation_id;
  if (r.trace_id.length > 0 && r.trace_id.length <= MAX_FIELD_CHARS) hint.trace_id = r.trace_id;
  const fail = (reason_code: string, reason: string): Decoded<ExecutionResultV1> => ({ ok: false, reason_code, reason, hint });
  for (const [name, value] of Object.entries(r)) {
    if (typeof value === 'string' && value.length > MAX_FIELD_CHARS) return fail('too_long', `${name} is ${value.length} characters; it is limited to ${MAX_FIELD_CHARS}`);
  }
  if (r.schema_version !== '1') return fail('bad_schema_version', `schema_version must be "1", got ${JSON.stringify(r.schema_version)}`);
  if (hint.tenant_id === undefined) return fail('bad_type', `tenant_id ${JSON.stringify(r.tenant_id)} must be non-empty and contain no ":"`);
  if (hint.correlation_id === undefined) return fail('bad_type', 'correlation_id must be non-empty');
  for (const name of ['intent_id', 'intent_hash', 'actuator_group', 'driver'] as const) if (r[name].length === 0) return fail('bad_type', `${name} must be non-empty`);
  if (!Number.isInteger(r.attempt) || r.attempt < 1) return fail('bad_type', `attempt must be at least 1, got ${r.attempt}`);
  const started = normalizeRfc3339(r.started_at);
  const finished = normalizeRfc3339(r.finished_at);
  if (started === null) return fail('bad_timestamp', `started_at ${JSON.stringify(r.started_at)} is not an RFC 3339 timestamp between 1970 and 9000`);
  if (finished === null) return fail('bad_timestamp', `finished_at ${JSON.stringify(r.finished_at)} is not an RFC 3339 timestamp between 1970 and 9000`);
  if (finished < started) return fail('bad_timestamp', `finished_at ${finished} is before started_at ${started}`);
  // Times as the audit trail keeps them: normalised, so the event time is the recorded finish.
  return { ok: true, value: { ...r, started_at: started, finished_at: finished } };
}
