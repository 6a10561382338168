/** The whole telemetry pipeline through the real codec and core: classification, collective, gate in context. */
import test from 'ava';
import { at, auditKinds, configWith, payloadOf, Run, T0, telemetry } from '../testing/harness.js';
import type { ActionClass, Classification, ExecutionIntentV1 } from './types.js';

test('a high-severity event from a trusted cell: full trace, approval required by SG-404', (t) => {
  const run = new Run(configWith());
  const out = run.telemetry(telemetry());
  t.deepEqual(auditKinds(out), ['telemetry_received', 'facts_derived', 'belief_emitted', 'collective_updated', 'intent_proposed', 'safety_evaluated', 'approval_requested']);
  const gate = payloadOf(out, 'safety_evaluated');
  t.is(gate.rule, 'SG-404');
  t.is(gate.verdict, 'require_quorum');
  t.is(gate.trust, 0.85);
  t.is(gate.confidence, 0.8);
  const approval = payloadOf(out, 'approval_requested');
  t.is(approval.requirement, 'quorum');
  t.is(approval.required_votes, 2);
  t.is(approval.expires_at, at(900));
});

test('attributes.confidence in [0,1] overrides severity; outside it falls back to severity', (t) => {
  const run = new Run(configWith());
  const a = run.telemetry(telemetry({ attributes: { confidence: 0.93 }, severity: 'low' }));
  t.like(payloadOf(a, 'belief_emitted'), { confidence: 0.93, confidence_source: 'attribute', classification: 'malicious' });
  const b = run.telemetry(telemetry({ attributes: { confidence: 1.5 }, severity: 'medium', correlation_id: 'c2' }));
  t.like(payloadOf(b, 'belief_emitted'), { confidence: 0.5, confidence_source: 'severity', classification: 'suspicious' });
  const c = run.telemetry(telemetry({ attributes: { confidence: '0.9' }, severity: 'low', correlation_id: 'c3' }));
  t.like(payloadOf(c, 'belief_emitted'), { confidence: 0.2, confidence_source: 'severity', classification: 'benign' });
});

test('classification boundaries 0.80 and 0.50 pick the action class', (t) => {
  const run = new Run(configWith());
  const cases: [number, Classification, ActionClass][] = [
    [0.8, 'malicious', 'A2_hard_containment'],
    [0.7999, 'suspicious', 'A1_soft_containment'],
    [0.5, 'suspicious', 'A1_soft_containment'],
    [0.4999, 'benign', 'A0_observe'],
  ];
  for (const [i, [confidence, classification, actionClass]] of cases.entries()) {
    const out = run.telemetry(telemetry({ attributes: { confidence }, correlation_id: `cls-${i}` }));
    t.is(payloadOf(out, 'intent_proposed').intent.classification, classification);
    t.is(payloadOf(out, 'intent_proposed').intent.action_class, actionClass);
  }
});

test('A0 is released to the execute topic once with SG-501; subject is the first entity ref present', (t) => {
  const run = new Run(configWith());
  const out = run.telemetry(telemetry({ severity: 'low', entity_refs: { user: 'bob', ip: '10.0.0.1' } }));
  t.deepEqual(auditKinds(out).slice(-2), ['safety_evaluated', 'intent_released']);
  const execute = out.filter((r) => r.role === 'execute');
  t.is(execute.length, 1);
  const intent = execute[0]!.value as ExecutionIntentV1;
  const released = out.find((r) => r.role === 'audit' && (r.value as { event_kind: string }).event_kind === 'intent_released')!;
  t.is(execute[0]!.key, 'bob');
  t.like(intent, {
    subject: 'bob',
    action_class: 'A0_observe',
    intent_type: 'observe',
    released_by: { rule: 'SG-501', approval_id: null, approvers: [] },
    event_time: T0,
    config_hash: run.config.config_hash,
  });
  t.is(intent.source_audit_id, (released.value as { audit_id: string }).audit_id);
  t.is(payloadOf(out, 'facts_derived').subject_kind, 'user');
});

test('policy tables: claim_types, action_overrides, intent_types, trust', (t) => {
  const run = new Run(
    configWith({
      policy: {
        claim_types: { malware_detected: 'compromise' },
        action_overrides: { compromise: 'A3_irreversible' },
        intent_types: { A3_irreversible: 'wipe' },
        trust: { 'cell-z': 0.3 },
      },
    }),
  );
  const out = run.telemetry(telemetry({ cell_id: 'cell-z' }));
  const intent = payloadOf(out, 'intent_proposed').intent;
  t.like(intent, { claim_type: 'compromise', action_class: 'A3_irreversible', intent_type: 'wipe' });
  t.like(payloadOf(out, 'safety_evaluated'), { trust: 0.3, rule: 'SG-301', verdict: 'require_human' });
  t.like(payloadOf(out, 'approval_requested'), { requirement: 'human', required_votes: 1 });
});

test('SG-403 via the collective: two cells agreeing at aggregate ≥ 0.85 release an A2 intent', (t) => {
  const run = new Run(configWith());
  run.telemetry(telemetry({ cell_id: 'cell-a', attributes: { confidence: 0.85 } }));
  const out = run.telemetry(telemetry({ cell_id: 'cell-b', attributes: { confidence: 0.85 }, observed_at: at(10) }));
  t.like(payloadOf(out, 'collective_updated'), { quorum_count: 2, aggregate_score: 0.85, conflict: false });
  t.like(payloadOf(out, 'safety_evaluated'), { rule: 'SG-403', verdict: 'allow' });
  t.is(out.filter((r) => r.role === 'execute').length, 1);
});

test('SG-201: a pinned policy hash that does not match requires a quorum even for confident events', (t) => {
  const pinned = configWith({ pinned_policy_sha256: 'f'.repeat(64) });
  t.false(pinned.policy_verified);
  const out = new Run(pinned).telemetry(telemetry({ attributes: { confidence: 0.99 } }));
  t.like(payloadOf(out, 'safety_evaluated'), { rule: 'SG-201', verdict: 'require_quorum', policy_verified: false });
  const good = configWith({ pinned_policy_sha256: configWith().policy_sha256 });
  t.true(good.policy_verified);
  t.like(payloadOf(new Run(good).telemetry(telemetry({ attributes: { confidence: 0.99 } })), 'safety_evaluated'), { rule: 'SG-403', policy_verified: true });
});

test('SG-402 denies an A1 intent below 0.80 and records intent_denied', (t) => {
  const out = new Run(configWith()).telemetry(telemetry({ severity: 'medium' }));
  t.deepEqual(auditKinds(out).slice(-2), ['safety_evaluated', 'intent_denied']);
  t.like(payloadOf(out, 'intent_denied'), { rule: 'SG-402', action_class: 'A1_soft_containment' });
  t.is(out.filter((r) => r.role === 'execute').length, 0);
});

test('a duplicate delivery produces its receipt and nothing else', (t) => {
  const run = new Run(configWith());
  const ev = telemetry({ severity: 'low' });
  const first = run.telemetry(ev);
  const second = run.telemetry(ev);
  t.true(first.some((r) => r.role === 'execute'));
  t.deepEqual(auditKinds(second), ['telemetry_duplicate']);
  t.deepEqual(
    second.filter((r) => r.role !== 'state' && r.role !== 'audit'),
    [],
  );
  // Only the chain head moves.
  t.deepEqual(
    second.filter((r) => r.role === 'state').map((r) => r.key),
    ['meta/0'],
  );
});
