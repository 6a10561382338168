/** Decisions by scenario event id, and their comparison between two runs of one scenario. */
import test from 'ava';
import type { Delivery } from './analysis.js';
import { compareDecisions, decisionsByEvent, scenarioEventIds, type Decision } from './decisions.js';
import { parseScenario } from './scenario.js';
import { decided, rec, TEL } from '../testing/audit-records.js';

test('scenario event ids: telemetry lines and raw lines that carry one, never anything else', (t) => {
  const steps = parseScenario(
    [
      '{"telemetry":{"event_id":"E1"}}',
      '{"telemetry":{"event_id":"E1"}}',
      '{"raw":"{\\"event_id\\":\\"R1\\",\\"extra\\":true}"}',
      '{"raw":"not json"}',
      '{"fault":"kill_processor"}',
    ].join('\n'),
  );
  t.deepEqual([...scenarioEventIds(steps)], ['E1', 'R1']);
});

const decision = (event_id: string, change: Partial<Decision> = {}): Decision => ({
  event_id,
  input: `${TEL}/0/0`,
  intent_hash: 'a'.repeat(64),
  verdict: 'allow',
  rule: 'SG-403',
  approval: 'none',
  final: 'RELEASED',
  ...change,
});
const byId = (...ds: Decision[]) => new Map(ds.map((d) => [d.event_id, d]));

test('compareDecisions: equal runs give no mismatch; each differing field and each one-sided event is named', (t) => {
  t.deepEqual(compareDecisions(byId(decision('E1'), decision('E2')), byId(decision('E2'), decision('E1'))), []);
  t.deepEqual(compareDecisions(byId(decision('E1'), decision('E2')), byId(decision('E1', { verdict: 'deny', rule: 'SG-402' }), decision('E3'))), [
    'E1 verdict deny != embedded allow',
    'E1 rule SG-402 != embedded SG-403',
    'E2 decided only in the embedded run',
    'E3 decided only in the compose run',
  ]);
  t.deepEqual(compareDecisions(byId(decision('E1')), byId(decision('E1', { intent_hash: 'b'.repeat(64), approval: 'human', final: 'APPROVED' }))), [
    `E1 intent_hash ${'b'.repeat(64)} != embedded ${'a'.repeat(64)}`,
    'E1 approval human != embedded none',
    'E1 final APPROVED != embedded RELEASED',
  ]);
});

test("decisionsByEvent: the fate of each scenario event's first delivery, with its intent hash; filler and unknown ids left out", (t) => {
  const audit = [
    ...decided(0, 0, '0', 't1:E1', 'SG-403', 'allow', [['intent_released', { intent_id: 'I1' }]]).map((r) =>
      r.event_kind === 'safety_evaluated' ? ({ ...r, payload: { ...(r.payload as object), intent_id: 'I1' } } as typeof r) : r,
    ),
    rec('intent_proposed', 0, 4, { offset: '0' }, { idempotency_key: 't1:E1', payload: { intent_hash: 'c'.repeat(64) } as never }),
    rec('telemetry_duplicate', 0, 5, { offset: '1' }, { idempotency_key: 't1:E1' }),
  ];
  const deliveries: Delivery[] = [
    { partition: 0, offset: '0', line: '{}', key: null, eventId: 'E1' },
    { partition: 0, offset: '1', line: '{}', key: null, eventId: 'E1' },
    { partition: 0, offset: '2', line: '{}', key: null, eventId: 'FILLER' },
  ];
  t.deepEqual(
    [...decisionsByEvent(audit, deliveries, TEL, new Set(['E1', 'E9'])).values()],
    [{ event_id: 'E1', input: `${TEL}/0/0`, intent_hash: 'c'.repeat(64), verdict: 'allow', rule: 'SG-403', approval: 'none', final: 'RELEASED' }],
  );
});
