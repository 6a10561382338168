import test from 'ava';
import { at, configWith, payloadOf, Run, telemetry } from '../testing/harness.js';

const ttl = 3600;

test('ttl by event time: a belief exactly ttl away counts, one ms further does not (both sides)', (t) => {
  const run = new Run(configWith());
  run.telemetry(telemetry({ cell_id: 'a', observed_at: at(0), attributes: { confidence: 0.6 } }));
  const inside = run.telemetry(telemetry({ cell_id: 'b', observed_at: at(ttl), attributes: { confidence: 0.6 } }));
  t.like(payloadOf(inside, 'collective_updated'), { quorum_count: 2 });
  const outside = run.telemetry(telemetry({ cell_id: 'c', observed_at: at(ttl + 0.001), attributes: { confidence: 0.6 } }));
  t.deepEqual(
    payloadOf(outside, 'collective_updated').members.map((m) => m.emitter),
    ['b', 'c'],
  );
  // The other side: an event 1 ms before a keeps a (1 ms away) and drops b and c (more than ttl after it).
  const before = run.telemetry(telemetry({ cell_id: 'd', observed_at: at(-0.001), attributes: { confidence: 0.6 } }));
  t.deepEqual(
    payloadOf(before, 'collective_updated').members.map((m) => m.emitter),
    ['a', 'd'],
  );
});

test('latest belief per emitter: greatest observed_at wins, an older late event does not replace it', (t) => {
  const run = new Run(configWith());
  run.telemetry(telemetry({ cell_id: 'a', observed_at: at(100), attributes: { confidence: 0.9 } }));
  const older = run.telemetry(telemetry({ cell_id: 'a', observed_at: at(50), attributes: { confidence: 0.2 } }));
  t.deepEqual(payloadOf(older, 'collective_updated').members, [{ emitter: 'a', confidence: 0.9, observed_at: at(100) }]);
  const newer = run.telemetry(telemetry({ cell_id: 'a', observed_at: at(200), attributes: { confidence: 0.3 } }));
  t.deepEqual(payloadOf(newer, 'collective_updated').members, [{ emitter: 'a', confidence: 0.3, observed_at: at(200) }]);
  const tie = run.telemetry(telemetry({ cell_id: 'a', observed_at: at(200), attributes: { confidence: 0.7 } }));
  t.deepEqual(payloadOf(tie, 'collective_updated').members, [{ emitter: 'a', confidence: 0.7, observed_at: at(200) }], 'ties: the one processed last');
});

test('conflict only when spread > 0.30; mean and count over distinct cells', (t) => {
  const run = new Run(configWith());
  run.telemetry(telemetry({ cell_id: 'a', attributes: { confidence: 0.5 } }));
  const exact = run.telemetry(telemetry({ cell_id: 'b', attributes: { confidence: 0.8 } }));
  t.like(payloadOf(exact, 'collective_updated'), { spread: 0.3, conflict: false, quorum_count: 2, aggregate_score: 0.65 });
  const over = run.telemetry(telemetry({ cell_id: 'c', attributes: { confidence: 0.81 } }));
  t.like(payloadOf(over, 'collective_updated'), { spread: 0.31, conflict: true, quorum_count: 3, aggregate_score: 0.703333 });
});

test('collectives are separate per tenant, claim type and correlation id', (t) => {
  const run = new Run(configWith());
  run.telemetry(telemetry({ cell_id: 'a' }));
  t.is(payloadOf(run.telemetry(telemetry({ cell_id: 'b', correlation_id: 'other' })), 'collective_updated').quorum_count, 1);
  t.is(payloadOf(run.telemetry(telemetry({ cell_id: 'b', tenant_id: 'globex' })), 'collective_updated').quorum_count, 1);
  t.is(payloadOf(run.telemetry(telemetry({ cell_id: 'b', event_type: 'phishing' })), 'collective_updated').quorum_count, 1);
  t.is(payloadOf(run.telemetry(telemetry({ cell_id: 'b' })), 'collective_updated').quorum_count, 2);
});
