/**
 * Who an input is and its idempotency key, whole, for each kind of input; and the identity taken
 * from a Kafka key when the value cannot be read, at each edge: no key, no colon, a colon first,
 * an empty part, a part of exactly MAX_KEY_IDENTITY_CHARS and one past it, a decode hint over the key.
 */
import test from 'ava';
import { nodePrimitives as p } from '../primitives.js';
import type { CoreInput, Decoded, DecodeHint, InputSource } from './api.js';
import { identifyInput, identityFromKey, MAX_KEY_IDENTITY_CHARS, type InputIdentity } from './identity.js';
import type { ExecutionResultV1, OperatorActionV1, TelemetryEventV1 } from './types.js';

/** `printf '%s' 'not json' | sha256sum` */
const NOT_JSON_SHA256 = '7ccfa1fbf3940e6f0c0375d87c0f9235a50514e14cb427bdfaf5077987b26ccf';

function input(source: InputSource, key: string | null, value: string | null, decoded: Decoded<unknown>): CoreInput {
  return {
    source,
    topic: `topic-${source}`,
    partition: 0,
    offset: '5',
    key,
    value: value === null ? null : new TextEncoder().encode(value),
    kafka_timestamp: '2026-03-01T12:00:00.000Z',
    process_time: '2026-03-01T12:00:01.000Z',
    decoded,
  };
}

test('identifyInput: each kind of input, whole', (t) => {
  const event = { tenant_id: 'acme', event_id: 'ev-1' } as TelemetryEventV1;
  const action = { tenant_id: 'acme', action_id: 'act-1' } as OperatorActionV1;
  const result = { tenant_id: 'acme', actuator_group: 'grp', intent_id: 'intent-1' } as ExecutionResultV1;
  t.deepEqual(identifyInput(input('telemetry', 'acme:corr', '{}', { ok: true, value: event }), p), { kind: 'telemetry', idempotencyKey: 'acme:ev-1', event });
  t.deepEqual(identifyInput(input('operator', 'acme:corr', '{}', { ok: true, value: action }), p), { kind: 'operator', idempotencyKey: 'acme:act-1', action });
  t.deepEqual(identifyInput(input('result', 'acme:corr', '{}', { ok: true, value: result }), p), { kind: 'result', idempotencyKey: 'acme:result:grp/intent-1', result });
});

test('identifyInput: a value the codec could not read is identified by its bytes, or as null without any', (t) => {
  t.deepEqual(identifyInput(input('telemetry', 'acme:corr', 'not json', { ok: false, reason: 'not JSON', reason_code: 'bad_json' }), p), {
    kind: 'undecodable',
    idempotencyKey: `acme:raw-sha256:${NOT_JSON_SHA256}`,
    who: { tenant_id: 'acme', correlation_id: 'corr', trace_id: null },
    valueSha: NOT_JSON_SHA256,
    reason: 'not JSON',
    reasonCode: 'bad_json',
    hint: undefined,
  });
  const hint = { tenant_id: 'globex', trace_id: 'trace-9' };
  t.deepEqual(identifyInput(input('operator', 'acme:corr', null, { ok: false, reason: 'no value', hint }), p), {
    kind: 'undecodable',
    idempotencyKey: 'globex:raw-sha256:null',
    who: { tenant_id: 'globex', correlation_id: 'corr', trace_id: 'trace-9' },
    valueSha: null,
    reason: 'no value',
    reasonCode: 'invalid',
    hint,
  });
});

test('identityFromKey: the key tenant:correlation at each edge, a hint over it', (t) => {
  const max = 'm'.repeat(MAX_KEY_IDENTITY_CHARS);
  const over = 'o'.repeat(MAX_KEY_IDENTITY_CHARS + 1);
  const who = (tenant_id: string, correlation_id: string, trace_id: string | null = null): InputIdentity => ({ tenant_id, correlation_id, trace_id });
  const rows: Array<{ name: string; key: string | null; hint?: DecodeHint; expected: InputIdentity }> = [
    { name: 'no key', key: null, expected: who('unknown', 'unknown') },
    { name: 'tenant:correlation', key: 'acme:corr', expected: who('acme', 'corr') },
    { name: 'only the first colon splits', key: 'acme:corr:more', expected: who('acme', 'corr:more') },
    { name: 'no colon', key: 'acme', expected: who('unknown', 'unknown') },
    { name: 'a colon first: no tenant, and the rest is not taken either', key: ':corr', expected: who('unknown', 'unknown') },
    { name: 'one character before the colon', key: 'a:corr', expected: who('a', 'corr') },
    { name: 'an empty correlation', key: 'acme:', expected: who('acme', 'unknown') },
    { name: 'parts of exactly the limit', key: `${max}:${max}`, expected: who(max, max) },
    { name: 'parts one past the limit', key: `${over}:${over}`, expected: who('unknown', 'unknown') },
    {
      name: 'a hint over the key, trace id only from the hint',
      key: 'acme:corr',
      hint: { tenant_id: 'globex', correlation_id: 'c-2', trace_id: 'trace-9' },
      expected: who('globex', 'c-2', 'trace-9'),
    },
    { name: 'a hint with a tenant only', key: 'acme:corr', hint: { tenant_id: 'globex' }, expected: who('globex', 'corr') },
    { name: 'a hint with a correlation only, no key', key: null, hint: { correlation_id: 'c-2' }, expected: who('unknown', 'c-2') },
  ];
  for (const row of rows) t.deepEqual(identityFromKey(row.key, row.hint), row.expected, row.name);
});
