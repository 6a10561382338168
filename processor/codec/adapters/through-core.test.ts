/**
 * Sensor records through the one batch loop and the real core: an alert becomes the full decision
 * trail, a record of another kind gets its receipt (reason not_an_alert) and no dead letter, a
 * malformed one a receipt and a dead letter, and driving the same bytes again gives the same
 * outputs (what replay relies on).
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coreConfigOf } from '../../config/index.js';
import type { StateValue } from '../../core/index.js';
import type { AuditRecordV1 } from '../../core/types.js';
import { driveBatch, type BatchInput } from '../../engine/batch.js';
import { nodePrimitives } from '../../primitives.js';
import { configWith } from '../../testing/harness.js';

const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'fixtures', 'sensors');
const TOPIC = 'sensors.eve';
const core = coreConfigOf(configWith());
const inputs = { [TOPIC]: { format: 'suricata', tenant_id: 'acme', cell_id: 'ids-dmz' } };

function feed(files: string[]): ReturnType<typeof driveBatch> {
  const state = new Map<string, StateValue>();
  const batch: BatchInput[] = files.map((file, i) => ({
    source: 'telemetry',
    message: {
      topic: TOPIC,
      partition: 0,
      offset: String(i),
      key: null,
      value: Buffer.from(file.startsWith('{') ? file : readFileSync(join(SAMPLES, 'suricata', file))),
      timestamp: '1767225600000',
    },
    processTime: '2026-12-01T00:00:00.000Z',
    config: core,
    inputs,
  }));
  return driveBatch(state, batch, nodePrimitives, { encode: false });
}

test('a Suricata alert, a flow record and a truncated line on a suricata topic', (t) => {
  const { steps } = feed(['alert-lefthook-stealer.json', 'flow.json', '{"event_type":"alert","timestamp":']);
  const roles = steps.map((s) => s.records.filter((r) => r.role !== 'state').map((r) => (r.role === 'audit' ? (r.value as AuditRecordV1).event_kind : r.role)));
  t.deepEqual(roles, [
    ['telemetry_received', 'facts_derived', 'belief_emitted', 'collective_updated', 'intent_proposed', 'safety_evaluated', 'approval_requested'],
    ['telemetry_rejected'],
    ['telemetry_rejected', 'dlq'],
  ]);
  const facts = steps[0]!.records.find((r) => r.role === 'audit' && (r.value as AuditRecordV1).event_kind === 'facts_derived')!.value as AuditRecordV1<'facts_derived'>;
  t.like(facts.payload, { subject: '142.11.240.191', subject_kind: 'ip', claim_type: 'suricata:1:2045001', severity: 'high', cell_id: 'ids-dmz' });
  const flow = steps[1]!.records.find((r) => r.role === 'audit')!.value as AuditRecordV1<'telemetry_rejected'>;
  t.like(flow, { tenant_id: 'acme', payload: { reason_code: 'not_an_alert', reason: 'suricata event_type "flow" is not an alert' } });
  const truncated = steps[2]!.records.find((r) => r.role === 'audit')!.value as AuditRecordV1<'telemetry_rejected'>;
  t.is(truncated.payload.reason_code, 'not_json');
});

test('driving the same bytes again gives the same outputs', (t) => {
  const files = ['alert-http-corruption.json', 'http.json', 'alert-lefthook-stealer.json'];
  t.deepEqual(
    feed(files).steps.map((s) => s.records),
    feed(files).steps.map((s) => s.records),
  );
});
