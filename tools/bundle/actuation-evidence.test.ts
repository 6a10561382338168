import test from 'ava';
import { actuationOf, executionResult, receiverLine } from '../testing/actuation-records.js';
import { actuationProblems, actuatorReport } from './actuation-evidence.js';
import type { ActuationEvidence } from './actuation-evidence.js';

const ids = ['I1', 'I2', 'I3'];
const results = [executionResult('I1'), executionResult('I2', 'succeeded', 3), executionResult('I3', 'gave_up', 5)];
// I2's answer was lost twice; I3's endpoint never answered, so the receiver never saw it.
const requests = [receiverLine('I1', 'applied'), receiverLine('I2', 'applied'), receiverLine('I2', 'repeat', 2), receiverLine('I2', 'repeat', 3)];
const holds = actuationOf(ids, results, requests);

test('the report holds the receiver counts per Idempotency-Key and the results by outcome', (t) => {
  t.deepEqual(actuatorReport(results, requests), {
    receiver: {
      requests: 4,
      keys: 2,
      repeats: 2,
      refused: 0,
      per_key: { I1: { requests: 1, applied: 1 }, I2: { requests: 3, applied: 1 } },
    },
    results: 3,
    outcomes: { gave_up: 1, succeeded: 2 },
  });
  t.deepEqual(actuationProblems(holds), []);
});

const broken: Array<[string, ActuationEvidence, string[]]> = [
  ['an execute record without a result', actuationOf(ids, results.slice(0, 2), requests), ['intent I3 has 0 results']],
  ['an intent completed twice', actuationOf(ids, [...results, executionResult('I1')], requests), ['intent I1 has 2 results']],
  [
    'a result for an intent never released',
    actuationOf(ids, [...results, executionResult('I9', 'failed')], requests),
    ['a result for intent I9, which is not on the execute topic'],
  ],
  [
    'a report that is not what the log gives',
    { ...holds, report: { ...actuatorReport(results, requests), results: 2 } },
    ['actuator_report.json is not what the results and the request log give'],
  ],
  ['a request without a key', actuationOf(ids, results, [...requests, receiverLine(null, 'refused', 1, 'I1')]), ['a request without an Idempotency-Key']],
  ['a key that is not its body', actuationOf(ids, results, [...requests, receiverLine('I3', 'applied', 1, 'I1')]), ['a request keyed I3 carried intent I1']],
  [
    'a succeeded intent the receiver never saw',
    actuationOf(ids, [executionResult('I1'), executionResult('I2'), executionResult('I3')], requests),
    ['intent I3 succeeded but the receiver never saw its key'],
  ],
];
for (const [name, evidence, problems] of broken) {
  test(`actuation problem: ${name}`, (t) => {
    t.deepEqual(actuationProblems(evidence), problems);
  });
}
