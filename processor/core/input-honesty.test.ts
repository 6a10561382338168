/**
 * What an input said stays in the trail even when it is not used: a rejected input's receipt names
 * every identifying field the value itself carries (so it is found by its own event or action id),
 * and an attributes.confidence the belief ignored is recorded with why, the decision unchanged.
 */
import test from 'ava';
import { encodeOperatorAction } from '../codec/index.js';
import { configWith, makeOperator, Run, signedAction, telemetry } from '../testing/harness.js';
import type { OutputRecord } from './api.js';
import { IGNORED_CONFIDENCE_CHARS, localConfidence } from './gate.js';
import type { AuditRecordV1, JsonValue, ReadIdentifiers } from './types.js';

const receiptOf = (records: readonly OutputRecord[]): AuditRecordV1<'telemetry_rejected'> =>
  records.find((r) => r.role === 'audit' && /_rejected$/.test((r.value as AuditRecordV1).event_kind))!.value as AuditRecordV1<'telemetry_rejected'>;

const none: ReadIdentifiers = { action_id: null, cell_id: null, correlation_id: null, event_id: null, tenant_id: null };

test('a rejected telemetry receipt names every id its value carries, each only when valid', (t) => {
  const run = new Run(configWith());
  const event = telemetry({ severity: 'urgent', tenant_id: 'acme', correlation_id: 'corr-7', cell_id: 'cell-z' });
  t.deepEqual(receiptOf(run.telemetry(event, null)).payload.identifiers, {
    ...none,
    cell_id: 'cell-z',
    correlation_id: 'corr-7',
    event_id: event['event_id'] as string,
    tenant_id: 'acme',
  });
  // An invalid event id, a tenant with ":" and an empty cell are not ids anyone can look up.
  const bad = telemetry({ event_id: 'not-a-ulid', tenant_id: 'a:b', cell_id: '', correlation_id: 'corr-8' });
  t.deepEqual(receiptOf(run.telemetry(bad, null)).payload.identifiers, { ...none, correlation_id: 'corr-8' });
  t.deepEqual(receiptOf(run.telemetry(Buffer.from('{"event_id": nope'), null)).payload.identifiers, none);
  t.deepEqual(receiptOf(run.telemetry(null, null)).payload.identifiers, none);
});

test('a decodable event rejected later (no subject) names its own ids', (t) => {
  const run = new Run(configWith());
  const event = telemetry({ entity_refs: {}, cell_id: 'cell-q', correlation_id: 'corr-2' });
  const receipt = receiptOf(run.telemetry(event));
  t.is(receipt.payload.reason_code, 'no_subject');
  t.deepEqual(receipt.payload.identifiers, { ...none, cell_id: 'cell-q', correlation_id: 'corr-2', event_id: event['event_id'] as string, tenant_id: 'acme' });
});

test('a rejected operator action names its action id, tenant and correlation', (t) => {
  const run = new Run(configWith());
  const action = signedAction(makeOperator('alice'), { schema_version: '2' as '1', correlation_id: 'corr-5' });
  const enc = encodeOperatorAction(action);
  const receipt = receiptOf(run.rawAction(enc.value as Buffer, enc.headers)) as unknown as AuditRecordV1<'action_rejected'>;
  t.is(receipt.event_kind, 'action_rejected');
  t.is(receipt.payload.reason_code, 'bad_schema_version');
  t.deepEqual(receipt.payload.identifiers, { ...none, action_id: action.action_id, correlation_id: 'corr-5', tenant_id: 'acme' });
});

const policy = configWith().config.policy;

// [attributes.confidence, confidence used, source, ignored]
const confidenceRows: [unknown, number, 'attribute' | 'severity', { value: string; reason: string } | null][] = [
  [undefined, policy.severity_confidence.high, 'severity', null],
  [0, 0, 'attribute', null],
  [1, 1, 'attribute', null],
  [0.5, 0.5, 'attribute', null],
  [-0.000001, policy.severity_confidence.high, 'severity', { value: '-0.000001', reason: 'out_of_range' }],
  [1.000001, policy.severity_confidence.high, 'severity', { value: '1.000001', reason: 'out_of_range' }],
  [7, policy.severity_confidence.high, 'severity', { value: '7', reason: 'out_of_range' }],
  // Not from JSON, but a number all the same (an Avro double can be one): shown as JavaScript writes it.
  [NaN, policy.severity_confidence.high, 'severity', { value: 'NaN', reason: 'out_of_range' }],
  [Infinity, policy.severity_confidence.high, 'severity', { value: 'Infinity', reason: 'out_of_range' }],
  [-Infinity, policy.severity_confidence.high, 'severity', { value: '-Infinity', reason: 'out_of_range' }],
  ['0.9', policy.severity_confidence.high, 'severity', { value: '"0.9"', reason: 'not_a_number' }],
  [null, policy.severity_confidence.high, 'severity', { value: 'null', reason: 'not_a_number' }],
  [{ b: 1, a: [true] }, policy.severity_confidence.high, 'severity', { value: '{"a":[true],"b":1}', reason: 'not_a_number' }],
];

for (const [given, confidence, source, ignored] of confidenceRows) {
  test(`local confidence from attributes.confidence = ${typeof given === 'number' ? String(given) : JSON.stringify(given)}`, (t) => {
    const attributes: { [key: string]: JsonValue } = given === undefined ? {} : { confidence: given as JsonValue };
    t.deepEqual(localConfidence(attributes, 'high', policy), { confidence, source, ignored: ignored as never });
  });
}

test('a long ignored confidence is cut to its limit and never splits a surrogate pair', (t) => {
  const long = 'x'.repeat(IGNORED_CONFIDENCE_CHARS);
  t.is(localConfidence({ confidence: long }, 'low', policy).ignored!.value, `"${'x'.repeat(IGNORED_CONFIDENCE_CHARS - 1)}`);
  // '"' + 254 x + an emoji: the cut falls between the emoji's two halves, so the high half goes too.
  const split = `${'x'.repeat(IGNORED_CONFIDENCE_CHARS - 2)}\u{1F600}`;
  t.is(localConfidence({ confidence: split }, 'low', policy).ignored!.value, `"${'x'.repeat(IGNORED_CONFIDENCE_CHARS - 2)}`);
});

// [the code unit the cut ends on, cut off?]: only a high surrogate (U+D800..U+DBFF) goes, each end of that range with its twin outside.
const cutEnds: [string, boolean][] = [
  ['\ud7ff', false],
  ['\ud800', true],
  ['\udbff', true],
  ['\udc00', false],
  ['\ue000', false],
];
for (const [unit, cut] of cutEnds) {
  test(`an ignored confidence cut on U+${unit.charCodeAt(0).toString(16).toUpperCase()} ${cut ? 'drops it' : 'keeps it'}`, (t) => {
    // '"' + 254 x puts the unit at the cut's last place; a low surrogate ending the cut has its high half before it.
    const head = unit >= '\udc00' && unit <= '\udfff' ? `${'x'.repeat(IGNORED_CONFIDENCE_CHARS - 3)}\udbff` : 'x'.repeat(IGNORED_CONFIDENCE_CHARS - 2);
    const given = `${head}${unit}${unit >= '\ud800' && unit <= '\udbff' ? '\udc00' : ''}tail`;
    t.is(localConfidence({ confidence: given }, 'low', policy).ignored!.value, `"${head}${cut ? '' : unit}`);
  });
}

test('an ignored confidence of exactly the limit is shown whole; one character more is cut', (t) => {
  const exact = 'x'.repeat(IGNORED_CONFIDENCE_CHARS - 2); // with its two quotes: the limit
  t.is(localConfidence({ confidence: exact }, 'low', policy).ignored!.value, `"${exact}"`);
  t.is(localConfidence({ confidence: `${exact}y` }, 'low', policy).ignored!.value, `"${exact}y`);
});

test('the belief records an ignored confidence of 7, and every decision equals that of an event without one', (t) => {
  const outcomesOf = (attributes: Record<string, unknown>) => {
    const run = new Run(configWith());
    const records = run.telemetry(telemetry({ event_id: '01JS0000000000000000000001', attributes }));
    return records.filter((r) => r.role === 'audit').map((r) => r.value as AuditRecordV1);
  };
  const seven = outcomesOf({ confidence: 7 });
  const plain = outcomesOf({});
  const belief = seven.find((r) => r.event_kind === 'belief_emitted') as AuditRecordV1<'belief_emitted'>;
  t.deepEqual(belief.payload.ignored_confidence, { reason: 'out_of_range', value: '7' });
  t.is(belief.payload.confidence_source, 'severity');
  const decisions = (records: AuditRecordV1[]) =>
    records.filter((r) => r.event_kind !== 'belief_emitted' && r.event_kind !== 'telemetry_received').map((r) => JSON.stringify(r.payload));
  t.deepEqual(decisions(seven), decisions(plain));
  t.deepEqual(
    seven.map((r) => r.event_kind),
    plain.map((r) => r.event_kind),
  );
});
