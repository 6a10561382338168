/**
 * Hostile telemetry: what a broken or malicious sensor can put on the telemetry topic, each with
 * the receipt and reason code the processor must give it. Field lists come from the schema, so a
 * new field is bent the same way without touching this file.
 */
import { SCHEMAS, MAX_FIELD_CHARS, MAX_JSON_DEPTH, MAX_TELEMETRY_BYTES } from '../../processor/codec/index.js';
import { ACCEPTED_TELEMETRY, CORPUS_T0_MS, rejected, TelemetryCases, type Expected, type SeededRandom, type HostileRecord } from './corpus.js';

const TOP_FIELDS = SCHEMAS.telemetry.json.fields.map((f) => f.name);
const OBJECT_FIELDS = new Set(['source', 'entity_refs', 'attributes']);
const WRONG_VALUES: readonly [string, unknown][] = [
  ['number', 42],
  ['boolean', true],
  ['null', null],
  ['array', ['x']],
  ['object', { x: 1 }],
  ['empty string', ''],
  ['string', 'not-what-it-should-be'],
];

/** The reason code a wrong value of a top-level field must get; null when the value is in fact valid there. */
function wrongValueCode(field: string, value: unknown): string | null {
  if (field === 'schema_version') return 'bad_schema_version';
  if (field === 'severity') return 'bad_severity';
  if (OBJECT_FIELDS.has(field)) return typeof value === 'object' && value !== null && !Array.isArray(value) ? null : 'bad_type';
  if (typeof value !== 'string' || value === '') return 'bad_type';
  if (field === 'event_id') return 'bad_ulid';
  if (field === 'observed_at' || field === 'received_at') return 'bad_timestamp';
  return null;
}

function wrongTypes(cases: TelemetryCases): void {
  for (const field of TOP_FIELDS) {
    for (const [label, value] of WRONG_VALUES) {
      const code = wrongValueCode(field, value);
      if (code !== null) cases.add('wrong_type', `${field} as ${label}`, cases.event({ [field]: value }), rejected(code));
    }
    cases.add('wrong_type', `${field} missing`, cases.event({ [field]: undefined }), rejected('missing_field'));
  }
  for (const [parent, fields] of [
    ['source', ['kind', 'name', 'host', 'sensor_id']],
    ['entity_refs', ['host', 'user', 'process', 'ip', 'service']],
  ] as const) {
    for (const field of fields) {
      for (const [label, value] of WRONG_VALUES.filter(([, v]) => v !== null && typeof v !== 'string')) {
        const base = JSON.parse(cases.event({})) as Record<string, Record<string, unknown>>;
        cases.add('wrong_type', `${parent}.${field} as ${label}`, cases.event({ [parent]: { ...base[parent], [field]: value } }), rejected('bad_type'));
      }
    }
  }
  cases.add('wrong_type', 'entity_refs names no subject', cases.event({ entity_refs: { host: null, user: null, process: null, ip: null, service: null } }), rejected('no_subject'));
  for (const [label, text] of [
    ['array', '["a",1]'],
    ['string', '"a telemetry event"'],
    ['number', '42'],
    ['null', 'null'],
    ['boolean', 'true'],
  ] as const) {
    cases.add('wrong_type', `top level JSON ${label}`, text, rejected('not_object'));
  }
  cases.add('wrong_type', 'tombstone (null value)', null, rejected('null_value'));
}

function truncated(cases: TelemetryCases, random: SeededRandom): void {
  const cuts = new Set<number>();
  const text = cases.event({});
  for (const cut of [0, 1, text.length >> 2, text.length >> 1, text.length - 1]) cuts.add(cut);
  while (cuts.size < 10) cuts.add(1 + random.int(text.length - 2));
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    // Each cut of its own event, so no two records are the same bytes (which would be redeliveries).
    const own = cases.event({});
    cases.add('truncated_json', `cut at ${cut} of ${own.length} bytes`, own.slice(0, Math.min(cut, own.length - 1)), rejected('not_json'));
  }
}

function hugeValues(cases: TelemetryCases): void {
  const long = 'L'.repeat(MAX_FIELD_CHARS + 1);
  for (const field of ['tenant_id', 'cell_id', 'event_type', 'correlation_id', 'trace_id']) {
    cases.add('huge_values', `${field} of ${long.length} characters`, cases.event({ [field]: long }), rejected('too_long'));
  }
  const base = JSON.parse(cases.event({})) as Record<string, Record<string, unknown>>;
  cases.add('huge_values', `source.name of ${long.length} characters`, cases.event({ source: { ...base['source'], name: long } }), rejected('too_long'));
  cases.add('huge_values', `entity_refs.host of ${long.length} characters`, cases.event({ entity_refs: { ...base['entity_refs'], host: long } }), rejected('too_long'));
  cases.add('huge_values', `tenant_id of exactly ${MAX_FIELD_CHARS} characters`, cases.event({ tenant_id: 'T'.repeat(MAX_FIELD_CHARS) }), ACCEPTED_TELEMETRY);
  cases.add('huge_values', 'attributes holding a 900 KiB string', cases.event({ attributes: { blob: 'b'.repeat(900 * 1024) } }), ACCEPTED_TELEMETRY);
  const over = cases.event({ attributes: { blob: 'b'.repeat(MAX_TELEMETRY_BYTES) } });
  cases.add('huge_values', `a ${over.length}-byte event (limit ${MAX_TELEMETRY_BYTES})`, over, rejected('too_large'));
  cases.add('huge_values', 'a 3 MiB value of spaces', ' '.repeat(3 * 1024 * 1024), rejected('too_large'));
  cases.add('huge_values', 'a 3 MiB Kafka key in front of unreadable bytes', 'not json at all', rejected('not_json'), { key: `${'K'.repeat(3 * 1024 * 1024)}:corr` });
  cases.add(
    'huge_values',
    'attributes with 1e308 and a 2^64 integer',
    cases.event({}).replace(/"attributes":\{[^}]*\}/, '"attributes":{"big":1e308,"wide":18446744073709551616}'),
    ACCEPTED_TELEMETRY,
  );
}

function nested(depth: number): string {
  return `${'{"d":'.repeat(depth)}0${'}'.repeat(depth)}`;
}

function deepNesting(cases: TelemetryCases): void {
  // The event object is level 1 and attributes level 2, so attributes may hold MAX_JSON_DEPTH - 2 more.
  const at = (depth: number): string => cases.event({}).replace(/"attributes":\{[^}]*\}/, `"attributes":{"d":${nested(depth)}}`);
  cases.add('deep_nesting', `nesting exactly ${MAX_JSON_DEPTH} levels`, at(MAX_JSON_DEPTH - 2), ACCEPTED_TELEMETRY);
  cases.add('deep_nesting', `nesting ${MAX_JSON_DEPTH + 1} levels`, at(MAX_JSON_DEPTH - 1), rejected('too_deep'));
  cases.add('deep_nesting', 'attributes nested 100000 levels', at(100_000), rejected('too_deep'));
  cases.add('deep_nesting', 'a top-level array nested 200000 levels', `${'['.repeat(200_000)}${']'.repeat(200_000)}`, rejected('not_object'));
}

function invalidUtf8(cases: TelemetryCases): void {
  const event = (): Buffer => Buffer.from(cases.event({ tenant_id: 'tenant-#' }), 'utf8');
  const splice = (bad: number[]): Buffer => {
    const bytes = event();
    const at = bytes.indexOf('#');
    return Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at + 1)]);
  };
  for (const [label, bad] of [
    ['a 0xFF byte', [0xff]],
    ['an overlong "/" (C0 AF)', [0xc0, 0xaf]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
    ['a UTF-8-encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
    ['a lone continuation byte', [0x80]],
  ] as const) {
    cases.add('invalid_utf8', `tenant_id holding ${label}`, splice([...bad]), rejected('not_json'));
  }
  cases.add('invalid_utf8', 'UTF-16LE text', Buffer.from(cases.event({}), 'utf16le'), rejected('not_json'));
  cases.add('invalid_utf8', 'tenant_id with an escaped lone high surrogate', cases.event({}).replace(/"tenant_id":"[^"]*"/, '"tenant_id":"t\\ud800x"'), rejected('bad_unicode'));
  cases.add(
    'invalid_utf8',
    'attributes with an escaped lone low surrogate',
    cases.event({}).replace(/"attributes":\{[^}]*\}/, '"attributes":{"s":"\\udc00"}'),
    rejected('bad_unicode'),
  );
  cases.add(
    'invalid_utf8',
    'attributes with an escaped surrogate pair (valid)',
    cases.event({}).replace(/"attributes":\{[^}]*\}/, '"attributes":{"s":"\\ud83d\\ude00"}'),
    ACCEPTED_TELEMETRY,
  );
}

function nulBytes(cases: TelemetryCases): void {
  cases.add('nul_bytes', 'a raw NUL inside tenant_id', cases.event({ tenant_id: 'tenant-#' }).replace('#', '\u0000'), rejected('not_json'));
  cases.add('nul_bytes', 'a NUL before the JSON', `\u0000${cases.event({})}`, rejected('not_json'));
  cases.add('nul_bytes', '1000 NUL bytes', Buffer.alloc(1000), rejected('not_json'));
  cases.add('nul_bytes', 'an escaped NUL in attributes', cases.event({}).replace(/"attributes":\{[^}]*\}/, '"attributes":{"s":"a\\u0000b"}'), ACCEPTED_TELEMETRY);
}

function numbers(cases: TelemetryCases): void {
  const attrs = (body: string): string => cases.event({}).replace(/"attributes":\{[^}]*\}/, `"attributes":{${body}}`);
  for (const literal of [
    '1e309',
    '-1e309',
    '1e-400',
    '123456789e999',
    '0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001',
  ]) {
    cases.add(
      'unrepresentable_numbers',
      `attributes.x = ${literal.length > 20 ? `${literal.slice(0, 12)}…(${literal.length} chars)` : literal}`,
      attrs(`"x":${literal}`),
      rejected('unrepresentable_number'),
    );
  }
  cases.add('unrepresentable_numbers', 'attributes.confidence = 1e309', attrs('"confidence":1e309'), rejected('unrepresentable_number'));
  cases.add('unrepresentable_numbers', 'severity = 1e309', cases.event({}).replace('"severity":"low"', '"severity":1e309'), rejected('unrepresentable_number'));
  cases.add('unrepresentable_numbers', 'attributes.x = -0 and 0e999 (zero, representable)', attrs('"x":-0,"y":0e999'), ACCEPTED_TELEMETRY);
}

function duplicateKeys(cases: TelemetryCases): void {
  const text = (): string => cases.event({});
  cases.add('duplicate_keys', 'severity twice (low, then critical)', text().replace('"severity":"low"', '"severity":"low","severity":"critical"'), rejected('duplicate_key'));
  cases.add('duplicate_keys', 'tenant_id twice', text().replace(/"tenant_id":"[^"]*"/, '"tenant_id":"tenant-a","tenant_id":"tenant-b"'), rejected('duplicate_key'));
  cases.add(
    'duplicate_keys',
    'a key repeated inside attributes',
    text().replace(/"attributes":\{[^}]*\}/, '"attributes":{"confidence":0.1,"confidence":0.99}'),
    rejected('duplicate_key'),
  );
  cases.add(
    'duplicate_keys',
    'entity_refs.host as "host" and "\\u0068ost"',
    text().replace('"entity_refs":{"host":', '"entity_refs":{"\\u0068ost":"decoy","host":'),
    rejected('duplicate_key'),
  );
  cases.add(
    'duplicate_keys',
    'the same key in sibling objects (not a duplicate)',
    text().replace(/"attributes":\{[^}]*\}/, '"attributes":{"a":{"k":1},"b":{"k":2}}'),
    ACCEPTED_TELEMETRY,
  );
}

function prototypeKeys(cases: TelemetryCases): void {
  const text = (): string => cases.event({});
  for (const name of ['__proto__', 'constructor', 'prototype']) {
    cases.add('proto_keys', `top-level "${name}"`, text().replace('{', `{"${name}":{"severity":"critical"},`), rejected('unknown_field'));
  }
  cases.add('proto_keys', 'entity_refs."__proto__"', text().replace('"entity_refs":{', '"entity_refs":{"__proto__":{"host":"x"},'), rejected('unknown_field'));
  cases.add('proto_keys', 'source."constructor"', text().replace('"source":{', '"source":{"constructor":"x",'), rejected('unknown_field'));
  cases.add(
    'proto_keys',
    'attributes."__proto__" and "constructor" (opaque, kept)',
    text().replace(/"attributes":\{[^}]*\}/, '"attributes":{"__proto__":{"confidence":0.99},"constructor":{"prototype":1}}'),
    ACCEPTED_TELEMETRY,
  );
  for (const [field, value] of [
    ['event_type', '__proto__'],
    ['event_type', 'hasOwnProperty'],
    ['tenant_id', 'constructor'],
    ['cell_id', '__proto__'],
  ] as const) {
    cases.add('proto_keys', `${field} = "${value}"`, cases.event({ [field]: value }), ACCEPTED_TELEMETRY);
  }
}

function timestampEdges(cases: TelemetryCases): void {
  const edges: [string, string, Expected][] = [
    ['observed_at', '1970-01-01T00:00:00.000Z', rejected('beyond_dedupe_window')],
    ['observed_at', '1969-12-31T23:59:59.999Z', rejected('bad_timestamp')],
    ['observed_at', '8999-12-31T23:59:59.999Z', rejected('event_time_in_future')],
    ['observed_at', '9000-01-01T00:00:00.000Z', rejected('bad_timestamp')],
    ['observed_at', '2026-02-29T00:00:00Z', rejected('bad_timestamp')],
    ['observed_at', '2028-02-29T00:00:00Z', rejected('event_time_in_future')],
    ['observed_at', '2016-12-31T23:59:60Z', rejected('bad_timestamp')],
    ['observed_at', '2026-01-01T24:00:00Z', rejected('bad_timestamp')],
    ['observed_at', '2026-01-01T00:00:00', rejected('bad_timestamp')],
    ['observed_at', '2026-01-01', rejected('bad_timestamp')],
    ['observed_at', '2026-03-01T12:00:00+14:00', ACCEPTED_TELEMETRY],
    ['observed_at', '2026-03-01T12:00:00.123456789Z', ACCEPTED_TELEMETRY],
    // The record timestamp (CORPUS_RECORD_TIME_MS, 14:00) + policy.max_future_skew_s (300 s): on the edge, and 1 ms past it.
    ['observed_at', '2026-03-01T14:05:00.000Z', ACCEPTED_TELEMETRY],
    ['observed_at', '2026-03-01T14:05:00.001Z', rejected('event_time_in_future')],
    ['observed_at', '+002026-01-01T00:00:00Z', rejected('bad_timestamp')],
    ['received_at', '0000-01-01T00:00:00Z', rejected('bad_timestamp')],
    ['received_at', '275760-09-13T00:00:00Z', rejected('bad_timestamp')],
  ];
  for (const [field, value, expect] of edges) cases.add('timestamp_edges', `${field} = ${value}`, cases.event({ [field]: value }), expect);
}

function headers(cases: TelemetryCases): void {
  cases.add('oversized_headers', 'a valid event with one 512 KiB header (headers are not read)', cases.event({}), ACCEPTED_TELEMETRY, {
    headers: { 'x-padding': Buffer.alloc(512 * 1024, 0x68) },
  });
  const many: Record<string, Buffer> = {};
  for (let i = 0; i < 2000; i++) many[`x-h-${i}`] = Buffer.from(`v${i}`);
  cases.add('oversized_headers', 'a valid event with 2000 headers', cases.event({}), ACCEPTED_TELEMETRY, { headers: many });
}

export function telemetryCases(random: SeededRandom): HostileRecord[] {
  const cases = new TelemetryCases(random);
  truncated(cases, random);
  wrongTypes(cases);
  hugeValues(cases);
  deepNesting(cases);
  invalidUtf8(cases);
  nulBytes(cases);
  numbers(cases);
  duplicateKeys(cases);
  prototypeKeys(cases);
  // The same bytes twice on one partition: the second is a redelivery, whatever the bytes are. Sent
  // before the timestamp edges, whose accepted ones move stream time (up to the skew edge).
  const again = cases.records.find((r) => r.name.startsWith('cut at'))!;
  const valid = cases.event({}, CORPUS_T0_MS);
  cases.add('redelivery', 'a valid event', valid, ACCEPTED_TELEMETRY);
  const first = cases.records[cases.records.length - 1]!;
  cases.records.push({ ...first, name: 'the same valid event again', expect: { receipt: 'telemetry_duplicate', reason_code: null } });
  cases.records.push({ ...again, class: 'redelivery', name: `${again.name}, delivered again`, expect: { receipt: 'telemetry_duplicate', reason_code: null } });
  timestampEdges(cases);
  headers(cases);
  return cases.records;
}
