/**
 * TelemetryEventV1 JSON decoding (DESIGN §2): unknown fields rejected, every field validated,
 * times normalised to RFC 3339 UTC ms "Z", at most 1 MiB. Failures carry a reason a human
 * understands and whatever identity could still be read (for the receipt and dead letter).
 */
import type { Decoded, DecodeHint } from '../core/api.js';
import { isUlid } from '../core/ids.js';
import { normalizeRfc3339 } from '../core/time.js';
import { SEVERITIES, type JsonValue, type Severity, type TelemetryEventV1 } from '../core/types.js';
import { firstJsonFlaw } from './json-scan.js';
import { SCHEMAS } from './schemas.js';

export const MAX_TELEMETRY_BYTES = 1024 * 1024;
/**
 * Longest string field, in UTF-16 units. Identifiers and names are copied into several audit
 * records, state keys and Kafka keys per event: unbounded, one 1 MiB tenant_id makes a ~30 MB
 * transaction whose records outgrow the output topics' message limit and halt the processor.
 * `attributes` are not copied anywhere and are bounded only by MAX_TELEMETRY_BYTES.
 */
export const MAX_FIELD_CHARS = 1024;

/** Field lists come from schemas/telemetry_event_v1.avsc, the one source of truth. */
const telemetryJson = SCHEMAS.telemetry.json;
const TOP_FIELDS = telemetryJson.fields.map((f) => f.name);
function subFields(name: string): string[] {
  const field = telemetryJson.fields.find((f) => f.name === name);
  return ((field?.type as { fields: { name: string }[] }).fields ?? []).map((f) => f.name);
}
const SOURCE_FIELDS = subFields('source');
const ENTITY_FIELDS = subFields('entity_refs');

class Invalid extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeTelemetry(bytes: Uint8Array | null): Decoded<TelemetryEventV1> {
  const parsed = parseJsonObject(bytes, 'TelemetryEventV1', hintOf);
  if (!parsed.ok) return parsed;
  const obj = parsed.value;
  try {
    return { ok: true, value: validate(obj) };
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    return { ok: false, reason_code: err.code, reason: err.message, hint: hintOf(obj) };
  }
}

/**
 * A telemetry value as a JSON object: present, at most 1 MiB, UTF-8, JSON, an object, free of the
 * flaws firstJsonFlaw finds. Shared by the native format and every sensor format, so their size,
 * encoding and strictness rules are one; `hintFor` reads what identity the object still gives.
 */
export function parseJsonObject(bytes: Uint8Array | null, what: string, hintFor: (obj: Record<string, unknown>) => DecodeHint = () => ({})): Decoded<Record<string, unknown>> {
  if (bytes === null) return { ok: false, reason_code: 'null_value', reason: 'the record has no value (a tombstone); telemetry must be a JSON object' };
  if (bytes.length > MAX_TELEMETRY_BYTES) {
    return { ok: false, reason_code: 'too_large', reason: `the value is ${bytes.length} bytes; telemetry is limited to ${MAX_TELEMETRY_BYTES} bytes (1 MiB)` };
  }
  let parsed: unknown;
  let text: string;
  try {
    text = utf8.decode(bytes);
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason_code: 'not_json', reason: `the value is not valid UTF-8 JSON: ${(err as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return {
      ok: false,
      reason_code: 'not_object',
      reason: `the value is JSON ${Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed}, not a ${what} object`,
    };
  }
  const obj = parsed as Record<string, unknown>;
  const flaw = firstJsonFlaw(text);
  // A repeated key leaves the identity ambiguous and a lone surrogate may sit in it: neither is trusted as a hint.
  if (flaw !== null) return { ok: false, reason_code: flaw.code, reason: flaw.message, hint: flaw.code === 'duplicate_key' || flaw.code === 'bad_unicode' ? {} : hintFor(obj) };
  return { ok: true, value: obj };
}

function validate(obj: Record<string, unknown>): TelemetryEventV1 {
  onlyKnown(obj, TOP_FIELDS, 'TelemetryEventV1');
  for (const f of TOP_FIELDS) if (!(f in obj)) throw new Invalid('missing_field', `required field "${f}" is missing`);
  if (obj['schema_version'] !== '1') throw new Invalid('bad_schema_version', `schema_version must be the string "1", got ${show(obj['schema_version'])}`);
  const eventId = str(obj, 'event_id');
  if (!isUlid(eventId)) throw new Invalid('bad_ulid', `event_id ${show(eventId)} is not a ULID (26 upper-case Crockford base32 characters)`);
  const tenantId = identifier(obj, 'tenant_id');
  const correlationId = identifier(obj, 'correlation_id');
  const severity = obj['severity'];
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity as Severity)) {
    throw new Invalid('bad_severity', `severity ${show(severity)} is not one of ${SEVERITIES.join(', ')}`);
  }
  const source = record(obj, 'source', SOURCE_FIELDS);
  const refs = record(obj, 'entity_refs', ENTITY_FIELDS);
  const attributes = obj['attributes'];
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new Invalid('bad_type', `attributes must be a JSON object, got ${show(attributes)}`);
  }
  return {
    schema_version: '1',
    event_id: eventId,
    tenant_id: tenantId,
    cell_id: str(obj, 'cell_id'),
    observed_at: time(obj, 'observed_at'),
    received_at: time(obj, 'received_at'),
    source: {
      kind: str(source, 'kind', 'source.'),
      name: str(source, 'name', 'source.'),
      host: optStr(source, 'host', 'source.'),
      sensor_id: optStr(source, 'sensor_id', 'source.'),
    },
    event_type: str(obj, 'event_type'),
    severity: severity as Severity,
    attributes: attributes as { [key: string]: JsonValue },
    entity_refs: {
      host: optStr(refs, 'host', 'entity_refs.'),
      user: optStr(refs, 'user', 'entity_refs.'),
      process: optStr(refs, 'process', 'entity_refs.'),
      ip: optStr(refs, 'ip', 'entity_refs.'),
      service: optStr(refs, 'service', 'entity_refs.'),
    },
    correlation_id: correlationId,
    trace_id: str(obj, 'trace_id'),
  };
}

function onlyKnown(obj: Record<string, unknown>, known: string[], what: string, prefix = ''): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) throw new Invalid('unknown_field', `unknown field "${prefix}${k}" (${what} allows only: ${known.join(', ')})`);
  }
}

function record(obj: Record<string, unknown>, name: string, fields: string[]): Record<string, unknown> {
  const v = obj[name];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Invalid('bad_type', `${name} must be a JSON object, got ${show(v)}`);
  onlyKnown(v as Record<string, unknown>, fields, name, `${name}.`);
  return v as Record<string, unknown>;
}

function str(obj: Record<string, unknown>, name: string, prefix = ''): string {
  const v = obj[name];
  if (v === undefined) throw new Invalid('missing_field', `required field "${prefix}${name}" is missing`);
  if (typeof v !== 'string' || v.length === 0) throw new Invalid('bad_type', `${prefix}${name} must be a non-empty string, got ${show(v)}`);
  return bounded(v, `${prefix}${name}`);
}

/** Tenant and correlation ids form Kafka keys `tenant:correlation`, so the tenant may not contain ':'. */
function identifier(obj: Record<string, unknown>, name: string): string {
  const v = str(obj, name);
  if (name === 'tenant_id' && v.includes(':')) throw new Invalid('bad_type', `tenant_id ${show(v)} may not contain ":" (keys are tenant_id:correlation_id)`);
  return v;
}

function optStr(obj: Record<string, unknown>, name: string, prefix: string): string | null {
  const v = obj[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length === 0) throw new Invalid('bad_type', `${prefix}${name} must be a non-empty string or null, got ${show(v)}`);
  return bounded(v, `${prefix}${name}`);
}

function bounded(v: string, name: string): string {
  if (v.length > MAX_FIELD_CHARS) throw new Invalid('too_long', `${name} is ${v.length} characters; string fields are limited to ${MAX_FIELD_CHARS}`);
  return v;
}

function time(obj: Record<string, unknown>, name: string): string {
  const v = str(obj, name);
  const normalized = normalizeRfc3339(v);
  if (normalized === null) throw new Invalid('bad_timestamp', `${name} ${show(v)} is not an RFC 3339 timestamp between 1970 and 9000 (e.g. 2026-01-02T03:04:05.678Z)`);
  return normalized;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Identity a rejected event still carries, when each piece is individually valid. */
function hintOf(obj: Record<string, unknown>): DecodeHint {
  const hint: DecodeHint = {};
  const s = (k: string): string | undefined => {
    const v = obj[k];
    return typeof v === 'string' && v.length > 0 && v.length <= MAX_FIELD_CHARS ? v : undefined;
  };
  const tenant = s('tenant_id');
  if (tenant !== undefined && !tenant.includes(':')) hint.tenant_id = tenant;
  const correlation = s('correlation_id');
  if (correlation !== undefined) hint.correlation_id = correlation;
  const trace = s('trace_id');
  if (trace !== undefined) hint.trace_id = trace;
  const eventId = s('event_id');
  if (eventId !== undefined && isUlid(eventId)) hint.event_id = eventId;
  const cell = s('cell_id');
  if (cell !== undefined) hint.cell_id = cell;
  const observed = s('observed_at');
  const normalized = observed === undefined ? null : normalizeRfc3339(observed);
  if (normalized !== null) hint.observed_at = normalized;
  return hint;
}
