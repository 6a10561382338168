import test from 'ava';
import { makeOperator, newUlid, T0 } from '../testing/harness.js';
import { signAction } from '../operator-signing.js';
import { playScenario } from '../testing/scenario.js';
import type { AuditRecordV1 } from '../core/types.js';
import { decodeOperatorAction, decodeRecord, encodeOperatorAction, encodeRecord, FINGERPRINT_HEADER, SCHEMA_HEADER, SCHEMAS, decodeTelemetry, toCoreInput } from './index.js';

const alice = makeOperator('alice');
const bob = makeOperator('bob');

test('the scenario reaches every audit event kind', (t) => {
  const run = playScenario(alice, bob);
  const seen = new Set(run.audits().map((a) => a.event_kind));
  const all = (SCHEMAS.audit.json.fields.find((f) => f.name === 'event_kind')!.type as { symbols: string[] }).symbols;
  t.deepEqual(
    all.filter((k) => !seen.has(k as AuditRecordV1['event_kind'])),
    [],
  );
});

test('every emitted record validates against its Avro schema and decode(encode(r)) deep-equals r', (t) => {
  const run = playScenario(alice, bob);
  const roles = new Set<string>();
  for (const record of run.all) {
    roles.add(record.role);
    const encoded = encodeRecord(record.role, record.value);
    if (record.value !== null) t.true(SCHEMAS[record.role].type.isValid(SCHEMAS[record.role].type.fromBuffer(encoded.value!)));
    t.is(encoded.headers[SCHEMA_HEADER], SCHEMAS[record.role].name);
    t.is(encoded.headers[FINGERPRINT_HEADER], SCHEMAS[record.role].fingerprint);
    const decoded = decodeRecord('auto', encoded.value, encoded.headers);
    t.true(decoded.ok);
    if (decoded.ok) t.deepEqual(decoded.value, record.value);
  }
  t.deepEqual([...roles].sort(), ['audit', 'dlq', 'execute', 'state']);
});

test('audit JSON form is the plain payload object (union branch unwrapped)', (t) => {
  const run = playScenario(alice, bob);
  const first = run.audits()[0]!;
  const decoded = decodeRecord('audit', encodeRecord('audit', first).value);
  t.true(decoded.ok);
  if (decoded.ok) t.deepEqual(Object.keys((decoded.value as AuditRecordV1).payload).sort(), Object.keys(first.payload).sort());
});

test('operator actions and config snapshots round-trip; a state tombstone encodes to null', (t) => {
  const action = signAction(
    {
      schema_version: '1',
      action_id: newUlid(),
      action: 'deny',
      tenant_id: 'acme',
      correlation_id: 'c',
      approval_id: newUlid(),
      intent_hash: 'f'.repeat(64),
      scope: null,
      actor_id: 'alice',
      decided_at: T0,
      reason: 'no',
    },
    alice.privateKey,
  );
  const enc = encodeOperatorAction(action);
  t.deepEqual(decodeOperatorAction(enc.value, enc.headers), { ok: true, value: action });
  const snap = { config_hash: 'a'.repeat(64), config: '{"a":1}', captured_at: T0 };
  const encSnap = encodeRecord('config', snap);
  t.deepEqual(decodeRecord('config', encSnap.value), { ok: true, value: snap });
  t.deepEqual(decodeRecord('exoarmur.ConfigSnapshotV1', encSnap.value), { ok: true, value: snap });
  t.like(decodeRecord('exoarmur.Nope', encSnap.value), { ok: false, reason: 'no Avro record schema is called "exoarmur.Nope"' });
  t.is(encodeRecord('state', null).value, null);
  t.deepEqual(decodeRecord('state', null), { ok: true, value: null });
  t.throws(() => encodeRecord('audit', { audit_id: 1 }), { message: /AuditRecordV1 record is invalid/ });
});

test('toCoreInput normalises key, Kafka timestamp and headers given as Buffers', (t) => {
  const action = signAction(
    {
      schema_version: '1',
      action_id: newUlid(),
      action: 'kill_switch_off',
      tenant_id: 'acme',
      correlation_id: 'c',
      approval_id: null,
      intent_hash: null,
      scope: 'global',
      actor_id: 'alice',
      decided_at: T0,
      reason: 'done',
    },
    alice.privateKey,
  );
  const enc = encodeOperatorAction(action);
  const headers = Object.fromEntries(Object.entries(enc.headers).map(([k, v]) => [k, Buffer.from(v)]));
  const input = toCoreInput(
    'operator',
    { topic: 'ops', partition: 2, offset: '17', key: Buffer.from('acme:c'), value: enc.value, headers, timestamp: '1767225600123' },
    1767225600999,
  );
  t.like(input, {
    source: 'operator',
    topic: 'ops',
    partition: 2,
    offset: '17',
    key: 'acme:c',
    kafka_timestamp: '2026-01-01T00:00:00.123Z',
    process_time: '2026-01-01T00:00:00.999Z',
  });
  t.deepEqual(input.decoded, { ok: true, value: action });
});

test('telemetry times are normalised to UTC milliseconds with Z; optional fields become null', (t) => {
  const ev = {
    schema_version: '1',
    event_id: newUlid(),
    tenant_id: 't',
    cell_id: 'c',
    observed_at: '2026-01-01T01:00:00.5+01:00',
    received_at: '2026-01-01T00:00:01Z',
    source: { kind: 'k', name: 'n' },
    event_type: 'e',
    severity: 'low',
    attributes: { nested: { a: [1] } },
    entity_refs: { host: 'h' },
    correlation_id: 'x',
    trace_id: 'y',
  };
  const d = decodeTelemetry(Buffer.from(JSON.stringify(ev)));
  t.true(d.ok);
  if (!d.ok) return;
  t.is(d.value.observed_at, '2026-01-01T00:00:00.500Z');
  t.is(d.value.received_at, '2026-01-01T00:00:01.000Z');
  t.deepEqual(d.value.source, { kind: 'k', name: 'n', host: null, sensor_id: null });
  t.deepEqual(d.value.entity_refs, { host: 'h', user: null, process: null, ip: null, service: null });
});
