import test from 'ava';
import type { Policy } from './config-types.js';
import { actionClassFor, classify, evaluateGate, isKnownCell, isProtectedSubject, round6, trustOf, type GateInput } from './gate.js';
import type { ActionClass, Classification } from './types.js';

const base: GateInput = {
  action_class: 'A2_hard_containment',
  protected_subject: false,
  live_containment: false,
  trust: 0.85,
  confidence: 0.5,
  quorum_count: 1,
  aggregate_score: 0.5,
  policy_verified: true,
  kill_switch_global: false,
  kill_switch_tenant: false,
  unknown_cell_observe_only: false,
};
const A0: ActionClass = 'A0_observe';
const A1: ActionClass = 'A1_soft_containment';
const A3: ActionClass = 'A3_irreversible';

// [description, overrides, expected rule, expected verdict]
const table: [string, Partial<GateInput>, string, string][] = [
  // SG-101/102: kill switches deny every class but A0.
  ['global kill, A1', { kill_switch_global: true, action_class: A1, confidence: 0.9 }, 'SG-101', 'deny'],
  ['global kill, A3', { kill_switch_global: true, action_class: A3 }, 'SG-101', 'deny'],
  ['global kill, A0 still allowed', { kill_switch_global: true, action_class: A0 }, 'SG-501', 'allow'],
  ['tenant kill, A2', { kill_switch_tenant: true }, 'SG-102', 'deny'],
  ['tenant kill, A0 still allowed', { kill_switch_tenant: true, action_class: A0 }, 'SG-501', 'allow'],
  ['global before tenant', { kill_switch_global: true, kill_switch_tenant: true }, 'SG-101', 'deny'],
  // SG-105: an unknown cell under policy.unknown_cell observe_only reaches A0 only.
  ['unknown cell observe_only, A2 high confidence', { unknown_cell_observe_only: true, confidence: 0.99 }, 'SG-105', 'deny'],
  ['unknown cell observe_only, A1', { unknown_cell_observe_only: true, action_class: A1, confidence: 0.9 }, 'SG-105', 'deny'],
  ['unknown cell observe_only, A3', { unknown_cell_observe_only: true, action_class: A3 }, 'SG-105', 'deny'],
  ['unknown cell observe_only, A0 still allowed', { unknown_cell_observe_only: true, action_class: A0 }, 'SG-501', 'allow'],
  ['kill switch before SG-105', { unknown_cell_observe_only: true, kill_switch_tenant: true }, 'SG-102', 'deny'],
  ['SG-105 before an unverified policy', { unknown_cell_observe_only: true, policy_verified: false }, 'SG-105', 'deny'],
  // SG-201: unverified policy.
  ['policy not verified, A2 high confidence', { policy_verified: false, confidence: 0.99 }, 'SG-201', 'require_quorum'],
  ['policy not verified, A1', { policy_verified: false, action_class: A1, confidence: 0.9 }, 'SG-201', 'require_quorum'],
  ['policy not verified, A0', { policy_verified: false, action_class: A0 }, 'SG-501', 'allow'],
  // SG-150: a protected subject needs a human for every class above A0; after SG-201, before trust.
  ['protected, A1 high confidence', { protected_subject: true, action_class: A1, confidence: 0.9 }, 'SG-150', 'require_human'],
  ['not protected, A1 high confidence', { protected_subject: false, action_class: A1, confidence: 0.9 }, 'SG-401', 'allow'],
  ['protected, A2 high confidence', { protected_subject: true, confidence: 0.99 }, 'SG-150', 'require_human'],
  ['protected, A3 all thresholds', { protected_subject: true, action_class: A3, confidence: 0.99, quorum_count: 3, aggregate_score: 0.99 }, 'SG-150', 'require_human'],
  ['protected, A0 still allowed', { protected_subject: true, action_class: A0 }, 'SG-501', 'allow'],
  ['tenant kill before protected', { protected_subject: true, kill_switch_tenant: true }, 'SG-102', 'deny'],
  ['unverified policy before protected', { protected_subject: true, policy_verified: false }, 'SG-201', 'require_quorum'],
  ['protected before low trust', { protected_subject: true, trust: 0.1 }, 'SG-150', 'require_human'],
  // SG-160: a containment in force denies every class above A0; after SG-150, before trust and confidence.
  ['in force, A1 high confidence', { live_containment: true, action_class: A1, confidence: 0.9 }, 'SG-160', 'deny'],
  ['in force, A2 all thresholds', { live_containment: true, confidence: 0.99, quorum_count: 3, aggregate_score: 0.99 }, 'SG-160', 'deny'],
  ['in force, A3', { live_containment: true, action_class: A3, confidence: 0.99, quorum_count: 3, aggregate_score: 0.99 }, 'SG-160', 'deny'],
  ['in force, A0 still allowed', { live_containment: true, action_class: A0 }, 'SG-501', 'allow'],
  ['protected before in force', { live_containment: true, protected_subject: true }, 'SG-150', 'require_human'],
  ['tenant kill before in force', { live_containment: true, kill_switch_tenant: true }, 'SG-102', 'deny'],
  ['unverified policy before in force', { live_containment: true, policy_verified: false }, 'SG-201', 'require_quorum'],
  ['in force before low trust', { live_containment: true, trust: 0.1 }, 'SG-160', 'deny'],
  // SG-301: trust boundary 0.35 for A2/A3.
  ['trust 0.3499 A2', { trust: 0.3499, confidence: 0.99 }, 'SG-301', 'require_human'],
  ['trust 0.3499 A3', { trust: 0.3499, action_class: A3 }, 'SG-301', 'require_human'],
  ['trust 0.35 A2 → SG-302', { trust: 0.35, confidence: 0.99 }, 'SG-302', 'require_quorum'],
  ['trust 0.2 A1 is not SG-301', { trust: 0.2, action_class: A1, confidence: 0.85 }, 'SG-401', 'allow'],
  // SG-302: trust boundary 0.50 for A2.
  ['trust 0.4999 A2', { trust: 0.4999, confidence: 0.99 }, 'SG-302', 'require_quorum'],
  ['trust 0.50 A2 → SG-403 (confidence 0.99)', { trust: 0.5, confidence: 0.99 }, 'SG-403', 'allow'],
  ['trust 0.45 A3 → SG-303', { trust: 0.45, action_class: A3 }, 'SG-303', 'require_human'],
  // SG-303: trust boundary 0.80 for A3.
  ['trust 0.7999 A3', { trust: 0.7999, action_class: A3, confidence: 0.99, quorum_count: 3, aggregate_score: 0.95 }, 'SG-303', 'require_human'],
  ['trust 0.80 A3 all thresholds → SG-405', { trust: 0.8, action_class: A3, confidence: 0.97, quorum_count: 3, aggregate_score: 0.92 }, 'SG-405', 'allow'],
  ['trust 0.7 A2 is not SG-303', { trust: 0.7, confidence: 0.95 }, 'SG-403', 'allow'],
  // SG-401/402: A1 confidence boundary 0.80.
  ['A1 confidence 0.80', { action_class: A1, confidence: 0.8 }, 'SG-401', 'allow'],
  ['A1 confidence 0.7999', { action_class: A1, confidence: 0.7999 }, 'SG-402', 'deny'],
  // SG-403/404: A2 confidence boundary 0.90; quorum 2 with aggregate 0.85.
  ['A2 confidence 0.90', { confidence: 0.9 }, 'SG-403', 'allow'],
  ['A2 confidence 0.8999', { confidence: 0.8999 }, 'SG-404', 'require_quorum'],
  ['A2 quorum 2 aggregate 0.85', { confidence: 0.8, quorum_count: 2, aggregate_score: 0.85 }, 'SG-403', 'allow'],
  ['A2 quorum 2 aggregate 0.8499', { confidence: 0.8, quorum_count: 2, aggregate_score: 0.8499 }, 'SG-404', 'require_quorum'],
  ['A2 quorum 1 aggregate 0.95', { confidence: 0.8, quorum_count: 1, aggregate_score: 0.95 }, 'SG-404', 'require_quorum'],
  ['A2 quorum 3 aggregate 0.85', { confidence: 0.8, quorum_count: 3, aggregate_score: 0.85 }, 'SG-403', 'allow'],
  // SG-405/406: A3 confidence 0.97, quorum 3, aggregate 0.92 — each side.
  ['A3 all at thresholds', { action_class: A3, confidence: 0.97, quorum_count: 3, aggregate_score: 0.92 }, 'SG-405', 'allow'],
  ['A3 confidence 0.9699', { action_class: A3, confidence: 0.9699, quorum_count: 3, aggregate_score: 0.92 }, 'SG-406', 'require_human'],
  ['A3 quorum 2', { action_class: A3, confidence: 0.99, quorum_count: 2, aggregate_score: 0.99 }, 'SG-406', 'require_human'],
  ['A3 aggregate 0.9199', { action_class: A3, confidence: 0.99, quorum_count: 3, aggregate_score: 0.9199 }, 'SG-406', 'require_human'],
  // SG-501: A0.
  ['A0 low everything', { action_class: A0, trust: 0.1, confidence: 0.1 }, 'SG-501', 'allow'],
  // SG-999: no class matches (an action class outside the table).
  ['unknown class', { action_class: 'A9_unknown' as ActionClass }, 'SG-999', 'deny'],
];

for (const [name, over, rule, verdict] of table) {
  test(`gate: ${name} → ${rule} ${verdict}`, (t) => {
    t.deepEqual(evaluateGate({ ...base, ...over }), { rule, verdict });
  });
}

test('gate: every rule of the design table is reached by the table above', (t) => {
  const reached = new Set(table.map(([, over]) => evaluateGate({ ...base, ...over }).rule));
  t.deepEqual([...reached].sort(), [
    'SG-101',
    'SG-102',
    'SG-105',
    'SG-150',
    'SG-160',
    'SG-201',
    'SG-301',
    'SG-302',
    'SG-303',
    'SG-401',
    'SG-402',
    'SG-403',
    'SG-404',
    'SG-405',
    'SG-406',
    'SG-501',
    'SG-999',
  ]);
});

// [subject, protected_subjects, protected?]: exact values and `prefix*` patterns, each side of the boundary.
const protectedTable: [string, string[], boolean][] = [
  ['host-1', ['host-1'], true],
  ['host-10', ['host-1'], false],
  ['host-', ['host-1'], false],
  ['db-1', ['db-*'], true],
  ['db-', ['db-*'], true],
  ['db', ['db-*'], false],
  ['xdb-1', ['db-*'], false],
  ['anything', ['*'], true],
  ['host-1', [], false],
  ['10.0.0.1', ['dc-01', '10.0.0.*'], true],
];

for (const [subject, patterns, expected] of protectedTable) {
  test(`protected subjects: ${subject} against ${JSON.stringify(patterns)} → ${expected}`, (t) => {
    t.is(isProtectedSubject(subject, patterns), expected);
  });
}

// Stage 3 to 5 helpers of gate.ts, each boundary with its twin.
// Only the keys these helpers read (the test stays free of the config loader).
const policy = {
  trust: { 'cell-a': 0.4, 'cell-zero': 0 },
  default_trust: 0.6,
  action_overrides: { 'wiper.detected': 'A3_irreversible' },
} as Partial<Policy> as Policy;

const classifyTable: [number, Classification][] = [
  [1, 'malicious'],
  [0.8, 'malicious'],
  [0.799999, 'suspicious'],
  [0.5, 'suspicious'],
  [0.499999, 'benign'],
  [0, 'benign'],
];
for (const [confidence, classification] of classifyTable) {
  test(`classify: ${confidence} → ${classification}`, (t) => t.is(classify(confidence), classification));
}

// [claim type, classification, action class]: an override wins over the classification; inherited names are not overrides.
const classTable: [string, Classification, ActionClass][] = [
  ['wiper.detected', 'benign', 'A3_irreversible'],
  ['malware.detected', 'malicious', 'A2_hard_containment'],
  ['malware.detected', 'suspicious', 'A1_soft_containment'],
  ['malware.detected', 'benign', 'A0_observe'],
  ['toString', 'suspicious', 'A1_soft_containment'],
];
for (const [claim, classification, actionClass] of classTable) {
  test(`action class: ${claim} ${classification} → ${actionClass}`, (t) => t.is(actionClassFor(claim, classification, policy), actionClass));
}

test('trust: a registered cell has its own trust (even 0), any other cell the default; inherited names are not cells', (t) => {
  t.deepEqual(
    ['cell-a', 'cell-zero', 'cell-b', 'toString', '__proto__'].map((cell) => [trustOf(cell, policy), isKnownCell(cell, policy)]),
    [
      [0.4, true],
      [0, true],
      [0.6, false],
      [0.6, false],
      [0.6, false],
    ],
  );
});

test('round6 rounds half up at the sixth decimal and keeps what is already exact', (t) => {
  t.deepEqual([0.1234565, 0.1234564, 0.3000000000000001, 1, 0].map(round6), [0.123457, 0.123456, 0.3, 1, 0]);
});
