/** The fault plan: seeded kills added where a scenario has none, the same places for the same seed, none with --no-faults. */
import test from 'ava';
import { planFaults } from './fault-plan.js';
import { parseScenario, type Step } from './scenario.js';

const telemetry = (id: string) => JSON.stringify({ telemetry: { event_id: id } });
const scenario = (lines: string[]): Step[] => parseScenario(lines.join('\n'));
const kinds = (steps: readonly Step[]) => steps.map((s) => (s.kind === 'fault' ? s.fault : s.kind));
const quiet = scenario([telemetry('a'), telemetry('b'), '{"wait":"settled"}', telemetry('c'), '{"wait":"settled"}', '{"expect":{"event_id":"a"}}', '{"expect":{"event_id":"b"}}']);

test('a scenario without faults gets one processor kill and one broker kill, after the first delivery and before the expect lines', (t) => {
  for (const seed of ['01JS0000000000000000000D01', 'seed-b', 'seed-c', 'seed-d', 'seed-e', 'seed-f']) {
    const plan = planFaults(quiet, seed, { noFaults: false });
    const k = kinds(plan.steps);
    t.is(k.length, quiet.length + 2);
    t.is(k.filter((x) => x === 'kill_processor').length, 1);
    t.is(k.filter((x) => x === 'kill_broker').length, 1);
    t.true(k.indexOf('kill_processor') >= 1 && k.indexOf('kill_broker') >= 1, seed);
    t.deepEqual(k.slice(-2), ['expect', 'expect'], seed);
    t.deepEqual(
      plan.steps.filter((s) => s.kind !== 'fault'),
      quiet,
      'every scenario step kept, in order',
    );
    t.regex(plan.notes[0]!, new RegExp(`^seed ${seed}: the scenario has no fault step, so kill_processor goes before step \\d+ and kill_broker before step \\d+$`));
  }
});

test('the same seed places the kills at the same steps; seeds spread them over the scenario', (t) => {
  t.deepEqual(planFaults(quiet, 'seed-x', { noFaults: false }), planFaults(quiet, 'seed-x', { noFaults: false }));
  const placements = new Set(Array.from({ length: 40 }, (_, i) => kinds(planFaults(quiet, `seed-${i}`, { noFaults: false }).steps).join(',')));
  t.true(placements.size > 3, `only ${placements.size} distinct placements over 40 seeds`);
});

test("a scenario's own faults are kept as written", (t) => {
  const own = scenario([telemetry('a'), '{"fault":"kill_broker"}', telemetry('b')]);
  t.deepEqual(planFaults(own, 'seed', { noFaults: false }), { steps: own, notes: [] });
});

test('--no-faults strips every fault step and says so', (t) => {
  const own = scenario([telemetry('a'), '{"fault":"kill_broker"}', telemetry('b'), '{"fault":"restart"}']);
  const plan = planFaults(own, 'seed', { noFaults: true });
  t.deepEqual(kinds(plan.steps), ['telemetry', 'telemetry']);
  t.deepEqual(plan.notes, ['--no-faults: no fault injected (2 scenario fault step(s) left out)']);
  t.deepEqual(planFaults(quiet, 'seed', { noFaults: true }), { steps: quiet, notes: ['--no-faults: no fault injected'] });
});
