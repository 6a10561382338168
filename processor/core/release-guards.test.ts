/**
 * SG-160 (no double containment) and the circuit breaker, through the real core: each row plays a
 * few events on one partition and compares the whole outcome of the last one.
 */
import test from 'ava';
import { at, configWith, makeOperator, Run, signedAction, telemetry } from '../testing/harness.js';
import type { OutputRecord } from './api.js';
import { stateKeys, stateRecord } from './state.js';
import type { AuditRecordV1 } from './types.js';

const A1_TYPE = 'port_scan';
const A2_TYPE = 'malware_detected';
let n = 0;

/** An event the gate allows: A1 (port_scan, confidence 0.9, SG-401) or A2 (confidence 0.95, SG-403). */
function contain(cls: 'A1' | 'A2', host: string, second: number, over: Record<string, unknown> = {}) {
  n++;
  return telemetry({
    event_id: `01JS${String(n).padStart(22, '0')}`,
    event_type: cls === 'A1' ? A1_TYPE : A2_TYPE,
    attributes: { confidence: cls === 'A1' ? 0.9 : 0.95 },
    entity_refs: { host },
    correlation_id: `corr-${n}`,
    observed_at: at(second),
    ...over,
  });
}

const policyWith = (guards: Record<string, unknown>) => configWith({ policy: { action_overrides: { [A1_TYPE]: 'A1_soft_containment' }, ...guards } });

/** What one input came to: its outcome kinds after the proposal, and how many execute records. */
function outcome(records: readonly OutputRecord[]): { kinds: string[]; rule: string | null; executes: number } {
  const audits = records.filter((r) => r.role === 'audit').map((r) => r.value as AuditRecordV1);
  const from = audits.findIndex((r) => r.event_kind === 'intent_proposed');
  const safety = audits.find((r) => r.event_kind === 'safety_evaluated') as AuditRecordV1<'safety_evaluated'> | undefined;
  return { kinds: audits.slice(from + 1).map((r) => r.event_kind), rule: safety?.payload.rule ?? null, executes: records.filter((r) => r.role === 'execute').length };
}

const released = { kinds: ['safety_evaluated', 'intent_released'], executes: 1 };
const inForce = { kinds: ['safety_evaluated', 'containment_in_force', 'intent_denied'], rule: 'SG-160', executes: 0 };

// [name, guards, earlier events, last event, expected outcome of the last]
const sg160: [string, Record<string, unknown>, (() => Record<string, unknown>)[], () => Record<string, unknown>, object][] = [
  ['A2 in force, a second A2', { no_double_containment: true }, [() => contain('A2', 'h1', 0)], () => contain('A2', 'h1', 10), inForce],
  ['A2 in force, a weaker A1', { no_double_containment: true }, [() => contain('A2', 'h1', 0)], () => contain('A1', 'h1', 10), inForce],
  ['A1 in force, a stronger A2 goes', { no_double_containment: true }, [() => contain('A1', 'h1', 0)], () => contain('A2', 'h1', 10), { ...released, rule: 'SG-403' }],
  [
    'another tenant, same host',
    { no_double_containment: true },
    [() => contain('A2', 'h1', 0)],
    () => contain('A2', 'h1', 10, { tenant_id: 'other' }),
    { ...released, rule: 'SG-403' },
  ],
  [
    'another subject kind, same value',
    { no_double_containment: true },
    [() => contain('A2', 'h1', 0)],
    () => contain('A2', 'h1', 10, { entity_refs: { user: 'h1' } }),
    { ...released, rule: 'SG-403' },
  ],
  ['guard off: both go', {}, [() => contain('A2', 'h1', 0)], () => contain('A2', 'h1', 10), { ...released, rule: 'SG-403' }],
  // A rule before SG-160 decides: its deny names no containment in force (the gate saw one, but did not deny for it).
  [
    'in force, but an unknown cell under observe_only: SG-105 denies without an in-force record',
    { no_double_containment: true, unknown_cell: 'observe_only', trust: { 'cell-a': 0.9 } },
    [() => contain('A2', 'h1', 0)],
    () => contain('A2', 'h1', 10, { cell_id: 'cell-new' }),
    { kinds: ['safety_evaluated', 'intent_denied'], rule: 'SG-105', executes: 0 },
  ],
  // ttl 60 s from a release at 0: stream time 60 is the end itself, still in force; 61 is past it.
  [
    'at the end of its ttl, still in force',
    { no_double_containment: true, containment_ttl_s: { A2_hard_containment: 60 } },
    [() => contain('A2', 'h1', 0)],
    () => contain('A2', 'h1', 60),
    inForce,
  ],
  [
    'a second past its ttl, a new one goes',
    { no_double_containment: true, containment_ttl_s: { A2_hard_containment: 60 } },
    [() => contain('A2', 'h1', 0)],
    () => contain('A2', 'h1', 61),
    { ...released, rule: 'SG-403' },
  ],
];

for (const [name, guards, earlier, last, expected] of sg160) {
  test(`SG-160: ${name}`, (t) => {
    const run = new Run(policyWith(guards));
    for (const e of earlier) t.is(outcome(run.telemetry(e())).executes, 1);
    t.like(outcome(run.telemetry(last())), expected);
  });
}

test('SG-160 names the containment in force: its intent id, class, release and end', (t) => {
  const run = new Run(policyWith({ no_double_containment: true, containment_ttl_s: { A2_hard_containment: 60 } }));
  const first = run.telemetry(contain('A2', 'h1', 0)).find((r) => r.role === 'execute')!.value as { intent_id: string };
  const denied = run
    .telemetry(contain('A1', 'h1', 5))
    .map((r) => r.value as AuditRecordV1)
    .find((r) => r?.event_kind === 'containment_in_force') as AuditRecordV1<'containment_in_force'>;
  t.deepEqual(denied.payload, {
    action_class: 'A1_soft_containment',
    intent_id: denied.payload.intent_id,
    live_action_class: 'A2_hard_containment',
    live_ends_at: at(60),
    live_intent_id: first.intent_id,
    live_released_at: at(0),
    subject: 'h1',
    subject_kind: 'host',
  });
});

test('SG-160 holds on the approval path: an approval granted after another containment went out releases nothing', (t) => {
  const alice = makeOperator('alice');
  const run = new Run(configWith({ policy: { no_double_containment: true, trust: { 'cell-low': 0.3 } } }, [alice]));
  const held = run.telemetry(contain('A2', 'h1', 0, { cell_id: 'cell-low' }));
  const requested = held.map((r) => r.value as AuditRecordV1).find((r) => r?.event_kind === 'approval_requested') as AuditRecordV1<'approval_requested'>;
  t.is(outcome(run.telemetry(contain('A2', 'h1', 5))).executes, 1);
  const grant = run.actionRecords(
    signedAction(alice, { approval_id: requested.payload.approval_id, intent_hash: requested.payload.intent_hash, correlation_id: requested.correlation_id }),
  );
  t.deepEqual(
    grant.filter((r) => r.role === 'audit').map((r) => (r.value as AuditRecordV1).event_kind),
    ['action_received', 'operator_action_applied', 'approval_granted', 'containment_in_force', 'intent_denied'],
  );
  t.is(grant.filter((r) => r.role === 'execute').length, 0);
});

const breaker = (max: number, window: number, classes = ['A1_soft_containment']) => ({ circuit_breaker: { classes, max_releases: max, window_s: window } });
const tripped = { kinds: ['circuit_breaker_tripped', 'kill_switch_changed', 'safety_evaluated', 'intent_denied'], rule: 'SG-102', executes: 0 };

// [name, breaker, release seconds before, last second, class of the last, expected]
const breakerRows: [string, Record<string, unknown>, number[], number, 'A1' | 'A2', object][] = [
  ['the third A1 within the window trips it (max 2)', breaker(2, 600), [0, 100], 200, 'A1', tripped],
  ['the second within the window trips it (max 1)', breaker(1, 600), [0], 599, 'A1', tripped],
  ['exactly window_s later the first has left the window', breaker(1, 600), [0], 600, 'A1', { ...released, rule: 'SG-401' }],
  ['a class it does not cover never trips it', breaker(1, 600), [0], 10, 'A2', { ...released, rule: 'SG-403' }],
  ['no breaker configured', {}, [0, 1, 2], 3, 'A1', { ...released, rule: 'SG-401' }],
];

test('circuit breaker: only a release can trip it; a full window leaves a denied A1 denied by its own rule (SG-402)', (t) => {
  const run = new Run(policyWith(breaker(1, 600)));
  t.is(outcome(run.telemetry(contain('A1', 'h0', 0))).executes, 1);
  t.deepEqual(outcome(run.telemetry(contain('A1', 'h1', 10, { attributes: { confidence: 0.7 } }))), {
    kinds: ['safety_evaluated', 'intent_denied'],
    rule: 'SG-402',
    executes: 0,
  });
});

for (const [name, guards, before, lastSecond, cls, expected] of breakerRows) {
  test(`circuit breaker: ${name}`, (t) => {
    const run = new Run(policyWith(guards));
    for (const s of before) t.is(outcome(run.telemetry(contain('A1', `h${s}`, s))).executes, 1);
    t.like(outcome(run.telemetry(contain(cls, 'last', lastSecond))), expected);
  });
}

test('a tripped breaker is the tenant kill switch: SG-102 denies until a signed kill_switch_off resets switch and window', (t) => {
  const alice = makeOperator('alice');
  const run = new Run(configWith({ policy: { action_overrides: { [A1_TYPE]: 'A1_soft_containment' }, ...breaker(1, 600) } }, [alice]));
  run.telemetry(contain('A1', 'a', 0));
  const trip = run.telemetry(contain('A1', 'b', 10)).map((r) => r.value as AuditRecordV1);
  const changed = trip.find((r) => r?.event_kind === 'kill_switch_changed') as AuditRecordV1<'kill_switch_changed'>;
  const cause = trip.find((r) => r?.event_kind === 'circuit_breaker_tripped')!;
  t.like(changed.payload, { actor_id: 'exoarmur', action_id: cause.audit_id, on: true, scope: 'tenant', tenant_id: 'acme' });
  t.like(outcome(run.telemetry(contain('A2', 'c', 20))), { rule: 'SG-102', executes: 0 });
  run.action(signedAction(alice, { action: 'kill_switch_off', scope: 'tenant', reason: 'reviewed', decided_at: at(30) }));
  // The window starts afresh: one more A1 goes even though the release at 0 is still within 600 s.
  t.like(outcome(run.telemetry(contain('A1', 'd', 40))), { ...released, rule: 'SG-401' });
  t.like(outcome(run.telemetry(contain('A1', 'e', 50))), tripped);
});

const selfRevert = { no_double_containment: true, containment_ttl_s: { A1_soft_containment: 60 }, revert_intent_types: { A1_soft_containment: 'unblock_host' } };
const auditsOf = (records: readonly OutputRecord[]): AuditRecordV1[] => records.filter((r) => r.role === 'audit').map((r) => r.value as AuditRecordV1);

test('self-revert: at its end exactly nothing happens; once stream time passes it, the revert intent is released and SG-160 frees the subject', (t) => {
  const run = new Run(policyWith(selfRevert));
  const first = run.telemetry(contain('A1', 'h1', 0)).find((r) => r.role === 'execute')!.value as { intent_id: string; intent_type: string };
  t.is(first.intent_type, 'soft_contain');
  // Stream time 60 is the end itself: still in force, so a second A1 on h1 is refused and nothing reverts.
  const atEnd = run.telemetry(contain('A1', 'h1', 60));
  t.like(outcome(atEnd), inForce);
  t.false(auditsOf(atEnd).some((r) => r.event_kind === 'containment_reverted'));
  // Stream time 61: the revert comes first (it belongs to the containment, event time = its end), then this event's own release.
  const after = run.telemetry(contain('A1', 'h1', 61));
  const reverted = auditsOf(after).find((r) => r.event_kind === 'containment_reverted') as AuditRecordV1<'containment_reverted'>;
  const executes = after.filter((r) => r.role === 'execute').map((r) => r.value as { intent_id: string; intent_type: string; event_time: string; released_by: { rule: string } });
  t.deepEqual(reverted.payload, {
    action_class: 'A1_soft_containment',
    ends_at: at(60),
    intent_id: first.intent_id,
    revert_intent_id: executes[0]!.intent_id,
    revert_intent_type: 'unblock_host',
    stream_time: at(61),
    subject: 'h1',
    subject_kind: 'host',
  });
  t.is(reverted.event_time, at(60));
  t.deepEqual(
    executes.map((e) => [e.intent_type, e.event_time, e.released_by.rule]),
    [
      ['unblock_host', at(60), 'containment_ttl'],
      ['soft_contain', at(61), 'SG-401'],
    ],
  );
  t.deepEqual(
    auditsOf(after)
      .map((r) => r.event_kind)
      .filter((k) => k === 'containment_reverted' || k === 'intent_released' || k === 'safety_evaluated'),
    ['containment_reverted', 'intent_released', 'safety_evaluated', 'intent_released'],
  );
});

test('self-revert needs both a ttl and a revert type for the class; the revert id is a function of the containment alone', (t) => {
  const noType = new Run(policyWith({ containment_ttl_s: { A1_soft_containment: 60 } }));
  noType.telemetry(contain('A1', 'h1', 0));
  t.false(auditsOf(noType.telemetry(contain('A2', 'x', 500))).some((r) => r.event_kind === 'containment_reverted'));
  // The same containment reverted by two different later inputs gets the same revert intent id.
  const ids = [700, 900].map((s) => {
    n = 100;
    const run = new Run(policyWith(selfRevert));
    run.telemetry(contain('A1', 'h1', 0));
    const later = auditsOf(run.telemetry(contain('A2', `other-${s}`, s))).find((r) => r.event_kind === 'containment_reverted') as AuditRecordV1<'containment_reverted'>;
    return later.payload.revert_intent_id;
  });
  t.is(ids[0], ids[1]);
});

// Guards judge at the partition's stream time, not the intent's own event time: a late event sees a
// containment whose end stream time has passed as ended. ttl 60 s from a release at 0.
const lateRows: [string, number, object][] = [
  ['stream time 200 is past the end 60: the late event at 30 goes', 200, { ...released, rule: 'SG-403' }],
  ['stream time 50 is before the end 60: the late event at 30 is refused', 50, inForce],
];

for (const [name, streamSecond, expected] of lateRows) {
  test(`SG-160 for a late event: ${name}`, (t) => {
    const run = new Run(policyWith({ no_double_containment: true, containment_ttl_s: { A2_hard_containment: 60 } }));
    t.is(outcome(run.telemetry(contain('A2', 'h1', 0))).executes, 1);
    t.is(outcome(run.telemetry(contain('A2', 'elsewhere', streamSecond))).executes, 1);
    t.like(outcome(run.telemetry(contain('A2', 'h1', 30))), expected);
  });
}

const OBSERVE_TYPE = 'recon_observed';
const observe = (host: string, second: number) => contain('A2', host, second, { event_type: OBSERVE_TYPE });
const stateKeysOf = (records: readonly OutputRecord[], prefix: string): string[] => records.filter((r) => r.role === 'state' && r.key!.startsWith(prefix)).map((r) => r.key!);

// Which releases SG-160 keeps a containment record for: only with the guard on, only for classes above A0.
// [name, guard on, the release, containment keys it writes]
const containmentRows: [string, boolean, () => Record<string, unknown>, string[]][] = [
  ['guard on, an A2', true, () => contain('A2', 'h1', 0), ['containment/acme/host/h1']],
  ['guard on, an A0 observe', true, () => observe('h1', 0), []],
  ['guard off, an A2', false, () => contain('A2', 'h1', 0), []],
];

for (const [name, on, event, keys] of containmentRows) {
  test(`SG-160 keeps a containment record: ${name}`, (t) => {
    const run = new Run(configWith({ policy: { action_overrides: { [OBSERVE_TYPE]: 'A0_observe' }, no_double_containment: on } }));
    const out = run.telemetry(event());
    t.is(outcome(out).executes, 1);
    t.deepEqual(stateKeysOf(out, 'containment/'), keys);
  });
}

test('SG-160 never holds back an A0 observe, even with a containment in force on its subject', (t) => {
  const run = new Run(configWith({ policy: { action_overrides: { [OBSERVE_TYPE]: 'A0_observe' }, no_double_containment: true } }));
  t.is(outcome(run.telemetry(contain('A2', 'h1', 0))).executes, 1);
  t.like(outcome(run.telemetry(observe('h1', 10))), { ...released, rule: 'SG-501' });
});

test('SG-160 turned off frees a subject whose containment was recorded while it was on', (t) => {
  const run = new Run(policyWith({ no_double_containment: true }));
  t.is(outcome(run.telemetry(contain('A2', 'h1', 0))).executes, 1);
  run.config = policyWith({});
  t.like(outcome(run.telemetry(contain('A2', 'h1', 10))), { ...released, rule: 'SG-403' });
});

test('SG-160 on the approval path: a containment record naming the held intent itself does not hold it back', (t) => {
  const alice = makeOperator('alice');
  const run = new Run(configWith({ policy: { no_double_containment: true, trust: { 'cell-low': 0.3 } } }, [alice]));
  const held = run.telemetry(contain('A2', 'h1', 0, { cell_id: 'cell-low' }));
  const requested = held.map((r) => r.value as AuditRecordV1).find((r) => r?.event_kind === 'approval_requested') as AuditRecordV1<'approval_requested'>;
  // As a changelog would hold it had this very intent been released before.
  run.cache.set(
    stateKeys.containment('acme', 'host', 'h1'),
    stateRecord('containment', { intent_id: requested.payload.intent_id, action_class: 'A2_hard_containment', released_at: at(0), ends_at: null }),
  );
  const grant = run.actionRecords(
    signedAction(alice, { approval_id: requested.payload.approval_id, intent_hash: requested.payload.intent_hash, correlation_id: requested.correlation_id }),
  );
  t.is(grant.filter((r) => r.role === 'execute').length, 1);
});

test('circuit breaker trip over two classes: the whole trip record, kill switch record and kill switch state', (t) => {
  const run = new Run(policyWith(breaker(1, 600, ['A1_soft_containment', 'A2_hard_containment'])));
  t.is(outcome(run.telemetry(contain('A1', 'a', 0))).executes, 1);
  const out = run.telemetry(contain('A2', 'b', 10));
  const records = out.filter((r) => r.role === 'audit').map((r) => r.value as AuditRecordV1);
  const trip = records.find((r) => r.event_kind === 'circuit_breaker_tripped') as AuditRecordV1<'circuit_breaker_tripped'>;
  const changed = records.find((r) => r.event_kind === 'kill_switch_changed') as AuditRecordV1<'kill_switch_changed'>;
  const proposed = records.find((r) => r.event_kind === 'intent_proposed') as AuditRecordV1<'intent_proposed'>;
  const reason = 'circuit breaker: 1 releases of A1_soft_containment, A2_hard_containment on partition 0 within 600 s; a signed kill_switch_off resets it';
  t.deepEqual(trip.payload, {
    action_class: 'A2_hard_containment',
    classes: ['A1_soft_containment', 'A2_hard_containment'],
    intent_id: proposed.payload.intent.intent_id,
    max_releases: 1,
    partition: 0,
    releases_in_window: 1,
    stream_time: at(10),
    window_s: 600,
    window_start: at(10 - 600),
  });
  t.deepEqual(changed.payload, { action_id: trip.audit_id, actor_id: 'exoarmur', on: true, reason, scope: 'tenant', tenant_id: 'acme' });
  t.deepEqual(
    out.find((r) => r.role === 'state' && r.key === 'kill/tenant/acme')!.value,
    stateRecord('kill_switch', { scope: 'tenant', tenant_id: 'acme', on: true, actor_id: 'exoarmur', action_id: trip.audit_id, reason, decided_at: at(10) }),
  );
});

// A signed kill_switch_off deletes the tenant's breaker window only where there is one.
// [name, releases of the breaker's classes before, breaker keys the kill_switch_off writes (tombstones)]
const resetRows: [string, number, string[]][] = [
  ['after a release in the window: its tombstone', 1, ['breaker/acme']],
  ['no release yet: no breaker record at all', 0, []],
];

for (const [name, before, keys] of resetRows) {
  test(`kill_switch_off resets the breaker: ${name}`, (t) => {
    const alice = makeOperator('alice');
    const run = new Run(configWith({ policy: { action_overrides: { [A1_TYPE]: 'A1_soft_containment' }, ...breaker(2, 600) } }, [alice]));
    for (let i = 0; i < before; i++) t.is(outcome(run.telemetry(contain('A1', `h${i}`, i))).executes, 1);
    const off = run.actionRecords(signedAction(alice, { action: 'kill_switch_off', scope: 'tenant', reason: 'reviewed', decided_at: at(30) }));
    t.deepEqual(
      off.filter((r) => r.role === 'state' && r.key!.startsWith('breaker/')).map((r) => [r.key, r.value]),
      keys.map((k) => [k, null]),
    );
  });
}

test('self-revert frees the subject only of its own containment: a stronger one released since stays in force', (t) => {
  const run = new Run(policyWith({ ...selfRevert, containment_ttl_s: { A1_soft_containment: 60 } }));
  t.is(outcome(run.telemetry(contain('A1', 'h1', 0))).executes, 1);
  t.like(outcome(run.telemetry(contain('A2', 'h1', 10))), { ...released, rule: 'SG-403' });
  // Stream time 61 passes the A1's end: it is reverted, the A2 on h1 is not touched.
  const passed = run.telemetry(contain('A2', 'elsewhere', 61));
  t.deepEqual(
    auditsOf(passed)
      .map((r) => r.event_kind)
      .filter((k) => k === 'containment_reverted'),
    ['containment_reverted'],
  );
  t.like(outcome(run.telemetry(contain('A2', 'h1', 70))), inForce);
});

test('self-revert under the policy in force: a revert type removed since the release reverts nothing at the end', (t) => {
  const run = new Run(policyWith(selfRevert));
  t.is(outcome(run.telemetry(contain('A1', 'h1', 0))).executes, 1);
  run.config = policyWith({ ...selfRevert, revert_intent_types: {} });
  const passed = run.telemetry(contain('A2', 'elsewhere', 61));
  t.deepEqual(
    passed.filter((r) => r.role === 'execute').map((r) => (r.value as { intent_type: string }).intent_type),
    ['isolate'],
    "only the A2's own containment (isolate), no unblock_host",
  );
  t.false(auditsOf(passed).some((r) => r.event_kind === 'containment_reverted'));
});

// Self-revert with SG-160 on (its containment record is deleted by the revert) and off (there is none);
// and with the revert types dropped from the policy altogether since the release.
// [name, policy at the release, policy at the end, containment tombstones at the end, reverted]
const revertRows: [string, Record<string, unknown>, Record<string, unknown>, string[], boolean][] = [
  ['SG-160 on: its containment record goes', selfRevert, selfRevert, ['containment/acme/host/h1'], true],
  ['SG-160 off: reverted all the same, no record to delete', { ...selfRevert, no_double_containment: false }, { ...selfRevert, no_double_containment: false }, [], true],
  ['revert types dropped from the policy since: nothing reverted', selfRevert, { no_double_containment: true, containment_ttl_s: { A1_soft_containment: 60 } }, [], false],
];

for (const [name, before, after, tombstones, reverts] of revertRows) {
  test(`self-revert at the end: ${name}`, (t) => {
    const run = new Run(policyWith(before));
    const first = run.telemetry(contain('A1', 'h1', 0)).find((r) => r.role === 'execute')!.value as { intent_id: string };
    run.config = policyWith(after);
    const passed = run.telemetry(contain('A2', 'elsewhere', 61));
    t.deepEqual(
      passed.filter((r) => r.role === 'state' && r.value === null && r.key!.startsWith('containment/')).map((r) => r.key),
      tombstones,
    );
    const revertExecutes = passed
      .filter((r) => r.role === 'execute')
      .map((r) => r.value as { intent_type: string; released_by: object })
      .filter((e) => e.intent_type === 'unblock_host');
    t.deepEqual(
      revertExecutes.map((e) => e.released_by),
      reverts ? [{ rule: 'containment_ttl', approval_id: null, approvers: [] }] : [],
    );
    t.is(
      auditsOf(passed).filter((r) => r.event_kind === 'containment_reverted' && (r as AuditRecordV1<'containment_reverted'>).payload.intent_id === first.intent_id).length,
      reverts ? 1 : 0,
    );
  });
}
