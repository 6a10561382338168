/** The one batch loop: what it applies, what it encodes and in which order. */
import test from 'ava';
import { decodeRecord } from '../codec/index.js';
import { coreConfigOf } from '../config/index.js';
import { coalesceStateRecords, type StateValue } from '../core/index.js';
import { nodePrimitives } from '../primitives.js';
import { at, configWith, RECORD_TIME, telemetry, TELEMETRY_TOPIC } from '../testing/harness.js';
import { driveBatch, type BatchInput } from './batch.js';

const config = coreConfigOf(configWith());

function inputs(): BatchInput[] {
  const events = [telemetry({ severity: 'critical', observed_at: at(0) }), telemetry({ severity: 'low', cell_id: 'cell-b', observed_at: at(5) })];
  const first = events[0]!;
  return [...events, first].map((event, i) => ({
    source: 'telemetry',
    message: { topic: TELEMETRY_TOPIC, partition: 0, offset: String(i), key: 'acme:corr-1', value: Buffer.from(JSON.stringify(event)), timestamp: String(Date.parse(RECORD_TIME)) },
    processTime: at(60 + i),
    config,
  }));
}

test('encoded outputs are every non-state record in emission order, then the coalesced state records', (t) => {
  const state = new Map<string, StateValue>();
  const { steps, encoded } = driveBatch(state, inputs(), nodePrimitives, { encode: true });
  t.is(steps.length, 3);
  const all = steps.flatMap((s) => s.records);
  const expectedOrder = [...all.filter((r) => r.role !== 'state'), ...coalesceStateRecords(all)];
  t.deepEqual(
    encoded.map((e) => [e.role, e.key]),
    expectedOrder.map((r) => [r.role, r.key]),
  );
  for (const [i, e] of encoded.entries()) {
    const record = expectedOrder[i]!;
    const decoded = e.value === null ? null : decodeRecord(e.role, e.value);
    t.deepEqual(decoded === null ? null : decoded.ok ? decoded.value : decoded, record.value, `${e.role} ${e.key} decodes to what the core emitted`);
  }
  t.true(
    steps[0]!.records.some((r) => r.role === 'execute'),
    'the first event is decided and released',
  );
  t.true(steps[2]!.records.filter((r) => r.role === 'audit').length === 1, 'the redelivery gets its receipt and nothing else');
});

test('the cache ends as the changelog would leave it, whether or not outputs are encoded', (t) => {
  const batch = inputs();
  const encodedRun = new Map<string, StateValue>();
  const valueRun = new Map<string, StateValue>();
  driveBatch(encodedRun, batch, nodePrimitives, { encode: true });
  const { encoded } = driveBatch(valueRun, batch, nodePrimitives, { encode: false });
  t.deepEqual(encoded, []);
  t.deepEqual([...valueRun.entries()], [...encodedRun.entries()]);
  t.true(valueRun.size > 0);
});
