/** The scenario's expect lines judged against a trail: the delivery each is about, and every field it names. */
import test from 'ava';
import { decided, rec, TEL } from '../testing/audit-records.js';
import type { Delivery } from './analysis.js';
import { deliveryFor, unmetExpectation, unmetExpectations } from './expectations.js';
import { parseScenario } from './scenario.js';

test('unmetExpectation: only the fields the expect line names are judged, each difference spelled out', (t) => {
  const fate = {
    receipt: 'telemetry_received',
    verdict: 'allow',
    rule: 'SG-403',
    approval: 'none' as const,
    approvalId: null,
    final: 'RELEASED' as const,
    actionClass: 'A2_hard_containment' as const,
    execution: 'succeeded' as const,
  };
  t.deepEqual(unmetExpectation({ event_id: 'E1', final: 'RELEASED' }, fate), []);
  t.deepEqual(unmetExpectation({ event_id: 'E1', verdict: 'allow', rule: 'SG-403', approval: 'none', final: 'RELEASED' }, fate), []);
  t.deepEqual(unmetExpectation({ event_id: 'E1', rule: 'SG-401', approval: 'human', final: 'APPROVED' }, fate), [
    'E1: rule expected SG-401, got SG-403',
    'E1: approval expected human, got none',
    'E1: final expected APPROVED, got RELEASED',
  ]);
  t.deepEqual(unmetExpectation({ event_id: 'E2', final: 'REJECTED' }, { ...fate, final: null, verdict: null }), ['E2: final expected REJECTED, got none']);
  t.deepEqual(unmetExpectation({ event_id: 'E1', execution: 'succeeded' }, fate), []);
  t.deepEqual(unmetExpectation({ event_id: 'E1', execution: 'succeeded' }, { ...fate, execution: 'not_executed' }), ['E1: execution expected succeeded, got not_executed']);
});

const scenario = parseScenario(
  [
    JSON.stringify({ telemetry: { event_id: 'E1', tenant_id: 't1' } }),
    JSON.stringify({ raw: '{"event_id":"E2","tenant_id":' }),
    JSON.stringify({ telemetry: { event_id: 'E1', tenant_id: 't1' } }),
    JSON.stringify({ telemetry: { event_id: 'E4', tenant_id: 't1' } }),
    JSON.stringify({ expect: { event_id: 'E1', rule: 'SG-403', final: 'RELEASED' } }),
    JSON.stringify({ expect: { event_id: 'E2', final: 'REJECTED' } }),
    JSON.stringify({ expect: { event_id: 'E3', final: 'DENIED' } }),
  ].join('\n'),
);
const line = (i: number) => (scenario[i] as { line: string }).line;
const deliveries: Delivery[] = [
  { partition: 0, offset: '0', line: line(0), key: 't1:c1', eventId: 'E1' },
  { partition: 1, offset: '0', line: line(1), key: null, eventId: null },
  { partition: 0, offset: '1', line: line(2), key: 't1:c1', eventId: 'E1' },
];

test('deliveryFor: the first delivery of the event; a raw line by the event id its text carries; none for an undelivered event', (t) => {
  t.is(deliveryFor('E1', scenario, deliveries), deliveries[0]);
  t.is(deliveryFor('E2', scenario, deliveries), deliveries[1]);
  t.is(deliveryFor('E3', scenario, deliveries), undefined);
  // E4 is a telemetry line that was never delivered: a raw line mentioning it must not stand in for it.
  t.is(deliveryFor('E4', scenario, [...deliveries, { partition: 2, offset: '0', line: '{"note":"E4"', key: null, eventId: null }]), undefined);
});

test('unmetExpectations: met lines say nothing; a wrong fate and a missing delivery are each named, in scenario order', (t) => {
  const audit = [...decided(0, 0, '0', 't1:E1', 'SG-403', 'allow', [['intent_released', {}]]), rec('telemetry_rejected', 1, 0, { offset: '0' })];
  t.deepEqual(unmetExpectations(scenario, deliveries, audit, TEL), ['E3: no delivery carries this event_id']);
  const denied = [...decided(0, 0, '0', 't1:E1', 'SG-402', 'deny', [['intent_denied', {}]]), rec('telemetry_rejected', 1, 0, { offset: '0' })];
  t.deepEqual(unmetExpectations(scenario, deliveries, denied, TEL), [
    'E1: rule expected SG-403, got SG-402',
    'E1: final expected RELEASED, got DENIED',
    'E3: no delivery carries this event_id',
  ]);
  t.deepEqual(unmetExpectations(scenario, deliveries, [], TEL), [
    'E1: rule expected SG-403, got none',
    'E1: final expected RELEASED, got none',
    'E2: final expected REJECTED, got none',
    'E3: no delivery carries this event_id',
  ]);
});
