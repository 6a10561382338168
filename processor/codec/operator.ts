/** OperatorActionV1: Avro with the schema named by headers; validated beyond what Avro can say. */
import type { Decoded, DecodeHint } from '../core/api.js';
import { isUlid } from '../core/ids.js';
import { normalizeRfc3339 } from '../core/time.js';
import type { OperatorActionV1 } from '../core/types.js';
import { decodeRecord, encodeRecord, schemaFromHeaders, type Encoded, type InputHeaders } from './avro.js';
import { MAX_FIELD_CHARS } from './telemetry.js';

/** A deny or kill-switch reason is copied into audit records; longer than this, it is refused. */
export const MAX_REASON_CHARS = 4 * MAX_FIELD_CHARS;

export function decodeOperatorAction(bytes: Uint8Array | null, headers: InputHeaders | undefined): Decoded<OperatorActionV1> {
  if (bytes === null) return { ok: false, reason_code: 'null_value', reason: 'the record has no value (a tombstone); an operator action must be an OperatorActionV1 Avro record' };
  const schema = schemaFromHeaders(headers, 'operator');
  if (!schema.ok) return schema;
  const decoded = decodeRecord('operator', bytes, headers);
  if (!decoded.ok) return decoded;
  const a = decoded.value as OperatorActionV1;
  const hint: DecodeHint = {};
  if (a.tenant_id.length > 0 && a.tenant_id.length <= MAX_FIELD_CHARS && !a.tenant_id.includes(':')) hint.tenant_id = a.tenant_id;
  if (a.correlation_id.length > 0 && a.correlation_id.length <= MAX_FIELD_CHARS) hint.correlation_id = a.correlation_id;
  if (isUlid(a.action_id)) hint.action_id = a.action_id;
  const fail = (reason_code: string, reason: string): Decoded<OperatorActionV1> => ({ ok: false, reason_code, reason, hint });
  const tooLong = overlongField(a);
  if (tooLong !== null) return fail('too_long', tooLong);
  if (a.schema_version !== '1') return fail('bad_schema_version', `schema_version must be "1", got ${JSON.stringify(a.schema_version)}`);
  if (!isUlid(a.action_id)) return fail('bad_ulid', `action_id ${JSON.stringify(a.action_id)} is not a ULID`);
  if (hint.tenant_id === undefined) return fail('bad_type', `tenant_id ${JSON.stringify(a.tenant_id)} must be non-empty and contain no ":"`);
  if (hint.correlation_id === undefined) return fail('bad_type', 'correlation_id must be non-empty');
  if (a.actor_id.length === 0) return fail('bad_type', 'actor_id must be non-empty');
  if (normalizeRfc3339(a.decided_at) === null) return fail('bad_timestamp', `decided_at ${JSON.stringify(a.decided_at)} is not an RFC 3339 timestamp between 1970 and 9000`);
  if (a.keep_until !== null && normalizeRfc3339(a.keep_until) === null)
    return fail('bad_timestamp', `keep_until ${JSON.stringify(a.keep_until)} is not an RFC 3339 timestamp between 1970 and 9000`);
  if (a.signature.length === 0) return fail('bad_type', 'signature must be non-empty');
  return { ok: true, value: a };
}

/** Which string field of the action is over its limit, as a reason; null when none is. */
function overlongField(a: OperatorActionV1): string | null {
  for (const [name, value] of Object.entries(a)) {
    const limit = name === 'reason' ? MAX_REASON_CHARS : MAX_FIELD_CHARS;
    if (typeof value === 'string' && value.length > limit) return `${name} is ${value.length} characters; it is limited to ${limit}`;
  }
  return null;
}

/** For the operator CLI: the Avro value and headers of a signed action. */
export function encodeOperatorAction(action: OperatorActionV1): Encoded {
  return encodeRecord('operator', action);
}
