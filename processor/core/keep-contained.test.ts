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

// [name, what happens before the action (stream time moves), the action's fields, its reason code]
const rejections: [string, (run: Run) => void, (intent: ExecutionIntentV1) => Partial<OperatorActionV1>, string][] = [
  ['an intent id never released here', () => undefined, () => ({ intent_id: newUlid() }), 'unknown_intent'],
  ['no intent id at all', () => undefined, () => ({ intent_id: null }), 'unknown_intent'],
  ['another tenant names it', () => undefined, () => ({ tenant_id: 'other' }), 'tenant_mismatch'],
  ['no reason', () => undefined, () => ({ reason: '  ' }), 'reason_required'],
  ['already reverted (stream time one ms past its end)', (run) => run.telemetry(a1('h9', 60, 1)), () => ({}), 'already_reverted'],
  ['keep_until exactly at stream time (30)', (run) => run.telemetry(a1('h9', 30)), () => ({ keep_until: at(30) }), 'keep_until_not_after_stream_time'],
  ['keep_until exactly at the current end (60)', (run) => run.telemetry(a1('h9', 30)), () => ({ keep_until: at(60) }), 'keep_until_not_after_end'],
];

for (const [name, before, fields, code] of rejections) {
  test(`keep_contained rejected: ${name} -> ${code}`, (t) => {
    const { run, intent } = contained();
    before(run);
    const out = keep(run, intent, fields(intent));
    t.deepEqual(auditKinds(out), ['action_received', 'operator_action_rejected']);
    t.is(rejectedCode(out), code);
    t.deepEqual(executesOf(out), []);
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
  const out = keep(run, intent);
  t.like(payloadOf(out, 'containment_kept'), { effect: 'revert_cancelled', previous_ends_at: at(60), ends_at: null, stream_time: at(0) });
  const later = run.telemetry(a1('h1', 5000));
  t.false(reverted(later));
  t.like(payloadOf(later, 'containment_in_force'), { live_intent_id: intent.intent_id, live_ends_at: null });
  // Kept with no end, any keep_until after stream time gives it one (there is no end to be after).
  t.is(rejectedCode(keep(run, intent, { keep_until: at(5000) })), 'keep_until_not_after_stream_time');
  const moved = keep(run, intent, { keep_until: ms(5000, 1), decided_at: at(5000) });
  t.like(payloadOf(moved, 'containment_kept'), { effect: 'revert_moved', previous_ends_at: null, ends_at: ms(5000, 1) });
  t.false(reverted(run.telemetry(a1('h9', 5000, 1))));
  t.like(payloadOf(run.telemetry(a1('h9', 5000, 2)), 'containment_reverted'), { intent_id: intent.intent_id, ends_at: ms(5000, 1) });
});

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
