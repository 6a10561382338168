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
