import test from 'ava';
import { at, auditKinds, configWith, makeOperator, newUlid, payloadOf, Run, signedAction, telemetry, type Operator } from '../testing/harness.js';
import { signAction } from '../operator-signing.js';
import type { OutputRecord } from './api.js';
import type { ApprovalRequirement, AuditRecordV1, ExecutionIntentV1, OperatorActionV1 } from './types.js';

const alice = makeOperator('alice');
const bob = makeOperator('bob');
const mallory = makeOperator('mallory'); // never registered

interface Pending {
  run: Run;
  approval_id: string;
  intent_hash: string;
  intent_id: string;
  expires_at: string;
}

/** A run with one pending approval of the given requirement (trust 0.3 → SG-301 human; default → SG-404 quorum). */
function pending(requirement: ApprovalRequirement, extra: Record<string, unknown> = {}): Pending {
  const trust = requirement === 'human' ? { 'cell-low': 0.3 } : {};
  const run = new Run(configWith({ policy: { trust, ...extra } }, [alice, bob]));
  const out = run.telemetry(telemetry({ cell_id: requirement === 'human' ? 'cell-low' : 'cell-a' }));
  const req = payloadOf(out, 'approval_requested');
  t_assert(req.requirement === requirement, `expected ${requirement} approval, got ${req.requirement}`);
  return { run, approval_id: req.approval_id, intent_hash: req.intent_hash, intent_id: req.intent_id, expires_at: req.expires_at };
}

function t_assert(cond: boolean, message: string): void {
  if (!cond) throw new Error(message);
}

function decide(p: Pending, op: Operator, over: Partial<OperatorActionV1> = {}): OperatorActionV1 {
  return signedAction(op, { approval_id: p.approval_id, intent_hash: p.intent_hash, ...over });
}

function executes(records: readonly OutputRecord[]): ExecutionIntentV1[] {
  return records.filter((r) => r.role === 'execute').map((r) => r.value as ExecutionIntentV1);
}

function rejection(records: readonly OutputRecord[]): { reason_code: string; reason: string } {
  return payloadOf(records, 'operator_action_rejected');
}

test('human approval: one approve grants and releases exactly once; the same action again is a duplicate', (t) => {
  const p = pending('human');
  const action = decide(p, alice);
  const out = p.run.actionRecords(action);
  t.deepEqual(auditKinds(out), ['action_received', 'operator_action_applied', 'approval_granted', 'intent_released']);
  const [intent] = executes(out);
  t.like(intent, { intent_id: p.intent_id, intent_hash: p.intent_hash, released_by: { rule: 'SG-301', approval_id: p.approval_id, approvers: ['alice'] }, event_time: at(60) });
  const again = p.run.actionRecords(action);
  t.deepEqual(auditKinds(again), ['action_duplicate']);
  t.deepEqual(executes(again), []);
  // A second, distinct approval after the grant is rejected with a reason: the approval is decided.
  const late = p.run.actionRecords(decide(p, bob));
  t.like(rejection(late), { reason_code: 'approval_not_pending' });
  t.deepEqual(executes(p.run.all), [intent!]);
});

test('quorum of 2: first approve leaves it pending, same actor again counts once, a second actor releases', (t) => {
  const p = pending('quorum');
  const first = p.run.actionRecords(decide(p, alice));
  t.deepEqual(auditKinds(first), ['action_received', 'operator_action_applied']);
  t.like(payloadOf(first, 'operator_action_applied'), { required_votes: 2 });
  t.is(payloadOf(first, 'operator_action_applied').votes.length, 1);
  const twice = p.run.actionRecords(decide(p, alice, { decided_at: at(61) }));
  t.like(rejection(twice), { reason_code: 'duplicate_vote' });
  t.deepEqual(executes(twice), []);
  const second = p.run.actionRecords(decide(p, bob, { decided_at: at(62) }));
  t.deepEqual(auditKinds(second), ['action_received', 'operator_action_applied', 'approval_granted', 'intent_released']);
  t.deepEqual(payloadOf(second, 'approval_granted').approvers, ['alice', 'bob']);
  t.is(executes(p.run.all).length, 1);
});

test('deny needs a reason; with one it denies and nothing is released', (t) => {
  const p = pending('human');
  const noReason = p.run.actionRecords(decide(p, alice, { action: 'deny', reason: null }));
  t.like(rejection(noReason), { reason_code: 'reason_required' });
  const blank = p.run.actionRecords(decide(p, alice, { action: 'deny', reason: '   ' }));
  t.like(rejection(blank), { reason_code: 'reason_required' });
  const denied = p.run.actionRecords(decide(p, alice, { action: 'deny', reason: 'false positive: patch window' }));
  t.deepEqual(auditKinds(denied), ['action_received', 'operator_action_applied', 'approval_denied']);
  t.like(payloadOf(denied, 'approval_denied'), { actor_id: 'alice', reason: 'false positive: patch window' });
  const after = p.run.actionRecords(decide(p, bob));
  t.like(rejection(after), { reason_code: 'approval_not_pending', reason: `approval ${p.approval_id} is already denied` });
  t.deepEqual(executes(p.run.all), []);
});

test('an action decided after the expiry is rejected and expires the approval', (t) => {
  const p = pending('human');
  const lateAt = at(900.001);
  const out = p.run.actionRecords(decide(p, alice, { decided_at: lateAt }));
  t.deepEqual(auditKinds(out), ['action_received', 'operator_action_rejected', 'approval_expired']);
  t.like(rejection(out), { reason_code: 'after_expiry' });
  t.like(payloadOf(out, 'approval_expired'), { cause: 'late_action', expires_at: p.expires_at });
  // decided_at exactly at the expiry is still in time.
  const q = pending('human');
  t.deepEqual(auditKinds(q.run.actionRecords(decide(q, alice, { decided_at: q.expires_at }))).slice(-1), ['intent_released']);
});

test('stream time passing the expiry expires pending approvals before the input’s own records, in order', (t) => {
  const p = pending('quorum');
  const other = p.run.telemetry(telemetry({ cell_id: 'cell-a', correlation_id: 'corr-2', observed_at: at(10) }));
  const second = payloadOf(other, 'approval_requested');
  // Exactly at the first expiry: nothing expires yet.
  const atExpiry = p.run.telemetry(telemetry({ severity: 'low', correlation_id: 'x', observed_at: p.expires_at }));
  t.false(auditKinds(atExpiry).includes('approval_expired'));
  const after = p.run.telemetry(telemetry({ severity: 'low', correlation_id: 'y', observed_at: at(2000) }));
  const kinds = auditKinds(after);
  t.deepEqual(kinds.slice(0, 3), ['approval_expired', 'approval_expired', 'telemetry_received']);
  const expired = after.filter((r) => r.role === 'audit' && (r.value as AuditRecordV1).event_kind === 'approval_expired').map((r) => r.value as AuditRecordV1<'approval_expired'>);
  t.deepEqual(
    expired.map((e) => e.payload.approval_id),
    [p.approval_id, second.approval_id],
  );
  t.deepEqual(
    expired.map((e) => e.event_time),
    [p.expires_at, second.expires_at],
  );
  t.is(expired[0]!.correlation_id, 'corr-1');
  const late = p.run.actionRecords(decide(p, alice));
  t.like(rejection(late), { reason_code: 'approval_not_pending', reason: `approval ${p.approval_id} is already expired` });
  t.deepEqual(executes(p.run.all.filter((r) => r.role === 'execute' && (r.value as ExecutionIntentV1).action_class !== 'A0_observe')), []);
});

test('rejections: wrong intent_hash, unknown actor, bad signature, unknown approval', (t) => {
  const p = pending('human');
  t.like(rejection(p.run.actionRecords(decide(p, alice, { intent_hash: 'a'.repeat(64) }))), { reason_code: 'intent_hash_mismatch' });
  t.like(rejection(p.run.actionRecords(decide(p, mallory))), { reason_code: 'unknown_actor' });
  const forged = { ...decide(p, mallory), actor_id: 'alice' }; // mallory's signature claiming to be alice
  t.like(rejection(p.run.actionRecords(forged)), { reason_code: 'bad_signature' });
  const tampered = { ...decide(p, alice), decided_at: at(1) }; // signed, then edited
  t.like(rejection(p.run.actionRecords(tampered)), { reason_code: 'bad_signature' });
  t.like(rejection(p.run.actionRecords(decide(p, alice, { approval_id: newUlid() }))), { reason_code: 'unknown_approval' });
  t.like(rejection(p.run.actionRecords(decide(p, alice, { tenant_id: 'globex' }))), { reason_code: 'tenant_mismatch' });
  t.deepEqual(executes(p.run.all), []);
  // Still pending after all that: a correct approval releases it.
  t.deepEqual(auditKinds(p.run.actionRecords(decide(p, alice))).slice(-1), ['intent_released']);
});

test('kill switches: global and tenant deny A1–A3 (SG-101/SG-102), A0 still allowed; off restores', (t) => {
  const run = new Run(configWith({}, [alice]));
  const kill = (action: 'kill_switch_on' | 'kill_switch_off', scope: 'global' | 'tenant', reason: string | null = 'incident 42'): OutputRecord[] =>
    run.actionRecords(
      signAction(
        {
          schema_version: '1',
          action_id: newUlid(),
          action,
          tenant_id: 'acme',
          correlation_id: 'ops',
          approval_id: null,
          intent_hash: null,
          scope,
          actor_id: 'alice',
          decided_at: at(1),
          reason,
        },
        alice.privateKey,
      ),
    );
  const confident = (i: number, tenant = 'acme') => run.telemetry(telemetry({ tenant_id: tenant, correlation_id: `k${i}`, attributes: { confidence: 0.95 } }));

  t.like(rejection(kill('kill_switch_on', 'global', null)), { reason_code: 'reason_required' });
  const on = kill('kill_switch_on', 'global');
  t.deepEqual(auditKinds(on), ['action_received', 'operator_action_applied', 'kill_switch_changed']);
  t.like(payloadOf(on, 'kill_switch_changed'), { scope: 'global', on: true, tenant_id: null });
  t.like(payloadOf(confident(1), 'safety_evaluated'), { rule: 'SG-101', verdict: 'deny', kill_switch_global: true });
  t.like(payloadOf(confident(2, 'globex'), 'safety_evaluated'), { rule: 'SG-101' });
  t.like(payloadOf(run.telemetry(telemetry({ correlation_id: 'k3', severity: 'low' })), 'safety_evaluated'), { rule: 'SG-501', verdict: 'allow' });
  kill('kill_switch_off', 'global');
  kill('kill_switch_on', 'tenant');
  t.like(payloadOf(confident(4), 'safety_evaluated'), { rule: 'SG-102', kill_switch_tenant: true, kill_switch_global: false });
  t.like(payloadOf(confident(5, 'globex'), 'safety_evaluated'), { rule: 'SG-403', verdict: 'allow' });
  kill('kill_switch_off', 'tenant');
  t.like(payloadOf(confident(6), 'safety_evaluated'), { rule: 'SG-403', verdict: 'allow' });
});

test('an event observed so late that its approval would already have expired: requested, then expired at once', (t) => {
  const run = new Run(configWith({}, [alice]));
  run.telemetry(telemetry({ severity: 'low', correlation_id: 'ahead', observed_at: at(2000) }));
  const late = run.telemetry(telemetry({ correlation_id: 'late', observed_at: at(0) }));
  t.deepEqual(auditKinds(late).slice(-2), ['approval_requested', 'approval_expired']);
  t.like(payloadOf(late, 'approval_expired'), { cause: 'stream_time', stream_time: at(2000), expires_at: at(900) });
  t.false(
    late.some((r) => r.role === 'state' && r.key!.startsWith('pending/')),
    'never enters the pending list',
  );
});

test('pending list: approvals inserted out of order expire in (expires_at, approval_id) order, list empties', (t) => {
  const run = new Run(configWith());
  const offsets = [50, 10, 30, 30, 0, 70, 20, 60, 40, 10];
  const requested = offsets.map((s, i) => payloadOf(run.telemetry(telemetry({ correlation_id: `o${i}`, observed_at: at(s) })), 'approval_requested'));
  const expected = requested
    .map((r) => [r.expires_at, r.approval_id] as const)
    .sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : 1))
    .map(([, id]) => id);
  // Advance stream time in two steps: the first expires those due by then, the second the rest.
  const first = run.telemetry(telemetry({ severity: 'low', correlation_id: 'tick1', observed_at: at(900 + 30.5) }));
  const second = run.telemetry(telemetry({ severity: 'low', correlation_id: 'tick2', observed_at: at(5000) }));
  const expiredIds = (records: typeof first) =>
    records
      .filter((r) => r.role === 'audit' && (r.value as AuditRecordV1).event_kind === 'approval_expired')
      .map((r) => (r.value as AuditRecordV1<'approval_expired'>).payload.approval_id);
  t.is(expiredIds(first).length, 6);
  t.deepEqual([...expiredIds(first), ...expiredIds(second)], expected);
  t.deepEqual(
    [...run.cache.keys()].filter((k) => k.startsWith('pending/')),
    [],
  );
  t.like(run.cache.get('meta/0')!.meta, { pending_head: null, pending_tail: null, pending_count: 0 });
});

test('an approve is recorded under the trace id of the intent it approves; one naming no approval under none', (t) => {
  const p = pending('human');
  const traces = (records: readonly OutputRecord[]) =>
    records.filter((r) => r.role === 'audit').map((r) => [(r.value as AuditRecordV1).event_kind, (r.value as AuditRecordV1).trace_id]);
  t.deepEqual(traces(p.run.actionRecords(decide(p, alice))), [
    ['action_received', 'trace-1'],
    ['operator_action_applied', 'trace-1'],
    ['approval_granted', 'trace-1'],
    ['intent_released', 'trace-1'],
  ]);
  t.deepEqual(traces(p.run.actionRecords(decide(p, bob, { approval_id: '01KJMMA2G0AAAAAAAAAAAAAAAA' }))), [
    ['action_received', null],
    ['operator_action_rejected', null],
  ]);
});
