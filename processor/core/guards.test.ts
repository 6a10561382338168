/** The guards of docs/guards.md through the real codec and core, each side of each boundary. */
import test from 'ava';
import { signAction } from '../operator-signing.js';
import { at, auditKinds, configWith, makeOperator, newUlid, payloadOf, Run, telemetry } from '../testing/harness.js';
import type { ExecutionIntentV1, OutputRecord } from './index.js';

const alice = makeOperator('alice');
const guarded = () => configWith({ policy: { protected_subjects: ['dc-01', 'prod-db-*'] } }, [alice]);

function executes(out: readonly OutputRecord[]): ExecutionIntentV1[] {
  return out.filter((r) => r.role === 'execute').map((r) => r.value as ExecutionIntentV1);
}

test('SG-150: a critical event on a protected host asks a human instead of releasing (SG-403 without the guard)', (t) => {
  const event = telemetry({ severity: 'critical', entity_refs: { host: 'prod-db-7' } });
  const plain = new Run(configWith({}, [alice])).telemetry(event);
  t.like(payloadOf(plain, 'safety_evaluated'), { rule: 'SG-403', verdict: 'allow' });
  t.is(executes(plain).length, 1);

  const run = new Run(guarded());
  const out = run.telemetry(event);
  t.deepEqual(auditKinds(out).slice(-2), ['safety_evaluated', 'approval_requested']);
  t.like(payloadOf(out, 'safety_evaluated'), { rule: 'SG-150', verdict: 'require_human', action_class: 'A2_hard_containment' });
  const requested = payloadOf(out, 'approval_requested');
  t.like(requested, { rule: 'SG-150', requirement: 'human', required_votes: 1 });
  t.deepEqual(executes(out), []);

  const approve = signAction(
    {
      schema_version: '1',
      action_id: newUlid(),
      action: 'approve',
      tenant_id: 'acme',
      correlation_id: 'corr-1',
      approval_id: requested.approval_id,
      intent_hash: requested.intent_hash,
      scope: null,
      actor_id: 'alice',
      decided_at: at(30),
      reason: null,
    },
    alice.privateKey,
  );
  const granted = run.actionRecords(approve);
  t.deepEqual(auditKinds(granted), ['action_received', 'operator_action_applied', 'approval_granted', 'intent_released']);
  t.like(executes(granted)[0], { subject: 'prod-db-7', released_by: { rule: 'SG-150', approval_id: requested.approval_id, approvers: ['alice'] } });
});

test('SG-150: exact entries match only themselves, prefixes only what starts with them; A0 passes', (t) => {
  const run = new Run(guarded());
  const rule = (host: string, severity = 'critical') =>
    payloadOf(run.telemetry(telemetry({ severity, entity_refs: { host }, correlation_id: `c-${host}-${severity}` })), 'safety_evaluated').rule;
  t.is(rule('dc-01'), 'SG-150');
  t.is(rule('dc-010'), 'SG-403');
  t.is(rule('prod-db-'), 'SG-150');
  t.is(rule('prod-db'), 'SG-403');
  t.is(rule('dc-01', 'low'), 'SG-501');
});

test('SG-150: a protected user is matched on the subject the intent is about (the first entity ref present)', (t) => {
  const run = new Run(configWith({ policy: { protected_subjects: ['svc-backup'] } }));
  const onUser = run.telemetry(telemetry({ severity: 'critical', entity_refs: { user: 'svc-backup', ip: '10.0.0.9' }, correlation_id: 'u' }));
  t.is(payloadOf(onUser, 'safety_evaluated').rule, 'SG-150');
  const hostFirst = run.telemetry(telemetry({ severity: 'critical', entity_refs: { host: 'ws-1', user: 'svc-backup' }, correlation_id: 'h' }));
  t.is(payloadOf(hostFirst, 'safety_evaluated').rule, 'SG-403');
});
