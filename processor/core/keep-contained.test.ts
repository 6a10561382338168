/**
 * keep_contained (docs/guards.md) through the real codec and core: every rejection with its
 * reason code, each time boundary and its twin (keep_until at stream time / one ms after; at the
 * current end / one ms after; a revert due exactly at the moved end / one ms after), and the
 * containment kept with no end staying in force for SG-160.
 */
import test from 'ava';
import { at, auditKinds, configWith, makeOperator, newUlid, payloadOf, Run, signedAction, telemetry, type Operator } from '../testing/harness.js';
import type { OutputRecord } from './api.js';
import { actionSigningString } from './signing.js';
import { stateKeys, stateRecord } from './state.js';
import type { AuditRecordV1, ExecutionIntentV1, OperatorActionV1 } from './types.js';

const alice = makeOperator('alice');
const PORT_SCAN = 'port_scan';
/** A1 containments revert 60 s after release; SG-160 is on so "in force" is visible. */
const selfRevert = {
  action_overrides: { [PORT_SCAN]: 'A1_soft_containment' },
  no_double_containment: true,
  containment_ttl_s: { A1_soft_containment: 60 },
  revert_intent_types: { A1_soft_containment: 'unblock_host' },
};

let n = 0;
const ms = (second: number, plusMs: number): string => new Date(Date.parse(at(second)) + plusMs).toISOString();

/** An A1 containment the gate releases (SG-401) on `host`, observed `plusMs` ms after `second`. */
function a1(host: string, second: number, plusMs = 0) {
  n++;
  return telemetry({
    event_id: `01JK${String(n).padStart(22, '0')}`,
    event_type: PORT_SCAN,
    attributes: { confidence: 0.9 },
    entity_refs: { host },
    correlation_id: `keep-${n}`,
    observed_at: ms(second, plusMs),
  });
}

const executesOf = (out: readonly OutputRecord[]): ExecutionIntentV1[] => out.filter((r) => r.role === 'execute').map((r) => r.value as ExecutionIntentV1);
const reverted = (out: readonly OutputRecord[]): boolean => auditKinds(out).includes('containment_reverted');

/** A run with h1 contained (A1) at second 0, its end at 60; returns the run and the containment's execute record. */
function contained(policy: Record<string, unknown> = selfRevert): { run: Run; intent: ExecutionIntentV1 } {
  const run = new Run(configWith({ policy }, [alice]));
  const intent = executesOf(run.telemetry(a1('h1', 0)))[0]!;
  return { run, intent };
}

function keep(run: Run, intent: ExecutionIntentV1, over: Partial<OperatorActionV1> = {}, op: Operator = alice): OutputRecord[] {
  return run.actionRecords(
    signedAction(op, {
      action: 'keep_contained',
      intent_id: intent.intent_id,
      correlation_id: intent.correlation_id,
      reason: 'still under investigation',
      decided_at: at(20),
      ...over,
    }),
  );
}

const rejectedCode = (out: readonly OutputRecord[]): string => payloadOf(out, 'operator_action_rejected').reason_code;
const liveKey = (host: string): string => stateKeys.containment('acme', 'host', host);
/** SG-160's record of the A1 containment released at second 0, less its end. */
const liveRecord = (intent: ExecutionIntentV1) => ({ intent_id: intent.intent_id, action_class: 'A1_soft_containment' as const, released_at: at(0) });
/** The step's writes to a containment's own keys (contained/, containment/): [key, record or tombstone]. */
const containmentWrites = (out: readonly OutputRecord[]): [string | null, unknown][] =>
  out.filter((r) => r.role === 'state' && /^contain(ed|ment)\//.test(r.key ?? '')).map((r) => [r.key, r.value]);

// [name, what happens before the action (stream time moves), the action's fields, its reason code, its reason word for word]
type Rejection = [string, (run: Run) => void, (intent: ExecutionIntentV1) => Partial<OperatorActionV1>, string, (intent: ExecutionIntentV1) => string];
const rejections: Rejection[] = [
  ...[newUlid(), null].map((id): Rejection => [
    id === null ? 'no intent id at all' : 'an intent id never released here',
    () => undefined,
    () => ({ intent_id: id }),
    'unknown_intent',
    () =>
      `no released containment with a self-revert "${id ?? '(none given)'}" on partition 0 (never released here, a class without policy.containment_ttl_s and policy.revert_intent_types, or past retention)`,
  ]),
  ['another tenant names it', () => undefined, () => ({ tenant_id: 'other' }), 'tenant_mismatch', (i) => `containment ${i.intent_id} belongs to tenant "acme", not "other"`],
  ['a reason of spaces only', () => undefined, () => ({ reason: '  ' }), 'reason_required', () => 'keep_contained needs a non-empty reason'],
  ['no reason at all', () => undefined, () => ({ reason: null }), 'reason_required', () => 'keep_contained needs a non-empty reason'],
  [
    'already reverted (stream time one ms past its end)',
    (run) => run.telemetry(a1('h9', 60, 1)),
    () => ({}),
    'already_reverted',
    (i) => `containment ${i.intent_id} was reverted at its end ${at(60)}; nothing is left to keep`,
  ],
  [
    'keep_until exactly at stream time (30)',
    (run) => run.telemetry(a1('h9', 30)),
    () => ({ keep_until: at(30) }),
    'keep_until_not_after_stream_time',
    () => `keep_until ${at(30)} is not after the partition's stream time ${at(30)}`,
  ],
  [
    'keep_until at stream time, sent with an offset (quoted in the contract form)',
    (run) => run.telemetry(a1('h9', 30)),
    () => ({ keep_until: '2026-03-01T13:00:30+01:00' }),
    'keep_until_not_after_stream_time',
    () => `keep_until ${at(30)} is not after the partition's stream time ${at(30)}`,
  ],
  [
    'keep_until exactly at the current end (60)',
    (run) => run.telemetry(a1('h9', 30)),
    () => ({ keep_until: at(60) }),
    'keep_until_not_after_end',
    (i) => `keep_until ${at(60)} is not after containment ${i.intent_id}'s end ${at(60)}`,
  ],
];

for (const [name, before, fields, code, reason] of rejections) {
  test(`keep_contained rejected: ${name} -> ${code}`, (t) => {
    const { run, intent } = contained();
    before(run);
    const out = keep(run, intent, fields(intent));
    t.deepEqual(auditKinds(out), ['action_received', 'operator_action_rejected']);
    const rejected = payloadOf(out, 'operator_action_rejected');
    t.deepEqual(rejected, { action: 'keep_contained', action_id: rejected.action_id, actor_id: 'alice', approval_id: null, reason: reason(intent), reason_code: code });
    t.deepEqual(executesOf(out), []);
    t.deepEqual(containmentWrites(out), []);
  });
}

test('keep_contained rejected: a containment of a class with no self-revert is unknown to it', (t) => {
  const run = new Run(configWith({ policy: { ...selfRevert, containment_ttl_s: {} } }, [alice]));
  const intent = executesOf(run.telemetry(a1('h1', 0)))[0]!;
  t.is(rejectedCode(keep(run, intent)), 'unknown_intent');
});

test('keep_contained rejected: a class with a ttl but no revert intent type has no self-revert either', (t) => {
  const run = new Run(configWith({ policy: { ...selfRevert, revert_intent_types: {} } }, [alice]));
  const intent = executesOf(run.telemetry(a1('h1', 0)))[0]!;
  t.is(rejectedCode(keep(run, intent)), 'unknown_intent');
});

test('keep_contained rejected: unknown actor and a signature that does not cover keep_until as sent', (t) => {
  const { run, intent } = contained();
  t.is(rejectedCode(keep(run, intent, {}, makeOperator('mallory'))), 'unknown_actor');
  const signed = signedAction(alice, { action: 'keep_contained', intent_id: intent.intent_id, correlation_id: intent.correlation_id, reason: 'r', keep_until: at(100) });
  t.is(rejectedCode(run.actionRecords({ ...signed, keep_until: at(1000) })), 'bad_signature');
  // Dropping a signed keep_until (so it reads "keep with no end") breaks the signature too.
  t.is(rejectedCode(run.actionRecords({ ...signed, action_id: newUlid(), keep_until: null })), 'bad_signature');
});

test('keep_until one ms after stream time, and after the end: applied; the revert is due at the moved end, not before', (t) => {
  const { run, intent } = contained();
  run.telemetry(a1('h9', 60));
  // Stream time 60 is h1's end itself: not reverted yet. One ms later is after both.
  const out = keep(run, intent, { keep_until: ms(60, 1) });
  t.deepEqual(auditKinds(out), ['action_received', 'operator_action_applied', 'containment_kept']);
  const applied = out.map((r) => r.value as AuditRecordV1).find((r) => r.event_kind === 'operator_action_applied') as AuditRecordV1<'operator_action_applied'>;
  t.deepEqual(applied.payload, {
    action: 'keep_contained',
    action_id: applied.payload.action_id,
    actor_id: 'alice',
    approval_id: null,
    required_votes: null,
    scope: null,
    votes: [],
  });
  t.deepEqual(payloadOf(out, 'containment_kept'), {
    action_class: 'A1_soft_containment',
    action_id: applied.payload.action_id,
    actor_id: 'alice',
    effect: 'revert_moved',
    ends_at: ms(60, 1),
    intent_id: intent.intent_id,
    previous_ends_at: at(60),
    reason: 'still under investigation',
    stream_time: at(60),
    subject: 'h1',
    subject_kind: 'host',
  });
  // Off the revert list and back on it at the new end: nothing under contained/ (no tombstone for a record never written).
  t.deepEqual(containmentWrites(out), [[liveKey('h1'), stateRecord('containment', { ...liveRecord(intent), ends_at: ms(60, 1) })]]);
  // Stream time exactly at the moved end: still in force (SG-160 refuses a second A1 on h1), no revert.
  const atEnd = run.telemetry(a1('h1', 60, 1));
  t.false(reverted(atEnd));
  t.like(payloadOf(atEnd, 'containment_in_force'), { live_intent_id: intent.intent_id, live_ends_at: ms(60, 1) });
  // One ms past it: reverted, at the moved end.
  const past = run.telemetry(a1('h8', 60, 2));
  t.like(payloadOf(past, 'containment_reverted'), { intent_id: intent.intent_id, ends_at: ms(60, 1), stream_time: ms(60, 2) });
  t.deepEqual(
    executesOf(past).map((e) => [e.intent_type, e.event_time, e.released_by.rule]),
    [
      ['unblock_host', ms(60, 1), 'containment_ttl'],
      ['soft_contain', ms(60, 2), 'SG-401'],
    ],
  );
  // Reverted now: a further keep is told so.
  t.is(rejectedCode(keep(run, intent, { keep_until: at(900) })), 'already_reverted');
});

test('keep_until null cancels the revert: in force with no end, never reverted; a later action gives it an end again', (t) => {
  const { run, intent } = contained();
  const scheduled = run.cache.get(stateKeys.revert(intent.intent_id))!.revert!.intent;
  // The reason is recorded as signed, surrounding spaces and all (only the refusal of an empty one trims it).
  const out = keep(run, intent, { reason: ' still under investigation ' });
  t.like(payloadOf(out, 'containment_kept'), { effect: 'revert_cancelled', previous_ends_at: at(60), ends_at: null, stream_time: at(0), reason: ' still under investigation ' });
  t.deepEqual(containmentWrites(out), [
    [
      stateKeys.contained(intent.intent_id),
      stateRecord('contained', { intent_id: intent.intent_id, status: 'kept', ends_at: null, intent: scheduled, intent_hash: intent.intent_hash }),
    ],
    [liveKey('h1'), stateRecord('containment', { ...liveRecord(intent), ends_at: null })],
  ]);
  const later = run.telemetry(a1('h1', 5000));
  t.false(reverted(later));
  t.like(payloadOf(later, 'containment_in_force'), { live_intent_id: intent.intent_id, live_ends_at: null });
  // Kept with no end, any keep_until after stream time gives it one (there is no end to be after).
  t.is(rejectedCode(keep(run, intent, { keep_until: at(5000) })), 'keep_until_not_after_stream_time');
  const moved = keep(run, intent, { keep_until: ms(5000, 1), decided_at: at(5000) });
  t.like(payloadOf(moved, 'containment_kept'), { effect: 'revert_moved', previous_ends_at: null, ends_at: ms(5000, 1) });
  // Back on the revert list: the kept record goes (a tombstone), the end in force is the new one.
  t.deepEqual(containmentWrites(moved), [
    [stateKeys.contained(intent.intent_id), null],
    [liveKey('h1'), stateRecord('containment', { ...liveRecord(intent), ends_at: ms(5000, 1) })],
  ]);
  t.false(reverted(run.telemetry(a1('h9', 5000, 1))));
  t.like(payloadOf(run.telemetry(a1('h9', 5000, 2)), 'containment_reverted'), { intent_id: intent.intent_id, ends_at: ms(5000, 1) });
});

// With SG-160 off (no_double_containment unset) there is no containment/ record: keeping writes none and still applies.
for (const keepUntil of [null, at(120)]) {
  test(`keep_contained with SG-160 off, keep_until ${String(keepUntil)}: applied, no containment/ record written`, (t) => {
    const { run, intent } = contained({ ...selfRevert, no_double_containment: false });
    const scheduled = run.cache.get(stateKeys.revert(intent.intent_id))!.revert!.intent;
    const out = keep(run, intent, { keep_until: keepUntil });
    t.deepEqual(auditKinds(out), ['action_received', 'operator_action_applied', 'containment_kept']);
    const kept = stateRecord('contained', { intent_id: intent.intent_id, status: 'kept', ends_at: null, intent: scheduled, intent_hash: intent.intent_hash });
    t.deepEqual(containmentWrites(out), keepUntil === null ? [[stateKeys.contained(intent.intent_id), kept]] : []);
  });
}

test('a keep_contained without keep_until signs the bytes it would have without the field; with one, keep_until is signed', (t) => {
  const base = signedAction(alice, { action: 'keep_contained', intent_id: '01JK0000000000000000000001', reason: 'r' });
  t.false(actionSigningString(base).includes('keep_until'));
  t.true(actionSigningString(base).includes('"intent_id":"01JK0000000000000000000001"'));
  t.true(actionSigningString({ ...base, keep_until: at(100) }).includes(`"keep_until":"${at(100)}"`));
  // An approve carries neither: its signing bytes are those of an action signed before they existed.
  const approve = signedAction(alice);
  t.is(approve.intent_id, null);
  t.false(/intent_id|keep_until/.test(actionSigningString(approve)));
});

test('the same inputs twice give the same records: keep, move and revert decided by event time alone', (t) => {
  const play = (): unknown[] => {
    n = 500;
    const run = new Run(configWith({ policy: selfRevert }, [alice]));
    const intent = executesOf(run.telemetry(a1('h1', 0)))[0]!;
    const action = (over: Partial<OperatorActionV1>) => ({
      action: 'keep_contained' as const,
      intent_id: intent.intent_id,
      correlation_id: intent.correlation_id,
      reason: 'r',
      ...over,
    });
    run.actionRecords(signedAction(alice, action({ action_id: '01JKA000000000000000000001' })));
    run.actionRecords(signedAction(alice, action({ action_id: '01JKA000000000000000000002', keep_until: at(300), decided_at: at(40) })));
    run.telemetry(a1('h9', 301));
    return run.all.filter((r) => r.role !== 'state').map((r) => r.value);
  };
  t.deepEqual(play(), play());
});

test('keep_contained is recorded under the trace id of the containment it keeps', (t) => {
  const { run, intent } = contained();
  t.is(intent.trace_id, 'trace-1');
  const out = keep(run, intent, { keep_until: at(120) });
  const audits = out.filter((r) => r.role === 'audit').map((r) => r.value as AuditRecordV1);
  t.true(audits.length >= 2);
  t.deepEqual(
    audits.map((a) => a.trace_id),
    audits.map(() => 'trace-1'),
  );
});
