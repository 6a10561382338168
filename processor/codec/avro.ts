/**
 * Avro binary encoding of every output and operator record, with the schema-name and
 * fingerprint headers. The JSON form is the plain object: audit payloads are wrapped into their
 * union branch on encode and unwrapped on decode (the branch follows from event_kind), and bytes
 * come back as a plain Uint8Array, so decode(encode(r)) deep-equals r.
 */
import type avro from 'avsc';
import type { Decoded } from '../core/api.js';
import { IDEMPOTENCY_MARK } from '../core/state.js';
import { PAYLOAD_TYPE_OF_KIND, type AuditEventKind, type AuditRecordV1 } from '../core/types.js';
import { FINGERPRINT_HEADER, SCHEMA_HEADER, SCHEMAS, schemaByName, type LoadedSchema, type SchemaRole } from './schemas.js';

export type RecordRole = Exclude<SchemaRole, 'telemetry'>;
export type HeaderValue = string | Buffer | Uint8Array | (string | Buffer)[] | undefined;
export type InputHeaders = Record<string, HeaderValue>;

export interface Encoded {
  value: Buffer | null;
  headers: Record<string, string>;
}

function toJsonForm(role: RecordRole, value: unknown): unknown {
  if (role === 'audit') {
    const r = value as AuditRecordV1;
    return { ...r, payload: { [PAYLOAD_TYPE_OF_KIND[r.event_kind]]: r.payload } };
  }
  if (role === 'dlq') {
    const v = (value as { value: Uint8Array | null }).value;
    return { ...(value as object), value: v === null ? null : Buffer.from(v.buffer, v.byteOffset, v.length) };
  }
  return value;
}

function fromAvroForm(role: RecordRole, value: Record<string, unknown>): unknown {
  // avsc returns record instances; spread them into plain objects all the way down.
  const plain = plainify(value) as Record<string, unknown>;
  if (role === 'audit') {
    const payload = plain['payload'] as Record<string, unknown>;
    const branch = PAYLOAD_TYPE_OF_KIND[plain['event_kind'] as AuditEventKind];
    plain['payload'] = payload[branch];
  }
  return plain;
}

function plainify(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Buffer.isBuffer(v)) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.length));
  if (Array.isArray(v)) return v.map(plainify);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = plainify((v as Record<string, unknown>)[k]);
  return out;
}

/** One frozen header object per schema: every record of a role carries the same two headers. */
const headersBySchema = new Map<LoadedSchema, Readonly<Record<string, string>>>();

function headersOf(schema: LoadedSchema): Record<string, string> {
  let headers = headersBySchema.get(schema);
  if (headers === undefined) {
    headers = Object.freeze({ [SCHEMA_HEADER]: schema.name, [FINGERPRINT_HEADER]: schema.fingerprint });
    headersBySchema.set(schema, headers);
  }
  return headers as Record<string, string>;
}

/**
 * Records are encoded back to back into shared slabs and handed out as views: avsc's toBuffer
 * allocates a zeroed, unpooled buffer per record (and encodes twice above 1 KiB), which was a
 * tenth of the shell's encode time. A view keeps its slab alive only as long as the view.
 */
const SLAB_BYTES = 256 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabPos = 0;

function encodeIntoSlab(schema: LoadedSchema, form: unknown): Buffer {
  for (;;) {
    // avsc's _write checks every value's type and throws on a mismatch; a negative result means
    // the slab was short by that many bytes.
    const end = schema.type.encode(form, slab, slabPos);
    if (end >= 0) {
      const view = slab.subarray(slabPos, end);
      slabPos = end;
      return view;
    }
    const recordBytes = slab.length - slabPos - end;
    slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, recordBytes));
    slabPos = 0;
  }
}

function invalidPaths(schema: LoadedSchema, form: unknown): string {
  const paths: string[] = [];
  schema.type.isValid(form, { errorHook: (path: string[], v: unknown) => paths.push(`${path.join('.')}=${JSON.stringify(v)?.slice(0, 60)}`) });
  return paths.join('; ');
}

/**
 * Encodes a record of the given role. A state tombstone (value null) encodes to a null value.
 * Throws a TypeError naming the first invalid path: the core only emits valid records, so this is a bug.
 */
export function encodeRecord(role: RecordRole, value: unknown): Encoded {
  const schema = SCHEMAS[role];
  if (value === null) {
    if (role !== 'state') throw new TypeError(`only state records may be tombstones, not ${role}`);
    return { value: null, headers: headersOf(schema) };
  }
  const form = toJsonForm(role, value);
  let bytes: Buffer;
  try {
    bytes = encodeIntoSlab(schema, form);
  } catch {
    throw new TypeError(`${schema.name} record is invalid at ${invalidPaths(schema, form)}`);
  }
  return { value: bytes, headers: headersOf(schema) };
}

export function headerString(v: HeaderValue): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.length === 0 ? undefined : headerString(v[v.length - 1]);
  return typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
}

/** A header value as a reason quotes it: headers are the sender's, and may be megabytes. */
function clipHeader(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}... (${value.length} characters)` : value;
}

/**
 * How to read bytes a header's fingerprint says were written with one version of a schema: the
 * current version reads them as they are, an older one (schemas/history/) through an Avro resolver
 * into the current version, so every reader downstream sees one shape. Undefined: not a version we
 * know (a newer writer, or a schema that was never ours).
 */
const resolvers = new Map<string, avro.Resolver | null>();

function readerFor(schema: LoadedSchema, fingerprint: string): avro.Resolver | null | undefined {
  if (fingerprint === schema.fingerprint) return null;
  const key = `${schema.role}@${fingerprint}`;
  const cached = resolvers.get(key);
  if (cached !== undefined) return cached;
  const writer = schema.history.get(fingerprint);
  if (writer === undefined) return undefined;
  const resolver = schema.type.createResolver(writer);
  resolvers.set(key, resolver);
  return resolver;
}

/** Kept word for word: the reason lands in audit records, and replay of an old run compares them. */
function unknownVersion(schema: LoadedSchema, fingerprint: string): { ok: false; reason_code: string; reason: string } {
  return {
    ok: false,
    reason_code: 'unknown_schema',
    reason: `schema "${schema.name}" fingerprint ${clipHeader(fingerprint)} is not the known ${schema.fingerprint}; the writer used another version of the schema`,
  };
}

/** Which schema the headers name, checked against its known fingerprints; a reason if unknown. */
export function schemaFromHeaders(headers: InputHeaders | undefined, expected?: RecordRole): Decoded<LoadedSchema> {
  const name = headerString(headers?.[SCHEMA_HEADER]);
  const fingerprint = headerString(headers?.[FINGERPRINT_HEADER]);
  const expectedName = expected === undefined ? undefined : SCHEMAS[expected].name;
  if (name === undefined) {
    return { ok: false, reason_code: 'unknown_schema', reason: `header "${SCHEMA_HEADER}" is missing; expected ${expectedName ?? 'an exoarmur schema name'}` };
  }
  const schema = schemaByName(name);
  if (schema === undefined || (expected !== undefined && schema.role !== expected)) {
    return { ok: false, reason_code: 'unknown_schema', reason: `schema "${clipHeader(name)}" is not ${expectedName ?? 'a known exoarmur schema'}` };
  }
  if (fingerprint === undefined) return unknownVersion(schema, '(missing)');
  if (readerFor(schema, fingerprint) === undefined) return unknownVersion(schema, fingerprint);
  return { ok: true, value: schema };
}

/**
 * Decodes Avro bytes of a role, a schema full name (exoarmur.AuditRecordV1), or 'auto' (the
 * schema the headers name). When the headers carry a fingerprint, the bytes are read as that
 * version (an older one resolved into the current shape, an unknown one refused); without one
 * they are read as the current version. Null bytes decode to null (a tombstone). Unreadable
 * bytes give a reason rather than an exception.
 */
export function decodeRecord(role: RecordRole | 'auto' | string, bytes: Uint8Array | null, headers?: InputHeaders): Decoded<unknown> {
  let schema: LoadedSchema;
  if (role === 'auto') {
    const named = schemaFromHeaders(headers);
    if (!named.ok) return named;
    schema = named.value;
  } else if (Object.prototype.hasOwnProperty.call(SCHEMAS, role) && role !== 'telemetry') {
    schema = SCHEMAS[role as RecordRole];
  } else {
    const byName = schemaByName(role);
    if (byName === undefined || byName.role === 'telemetry') return { ok: false, reason_code: 'unknown_schema', reason: `no Avro record schema is called "${role}"` };
    schema = byName;
  }
  if (bytes === null) return { ok: true, value: null };
  const fingerprint = headerString(headers?.[FINGERPRINT_HEADER]);
  const resolver = fingerprint === undefined ? null : readerFor(schema, fingerprint);
  if (resolver === undefined) return unknownVersion(schema, fingerprint!);
  // Idempotency marks are most of a state topic (one per consumed key): recognise their fixed bytes.
  if (schema.role === 'state' && resolver === null && isIdempotencyMark(bytes)) return { ok: true, value: IDEMPOTENCY_MARK };
  try {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const value = resolver === null ? schema.type.fromBuffer(buf) : schema.type.fromBuffer(buf, resolver);
    return { ok: true, value: fromAvroForm(schema.role as RecordRole, value as Record<string, unknown>) };
  } catch (err) {
    return { ok: false, reason_code: 'bad_avro', reason: `the value is not a valid ${schema.name} Avro record: ${(err as Error).message}` };
  }
}

/**
 * The bytes of a record as the current version of its schema writes them: unchanged when the
 * headers name the current version (or none), decoded through the resolver and re-encoded when
 * they name an older one. Stores that keep bare values without headers (the task's local state
 * store) hold only current-version bytes this way.
 */
export function toCurrentVersion(role: RecordRole, bytes: Buffer, headers: InputHeaders | undefined): Decoded<Buffer> {
  const fingerprint = headerString(headers?.[FINGERPRINT_HEADER]);
  if (fingerprint === undefined || fingerprint === SCHEMAS[role].fingerprint) return { ok: true, value: bytes };
  const decoded = decodeRecord(role, bytes, headers);
  if (!decoded.ok) return decoded;
  return { ok: true, value: Buffer.from(encodeRecord(role, decoded.value).value!) };
}

let markBytes: Buffer | undefined;

/** True when the bytes are exactly the encoded idempotency mark (most of a state topic). */
export function isIdempotencyMark(bytes: Uint8Array): boolean {
  markBytes ??= SCHEMAS.state.type.toBuffer(IDEMPOTENCY_MARK);
  if (bytes.length !== markBytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== markBytes[i]) return false;
  return true;
}
