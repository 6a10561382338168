/**
 * The exactly-once checker on the outputs of a real core run (CoreRun: real codec, step, state):
 * an honest run has no violation; each way a run can break exactly-once — a doubled receipt, a
 * doubled outcome, a lost receipt, a receipt for nothing sent, a doubled or missing release, a
 * missing dead letter, a broken chain — is reported, naming what it saw.
 */
import test from 'ava';
import { syntheticTelemetry, malformedTelemetry } from './synthetic.js';
import { exactlyOnceViolations, summarizeOutcomes, type ExpectedDeliveries } from './outcomes.js';
import { CoreRun } from '../testing/core-run.js';
import { configWith } from '../../processor/testing/harness.js';
import type { AuditRecordV1, ExecutionIntentV1 } from '../../processor/core/index.js';

const valid = syntheticTelemetry({ count: 12, tenants: 1, cells: 2, hosts: 3, eventId: (i) => `01JQ00000000000000000000${String(i).padStart(2, '0')}` });
const deliveries = [...valid, valid[3]!, ...malformedTelemetry(valid[0]!).slice(0, 1)];

function honestRun(): { audit: AuditRecordV1[]; execute: ExecutionIntentV1[]; dlq: number; expected: ExpectedDeliveries } {
  const run = new CoreRun(configWith(), 1);
  for (const line of deliveries) run.telemetry(0, line);
  const out = run.outputs.get(0)!;
  const keys = new Set(valid.map((l) => `tenant-0:${(JSON.parse(l) as { event_id: string }).event_id}`));
  const inputs = deliveries.map((_, i) => `exoarmur.telemetry.v1/0/${i}`);
  return { audit: out.audit, execute: out.execute, dlq: out.dlq.length, expected: { uniqueKeys: keys, inputs } };
}

test('an honest run of the real core has no violation', (t) => {
  const r = honestRun();
  t.true(r.execute.length > 0, 'the run releases something, so the release checks are exercised');
  t.deepEqual(exactlyOnceViolations(summarizeOutcomes(r.audit, r.execute, r.dlq), r.expected), []);
});

test('an input processed twice (its records written again, as at_least_once after a kill) is reported by receipt, audit id and facts', (t) => {
  const r = honestRun();
  // Input 5's records again, chained on after the last record as a re-run writer would.
  const again = r.audit.filter((a) => a.input.offset === '5');
  const doubled = [...r.audit, ...again.map((a, i) => ({ ...a, seq: r.audit.length + i }))];
  const problems = exactlyOnceViolations(summarizeOutcomes(doubled, r.execute, r.dlq), r.expected);
  const key = again[0]!.idempotency_key;
  t.true(problems.includes('input exoarmur.telemetry.v1/0/5 has 2 receipts'), problems.join('\n'));
  t.true(problems.includes(`audit_id ${again[0]!.audit_id} (telemetry_received) written twice`), problems.join('\n'));
  t.true(problems.includes(`key ${key} has 2 facts_derived records`), problems.join('\n'));
  t.true(
    problems.some((p) => p.startsWith('chain break in partition 0 at seq')),
    problems.join('\n'),
  );
});

test('a lost input and a receipt for an input never sent are both reported', (t) => {
  const r = honestRun();
  const inputs = [...r.expected.inputs.filter((i) => i !== 'exoarmur.telemetry.v1/0/2'), 'exoarmur.telemetry.v1/0/99'];
  const problems = exactlyOnceViolations(summarizeOutcomes(r.audit, r.execute, r.dlq), { ...r.expected, inputs });
  t.deepEqual(problems, ['input exoarmur.telemetry.v1/0/99 has 0 receipts', 'receipt for an input never sent: exoarmur.telemetry.v1/0/2']);
});

test('an execute record written twice, or missing, is reported', (t) => {
  const r = honestRun();
  const twice = exactlyOnceViolations(summarizeOutcomes(r.audit, [...r.execute, r.execute[0]!], r.dlq), r.expected);
  t.deepEqual(twice, [`intent ${r.execute[0]!.intent_id} on the execute topic twice`, `${r.execute.length} intent_released records but ${r.execute.length + 1} execute records`]);
  const missing = exactlyOnceViolations(summarizeOutcomes(r.audit, r.execute.slice(1), r.dlq), r.expected);
  t.deepEqual(missing, [`${r.execute.length} intent_released records but ${r.execute.length - 1} execute records`]);
});

test('a missing dead letter and a missing outcome set are reported', (t) => {
  const r = honestRun();
  t.deepEqual(exactlyOnceViolations(summarizeOutcomes(r.audit, r.execute, r.dlq - 1), r.expected), [`1 rejected receipts but 0 dead letters`]);
  const extraKey = 'tenant-0:01JQ0000000000000000000099';
  t.deepEqual(exactlyOnceViolations(summarizeOutcomes(r.audit, r.execute, r.dlq), { ...r.expected, uniqueKeys: new Set([...r.expected.uniqueKeys, extraKey]) }), [
    `key ${extraKey} has 0 facts_derived records`,
  ]);
});

test('an edited record breaks the chain and is reported with its partition and seq', (t) => {
  const r = honestRun();
  const edited = r.audit.map((a) => (a.seq === 4 ? { ...a, tenant_id: 'someone-else' } : a));
  const problems = exactlyOnceViolations(summarizeOutcomes(edited, r.execute, r.dlq), r.expected);
  t.is(problems.length, 1, problems.join('\n'));
  t.regex(problems[0]!, /^chain break in partition 0 at seq 4: /);
});
