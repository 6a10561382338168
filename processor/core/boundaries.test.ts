/**
 * Every boundary of the decision rules as a table row beside its twin on the other side, driven
 * through the public step (the Run harness: real codec, real core, real Ed25519), so the rows hold
 * whatever the core's internals look like. Non-default policy values (quorum_size 3, another
 * approval_ttl_s) must reach the decisions: hard-coding a default fails a row.
 */
import test from 'ava';
import { at, auditKinds, configWith, makeOperator, payloadOf, Run, signedAction, telemetry, type Operator } from '../testing/harness.js';
import type { OutputRecord, OperatorActionV1, StateRecordV1 } from './index.js';

const alice = makeOperator('alice');
const bob = makeOperator('bob');
const carol = makeOperator('carol');
const mallory = makeOperator('mallory'); // never registered

function safety(records: readonly OutputRecord[]): { rule: string; verdict: string } {
  const p = payloadOf(records, 'safety_evaluated');
  return { rule: p.rule, verdict: p.verdict };
}

function action(op: Operator, over: Partial<OperatorActionV1>): OperatorActionV1 {
  return signedAction(op, over);
}

/** A run holding one pending approval (trust 0.3 → SG-301, human), with the policy given. */
function withPending(policy: Record<string, unknown> = {}, cell = 'cell-low') {
  const run = new Run(configWith({ policy: { trust: { 'cell-low': 0.3 }, ...policy } }, [alice, bob, carol]));
  const requested = payloadOf(run.telemetry(telemetry({ cell_id: cell })), 'approval_requested');
  return {
    run,
    requested,
    vote: (op: Operator, over: Partial<OperatorActionV1> = {}) => action(op, { approval_id: requested.approval_id, intent_hash: requested.intent_hash, ...over }),
  };
}

// --- confidence: attributes.confidence counts when it is a number in [0, 1], else severity's (high: 0.80) ---
const confidenceRows: Array<[string, unknown, { confidence: number; confidence_source: string; classification: string }]> = [
  ['exactly 0 is in range', 0, { confidence: 0, confidence_source: 'attribute', classification: 'benign' }],
  ['just below 0 falls back to severity', -0.000001, { confidence: 0.8, confidence_source: 'severity', classification: 'malicious' }],
  ['exactly 1 is in range', 1, { confidence: 1, confidence_source: 'attribute', classification: 'malicious' }],
  ['just above 1 falls back to severity', 1.000001, { confidence: 0.8, confidence_source: 'severity', classification: 'malicious' }],
];
for (const [name, value, expected] of confidenceRows) {
  test(`confidence boundary: ${name}`, (t) => {
    const run = new Run(configWith());
    const out = run.telemetry(telemetry({ severity: 'high', attributes: { confidence: value } as Record<string, unknown> }));
    t.like(payloadOf(out, 'belief_emitted'), expected);
  });
}

// --- the gate's trust and rule-order boundaries, end to end through the policy ---
const a3 = { action_overrides: { malware_detected: 'A3_irreversible' } };
const gateRows: Array<[string, Record<string, unknown>, Record<string, unknown>, { rule: string; verdict: string }]> = [
  ['A3 at trust exactly 0.35 is past SG-301 (SG-303)', { ...a3, trust: { 'cell-x': 0.35 } }, {}, { rule: 'SG-303', verdict: 'require_human' }],
  ['A3 at trust 0.3499 is SG-301', { ...a3, trust: { 'cell-x': 0.3499 } }, {}, { rule: 'SG-301', verdict: 'require_human' }],
  ['unverified policy and trust < 0.35: SG-201 comes first', { trust: { 'cell-x': 0.2 } }, { pinned_policy_sha256: 'f'.repeat(64) }, { rule: 'SG-201', verdict: 'require_quorum' }],
  ['verified policy and trust < 0.35: SG-301', { trust: { 'cell-x': 0.2 } }, {}, { rule: 'SG-301', verdict: 'require_human' }],
];
for (const [name, policy, top, expected] of gateRows) {
  test(`gate boundary: ${name}`, (t) => {
    const run = new Run(configWith({ ...top, policy }));
    t.deepEqual(safety(run.telemetry(telemetry({ cell_id: 'cell-x', severity: 'critical', attributes: { confidence: 0.99 } }))), expected);
  });
}

// --- SG-405 through a real three-cell collective: aggregate exactly 0.92 allows, 0.91999 does not ---
const sg405Rows: Array<[string, number, number, { rule: string; verdict: string }]> = [
  ['aggregate exactly 0.92 (0.82, 0.97, 0.97)', 0.82, 0.92, { rule: 'SG-405', verdict: 'allow' }],
  ['aggregate 0.91999 (0.81997, 0.97, 0.97)', 0.81997, 0.91999, { rule: 'SG-406', verdict: 'require_human' }],
];
for (const [name, third, aggregate, expected] of sg405Rows) {
  test(`SG-405 boundary: ${name}`, (t) => {
    const run = new Run(configWith({ policy: a3 }));
    run.telemetry(telemetry({ cell_id: 'cell-c', attributes: { confidence: third }, observed_at: at(0) }));
    run.telemetry(telemetry({ cell_id: 'cell-b', attributes: { confidence: 0.97 }, observed_at: at(1) }));
    const out = run.telemetry(telemetry({ cell_id: 'cell-a', attributes: { confidence: 0.97 }, observed_at: at(2) }));
    t.like(payloadOf(out, 'collective_updated'), { quorum_count: 3, aggregate_score: aggregate });
    t.deepEqual(safety(out), expected);
    t.is(
      out.some((r) => r.role === 'execute'),
      expected.verdict === 'allow',
    );
  });
}

// --- a late event whose approval expiry meets stream time: equal stays pending, 1 ms earlier expires at once ---
const lateRows: Array<[string, number, string[]]> = [
  ['expiry equals stream time: pending', 100, ['approval_requested']],
  ['expiry 1 ms before stream time: expired at once', 99.999, ['approval_requested', 'approval_expired']],
];
for (const [name, observedS, tail] of lateRows) {
  test(`late approval boundary: ${name}`, (t) => {
    const run = new Run(configWith({ policy: { trust: { 'cell-low': 0.3 } } }));
    run.telemetry(telemetry({ severity: 'low', correlation_id: 'clock', observed_at: at(1000) }));
    const out = run.telemetry(telemetry({ cell_id: 'cell-low', observed_at: at(observedS) }));
    t.is(payloadOf(out, 'approval_requested').expires_at, at(observedS + 900));
    t.deepEqual(auditKinds(out).slice(auditKinds(out).indexOf('approval_requested')), tail);
  });
}

// --- a belief exactly at the 2 x ttl horizon when its collective is pruned: kept; 1 ms older: pruned ---
function collectiveWrites(records: readonly OutputRecord[]): Array<{ key: string; emitters: string[] | null }> {
  return records
    .filter((r) => r.role === 'state' && (r.key ?? '').startsWith('collective/'))
    .map((r) => ({ key: r.key!, emitters: (r.value as StateRecordV1 | null)?.collective?.beliefs.map((b) => b.emitter) ?? null }));
}
const horizonRows: Array<[string, number, Array<{ key: string; emitters: string[] | null }>]> = [
  // Stream time t0 + 2 ttl + 1 ms: the horizon is t0 + 1 ms, where cell-b's belief sits.
  ['cell-b exactly at the horizon is kept, cell-a 1 ms before it is pruned', 1, [{ key: 'collective/acme/malware_detected/corr-h', emitters: ['cell-b'] }]],
  // One ms later the horizon passes cell-b too: the collective is deleted.
  ['1 ms later both are past it: the collective is deleted', 2, [{ key: 'collective/acme/malware_detected/corr-h', emitters: null }]],
];
for (const [name, pastMs, expected] of horizonRows) {
  test(`belief horizon boundary: ${name}`, (t) => {
    const ttl = 600;
    const run = new Run(configWith({ policy: { belief_ttl_s: ttl } }));
    run.telemetry(telemetry({ cell_id: 'cell-a', correlation_id: 'corr-h', observed_at: at(0) }));
    run.telemetry(telemetry({ cell_id: 'cell-b', correlation_id: 'corr-h', observed_at: at(0.001) }));
    // Exactly at the collective's check time nothing is looked at yet.
    const atCheck = run.telemetry(telemetry({ severity: 'low', correlation_id: 'clock-0', observed_at: at(2 * ttl) }));
    t.deepEqual(collectiveWrites(atCheck), [{ key: 'collective/acme/malware_detected/clock-0', emitters: ['cell-a'] }]);
    const past = run.telemetry(telemetry({ severity: 'low', correlation_id: 'clock-1', observed_at: at(2 * ttl + pastMs / 1000) }));
    t.deepEqual(
      collectiveWrites(past).filter((w) => w.key.endsWith('/corr-h')),
      expected,
    );
  });
}

// --- operator actions on both sides of their rules ---
test('kill switch without a scope is rejected (scope_required); its twin with scope global applies', (t) => {
  const run = new Run(configWith({}, [alice]));
  const noScope = run.actionRecords(action(alice, { action: 'kill_switch_on', scope: null, reason: 'incident 7' }));
  t.like(payloadOf(noScope, 'operator_action_rejected'), { reason_code: 'scope_required' });
  t.false(auditKinds(noScope).includes('kill_switch_changed'));
  const global = run.actionRecords(action(alice, { action: 'kill_switch_on', scope: 'global', reason: 'incident 7' }));
  t.like(payloadOf(global, 'kill_switch_changed'), { on: true, scope: 'global', tenant_id: null });
  t.deepEqual(safety(run.telemetry(telemetry({ severity: 'critical' }))), { rule: 'SG-101', verdict: 'deny' });
});

const killRows: Array<[string, () => OperatorActionV1, string | null]> = [
  ['a registered actor with a good signature applies', () => action(alice, { action: 'kill_switch_on', scope: 'global', reason: 'r' }), null],
  ['a bad signature is rejected', () => ({ ...action(alice, { action: 'kill_switch_on', scope: 'global', reason: 'r' }), reason: 'changed after signing' }), 'bad_signature'],
  ['an unknown actor is rejected', () => action(mallory, { action: 'kill_switch_on', scope: 'global', reason: 'r' }), 'unknown_actor'],
  ['signed by alice under bob’s name is rejected', () => action(alice, { action: 'kill_switch_on', scope: 'global', reason: 'r', actor_id: 'bob' }), 'bad_signature'],
];
for (const [name, make, reasonCode] of killRows) {
  test(`kill switch: ${name}`, (t) => {
    const run = new Run(configWith({}, [alice, bob]));
    const out = run.actionRecords(make());
    if (reasonCode === null) t.deepEqual(auditKinds(out), ['action_received', 'operator_action_applied', 'kill_switch_changed']);
    else {
      t.deepEqual(auditKinds(out), ['action_received', 'operator_action_rejected']);
      t.like(payloadOf(out, 'operator_action_rejected'), { reason_code: reasonCode });
    }
    // The switch is on only when the action applied.
    t.is(safety(run.telemetry(telemetry({ severity: 'critical' }))).rule, reasonCode === null ? 'SG-101' : 'SG-403');
  });
}

const denyRows: Array<[string, number, string[]]> = [
  ['deny decided exactly at the expiry denies', 0, ['action_received', 'operator_action_applied', 'approval_denied']],
  ['deny decided 1 ms after the expiry is rejected and expires the approval', 1, ['action_received', 'operator_action_rejected', 'approval_expired']],
];
for (const [name, lateMs, kinds] of denyRows) {
  test(`deny boundary: ${name}`, (t) => {
    const p = withPending();
    const decided = new Date(Date.parse(p.requested.expires_at) + lateMs).toISOString();
    const out = p.run.actionRecords(p.vote(alice, { action: 'deny', reason: 'false positive', decided_at: decided }));
    t.deepEqual(auditKinds(out), kinds);
    if (lateMs > 0) t.like(payloadOf(out, 'operator_action_rejected'), { reason_code: 'after_expiry' });
  });
}

// --- non-default policy values reach the decisions ---
const quorumRows: Array<[string, number, number, boolean]> = [
  ['quorum_size 3: two votes leave it pending', 3, 2, false],
  ['quorum_size 3: the third distinct vote releases', 3, 3, true],
  ['quorum_size 2 (twin): the second vote releases', 2, 2, true],
];
for (const [name, quorumSize, votes, released] of quorumRows) {
  test(`non-default config: ${name}`, (t) => {
    // Default trust, high severity (A2 at 0.80): SG-404 require_quorum.
    const p = withPending({ quorum_size: quorumSize }, 'cell-a');
    t.like(p.requested, { requirement: 'quorum', required_votes: quorumSize, rule: 'SG-404' });
    let last: OutputRecord[] = [];
    for (const [i, op] of [alice, bob, carol].slice(0, votes).entries()) last = p.run.actionRecords(p.vote(op, { decided_at: at(60 + i) }));
    t.like(payloadOf(last, 'operator_action_applied'), { required_votes: quorumSize });
    t.is(auditKinds(last).includes('intent_released'), released);
    t.is(p.run.all.filter((r) => r.role === 'execute').length, released ? 1 : 0);
  });
}

const ttlRows: Array<[string, number, number, boolean]> = [
  ['approval_ttl_s 120: stream time at exactly the expiry leaves it pending', 120, 120, false],
  ['approval_ttl_s 120: 1 ms past the expiry expires it', 120, 120.001, true],
  ['approval_ttl_s 900 (twin): 120.001 s later it is still pending', 900, 120.001, false],
];
for (const [name, ttl, laterS, expired] of ttlRows) {
  test(`non-default config: ${name}`, (t) => {
    const p = withPending({ approval_ttl_s: ttl });
    t.is(p.requested.expires_at, at(ttl));
    const out = p.run.telemetry(telemetry({ severity: 'low', correlation_id: 'clock', observed_at: at(laterS) }));
    t.is(auditKinds(out).includes('approval_expired'), expired);
    // An approve decided within the ttl releases; one after it is rejected, whatever the default says.
    const q = withPending({ approval_ttl_s: ttl });
    const vote = q.run.actionRecords(q.vote(alice, { decided_at: at(laterS) }));
    t.is(auditKinds(vote).includes('intent_released'), !expired);
  });
}
