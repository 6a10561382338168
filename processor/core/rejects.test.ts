/** Malformed inputs: each gives exactly a receipt and a dead letter with a reason, and nothing else. */
import test from 'ava';
import { FINGERPRINT_HEADER, SCHEMA_HEADER, SCHEMAS } from '../codec/index.js';
import { configWith, makeOperator, newUlid, RECORD_TIME, Run, telemetry, T0 } from '../testing/harness.js';
import { signAction } from '../operator-signing.js';
import type { OutputRecord } from './api.js';
import type { AuditRecordV1, DeadLetterV1 } from './types.js';
import { identityFromKey, MAX_KEY_IDENTITY_CHARS } from './identity.js';

function onlyReceiptAndDeadLetter(records: readonly OutputRecord[], kind: 'telemetry_rejected' | 'action_rejected') {
  const outputs = records.filter((r) => r.role !== 'state');
  if (outputs.length !== 2 || outputs[0]!.role !== 'audit' || outputs[1]!.role !== 'dlq') {
    throw new Error(`expected [audit, dlq], got ${outputs.map((r) => r.role).join(', ')}`);
  }
  const receipt = outputs[0]!.value as AuditRecordV1<'telemetry_rejected'>;
  if (receipt.event_kind !== kind) throw new Error(`expected ${kind}, got ${receipt.event_kind}`);
  return { receipt, deadLetter: outputs[1]!.value as DeadLetterV1, deadLetterKey: outputs[1]!.key };
}

const cases: [string, () => Uint8Array | Record<string, unknown> | null, string, RegExp][] = [
  ['not JSON', () => Buffer.from('{"event_id": nope'), 'not_json', /not valid UTF-8 JSON/],
  ['JSON but an array', () => Buffer.from('[1,2]'), 'not_object', /JSON array, not a TelemetryEventV1 object/],
  ['unknown field', () => telemetry({ colour: 'red' }), 'unknown_field', /unknown field "colour"/],
  ['unknown nested field', () => telemetry({ entity_refs: { host: 'h', mac: 'x' } }), 'unknown_field', /unknown field "entity_refs.mac"/],
  [
    'missing field',
    () => {
      const e = telemetry();
      delete e['trace_id'];
      return e;
    },
    'missing_field',
    /"trace_id" is missing/,
  ],
  ['bad ULID', () => telemetry({ event_id: 'not-a-ulid' }), 'bad_ulid', /event_id "not-a-ulid" is not a ULID/],
  ['bad severity', () => telemetry({ severity: 'urgent' }), 'bad_severity', /severity "urgent" is not one of low, medium, high, critical/],
  ['bad timestamp', () => telemetry({ observed_at: '2026-02-30T00:00:00Z' }), 'bad_timestamp', /observed_at "2026-02-30T00:00:00Z" is not an RFC 3339 timestamp/],
  ['wrong type', () => ({ ...telemetry(), cell_id: 7 }), 'bad_type', /cell_id must be a non-empty string, got 7/],
  ['no subject', () => telemetry({ entity_refs: {} }), 'no_subject', /no subject/],
  ['too large (2 MB)', () => Buffer.alloc(2 * 1024 * 1024, 0x20), 'too_large', /limited to 1048576 bytes/],
  ['null value', () => null, 'null_value', /no value/],
];

for (const [name, make, code, reason] of cases) {
  test(`telemetry rejected: ${name}`, (t) => {
    const run = new Run(configWith());
    const value = make();
    const out = run.telemetry(value, 'acme:corr-9');
    const { receipt, deadLetter, deadLetterKey } = onlyReceiptAndDeadLetter(out, 'telemetry_rejected');
    t.is(receipt.payload.reason_code, code);
    t.regex(receipt.payload.reason, reason);
    t.is(deadLetterKey, 'acme:corr-9');
    t.like(deadLetter, {
      reason_code: code,
      reason: receipt.payload.reason,
      source_topic: 'exoarmur.telemetry.v1',
      source_partition: 0,
      source_offset: '0',
      key: 'acme:corr-9',
      receipt_audit_id: receipt.audit_id,
      dead_letter_id: receipt.payload.dead_letter_id,
    });
    const raw = value === null ? null : value instanceof Uint8Array ? value : Buffer.from(JSON.stringify(value));
    t.is(deadLetter.value_size, raw === null ? 0 : raw.length);
    if (raw !== null && raw.length <= 768 * 1024) t.deepEqual(Buffer.from(deadLetter.value!), Buffer.from(raw), 'raw bytes unchanged');
    if (raw !== null && raw.length > 768 * 1024) t.true(deadLetter.value_truncated && deadLetter.value!.length === 64 * 1024);
    t.is(receipt.tenant_id, 'acme');
    t.is(
      receipt.correlation_id,
      code === 'no_subject' ||
        code === 'bad_ulid' ||
        code === 'bad_severity' ||
        code === 'bad_timestamp' ||
        code === 'unknown_field' ||
        code === 'missing_field' ||
        code === 'bad_type'
        ? 'corr-1'
        : 'corr-9',
    );
    // Redelivery of the same bytes: a duplicate receipt only, no second dead letter.
    const again = run.telemetry(value, 'acme:corr-9');
    t.deepEqual(
      again.filter((r) => r.role !== 'state').map((r) => (r.value as AuditRecordV1).event_kind),
      ['telemetry_duplicate'],
    );
  });
}

test('a rejected record without a readable key or tenant is filed under tenant "unknown"', (t) => {
  const out = new Run(configWith()).telemetry(Buffer.from('garbage'), null);
  const { receipt, deadLetter } = onlyReceiptAndDeadLetter(out, 'telemetry_rejected');
  t.like(receipt, { tenant_id: 'unknown', correlation_id: 'unknown', trace_id: null, event_time: RECORD_TIME });
  t.is(deadLetter.key, null);
  t.regex(receipt.idempotency_key, /^unknown:raw-sha256:[0-9a-f]{64}$/);
});

test('a rejected event with a valid observed_at keeps it as its event time; otherwise the Kafka timestamp', (t) => {
  const run = new Run(configWith());
  const bad = onlyReceiptAndDeadLetter(run.telemetry(telemetry({ severity: 'x', observed_at: '2026-05-05T05:05:05+02:00' })), 'telemetry_rejected');
  t.is(bad.receipt.event_time, '2026-05-05T03:05:05.000Z');
  const worse = onlyReceiptAndDeadLetter(run.telemetry(telemetry({ severity: 'x', observed_at: 'yesterday' })), 'telemetry_rejected');
  t.is(worse.receipt.event_time, RECORD_TIME);
});

test('operator topic: an unknown schema, a wrong fingerprint and undecodable Avro are receipts + dead letters', (t) => {
  const alice = makeOperator('alice');
  const run = new Run(configWith({}, [alice]));
  const good = signAction(
    {
      schema_version: '1',
      action_id: newUlid(),
      action: 'kill_switch_on',
      tenant_id: 'acme',
      correlation_id: 'ops',
      approval_id: null,
      intent_hash: null,
      scope: 'global',
      actor_id: 'alice',
      decided_at: T0,
      reason: 'r',
    },
    alice.privateKey,
  );
  const bytes = SCHEMAS.operator.type.toBuffer(good);
  const unknown = onlyReceiptAndDeadLetter(run.rawAction(bytes, { [SCHEMA_HEADER]: 'com.example.Other', [FINGERPRINT_HEADER]: 'ab' }), 'action_rejected');
  t.is(unknown.receipt.payload.reason_code, 'unknown_schema');
  t.regex(unknown.receipt.payload.reason, /schema "com.example.Other" is not exoarmur.OperatorActionV1/);
  const wrongPrint = onlyReceiptAndDeadLetter(
    run.rawAction(Buffer.concat([bytes, Buffer.from([0])]), { [SCHEMA_HEADER]: SCHEMAS.operator.name, [FINGERPRINT_HEADER]: '00'.repeat(32) }),
    'action_rejected',
  );
  t.regex(wrongPrint.receipt.payload.reason, /fingerprint 0000.* is not the known/);
  const missing = onlyReceiptAndDeadLetter(run.rawAction(Buffer.from('x'), {}), 'action_rejected');
  t.regex(missing.receipt.payload.reason, /header "exoarmur-schema" is missing/);
  const garbage = onlyReceiptAndDeadLetter(
    run.rawAction(Buffer.from([1, 2, 3]), { [SCHEMA_HEADER]: SCHEMAS.operator.name, [FINGERPRINT_HEADER]: SCHEMAS.operator.fingerprint }),
    'action_rejected',
  );
  t.is(garbage.receipt.payload.reason_code, 'bad_avro');
  const badId = signAction({ ...good, action_id: 'nope' }, alice.privateKey);
  const invalid = onlyReceiptAndDeadLetter(
    run.rawAction(SCHEMAS.operator.type.toBuffer(badId), { [SCHEMA_HEADER]: SCHEMAS.operator.name, [FINGERPRINT_HEADER]: SCHEMAS.operator.fingerprint }),
    'action_rejected',
  );
  t.is(invalid.receipt.payload.reason_code, 'bad_ulid');
  t.is(invalid.receipt.tenant_id, 'acme');
});

test('a rejected record whose key parts are longer than MAX_KEY_IDENTITY_CHARS is filed under "unknown", not a megabyte tenant', (t) => {
  t.deepEqual(identityFromKey(`${'t'.repeat(MAX_KEY_IDENTITY_CHARS + 1)}:corr`, undefined), { tenant_id: 'unknown', correlation_id: 'corr', trace_id: null });
  t.deepEqual(identityFromKey(`acme:${'c'.repeat(MAX_KEY_IDENTITY_CHARS + 1)}`, undefined), { tenant_id: 'acme', correlation_id: 'unknown', trace_id: null });
  t.deepEqual(identityFromKey(`${'t'.repeat(MAX_KEY_IDENTITY_CHARS)}:c`, undefined), { tenant_id: 't'.repeat(MAX_KEY_IDENTITY_CHARS), correlation_id: 'c', trace_id: null });
});

const kindsOf = (records: readonly OutputRecord[]): string[] =>
  records.filter((r) => r.role !== 'state').map((r) => (r.role === 'audit' ? (r.value as AuditRecordV1).event_kind : r.role));

test('an undecodable operator action redelivered: its receipt and dead letter once, then a duplicate receipt only', (t) => {
  const run = new Run(configWith());
  const first = run.rawAction(Buffer.from('{"action": "approve"'), {});
  t.deepEqual(kindsOf(first), ['action_rejected', 'dlq']);
  t.deepEqual(kindsOf(run.rawAction(Buffer.from('{"action": "approve"'), {})), ['action_duplicate']);
});
