import test from 'ava';
import type { ActionClass } from './types.js';
import { evaluateGate } from './gate.js';
import { describeRule, SAFETY_RULE_DESCRIPTIONS } from './gate-rules.js';

test('the descriptions name exactly the rules the gate returns over a grid of its inputs', (t) => {
  const seen = new Set<string>();
  const classes: ActionClass[] = ['A0_observe', 'A1_soft_containment', 'A2_hard_containment', 'A3_irreversible'];
  for (const action_class of classes)
    for (const trust of [0.2, 0.4, 0.6, 0.9])
      for (const confidence of [0.5, 0.85, 0.95, 0.99])
        for (const [quorum_count, aggregate_score] of [
          [1, 0.5],
          [2, 0.9],
          [3, 0.95],
        ] as const)
          for (const policy_verified of [true, false])
            for (const protected_subject of [false, true])
              for (const live_containment of [false, true])
                for (const [kill_switch_global, kill_switch_tenant] of [
                  [false, false],
                  [true, false],
                  [false, true],
                ] as const)
                  for (const unknown_cell_observe_only of [false, true])
                    seen.add(
                      evaluateGate({
                        action_class,
                        trust,
                        confidence,
                        quorum_count,
                        aggregate_score,
                        policy_verified,
                        protected_subject,
                        live_containment,
                        kill_switch_global,
                        kill_switch_tenant,
                        unknown_cell_observe_only,
                      }).rule,
                    );
  // SG-999 is the gate's fallback for a class outside the four; every class above matches earlier.
  seen.add('SG-999');
  t.deepEqual([...seen].sort(), Object.keys(SAFETY_RULE_DESCRIPTIONS).sort());
});

test('a described rule reads "id (words)", an unknown one stays its bare id', (t) => {
  t.is(describeRule('SG-501'), 'SG-501 (class A0 (observe): allow)');
  t.is(describeRule('SG-777'), 'SG-777');
});

// The words people read for each rule (trace, viewer), pinned: a changed description is a reviewed change.
test('each rule reads as the design table says, word for word', (t) => {
  t.deepEqual(SAFETY_RULE_DESCRIPTIONS, {
    'SG-101': 'global kill switch is on, class is not A0: deny',
    'SG-102': "the tenant's kill switch is on, class is not A0: deny",
    'SG-105': 'unknown cell (not in policy.trust) under policy.unknown_cell observe_only, class is not A0: deny',
    'SG-201': 'policy not verified (pinned_policy_sha256 set and different), class is not A0: require quorum',
    'SG-150': 'protected subject (policy.protected_subjects), class is not A0: require a human',
    'SG-160': 'a containment of the same or a stronger class is in force on the subject (policy.no_double_containment), class is not A0: deny',
    'SG-301': 'cell trust < 0.35, class A2 or A3: require a human',
    'SG-302': 'cell trust < 0.50, class A2: require quorum',
    'SG-303': 'cell trust < 0.80, class A3: require a human',
    'SG-401': 'class A1 with confidence ≥ 0.80: allow',
    'SG-402': 'class A1 with confidence < 0.80: deny',
    'SG-403': 'class A2 with confidence ≥ 0.90, or quorum ≥ 2 cells and aggregate ≥ 0.85: allow',
    'SG-404': 'class A2 otherwise: require quorum',
    'SG-405': 'class A3 with confidence ≥ 0.97, quorum ≥ 3 and aggregate ≥ 0.92: allow',
    'SG-406': 'class A3 otherwise: require a human',
    'SG-501': 'class A0 (observe): allow',
    'SG-999': 'no rule matched: deny',
  });
});

test('names every object inherits are not rules', (t) => {
  t.deepEqual(['toString', 'constructor', '__proto__', 'hasOwnProperty'].map(describeRule), ['toString', 'constructor', '__proto__', 'hasOwnProperty']);
});
