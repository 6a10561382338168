/**
 * Outcomes (outcome.ts) through the real codec and core: dead letters at their size bound, one
 * idempotency family per input topic, duplicate receipts, a sensor record that is not an alert,
 * the release guard, and the release guards met by an approval granted later. Whole records.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { coreConfigOf } from '../config/index.js';
import { driveBatch } from '../engine/batch.js';
import { nodePrimitives } from '../primitives.js';
import { at, configWith, makeOperator, OPERATOR_TOPIC, RESULTS_TOPIC, Run, signedAction, telemetry, TELEMETRY_TOPIC, T0 } from '../testing/harness.js';
import type { OutputRecord } from './api.js';
import { stateKeys, stateRecord, type StateValue } from './state.js';
import { msOf } from './time.js';
import type { AuditRecordV1, DeadLetterV1 } from './types.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const audits = (records: readonly OutputRecord[]): AuditRecordV1[] => records.filter((r) => r.role === 'audit').map((r) => r.value as AuditRecordV1);
const roles = (records: readonly OutputRecord[]): string[] =>
  records.filter((r) => r.role !== 'state').map((r) => (r.role === 'audit' ? (r.value as AuditRecordV1).event_kind : r.role));
/** The Run harness's clock: the first delivery of a run is processed 7 ms after its start. */
const FIRST_PROCESS_TIME = new Date(msOf('2026-11-27T00:00:00.000Z') + 7).toISOString();

// Dead letters keep a value whole up to 768 KiB and its first 64 KiB beyond (broker message limit).
// [name, delivered value, reason code, value the dead letter carries, truncated]
const KIB = 1024;
const spaces = (n: number): Buffer => Buffer.alloc(n, 0x20);
const deadLetterRows: [string, Buffer | null, string, Buffer | null, boolean][] = [
  ['no value', null, 'null_value', null, false],
  ['a few bytes', Buffer.from('{"event_id": nope'), 'not_json', Buffer.from('{"event_id": nope'), false],
  ['exactly 768 KiB: whole', spaces(768 * KIB), 'not_json', spaces(768 * KIB), false],
  ['768 KiB + 1 byte: its first 64 KiB', spaces(768 * KIB + 1), 'not_json', spaces(64 * KIB), true],
];

for (const [name, value, code, kept, truncated] of deadLetterRows) {
  test(`dead letter of an undecodable value, ${name}`, (t) => {
    const run = new Run(configWith());
    const out = run.telemetry(value, 'acme:corr-9');
    t.deepEqual(roles(out), ['telemetry_rejected', 'dlq']);
    const receipt = audits(out)[0] as AuditRecordV1<'telemetry_rejected'>;
    const valueSha = value === null ? null : sha256(value);
    t.deepEqual(receipt.payload, {
      dead_letter_id: receipt.payload.dead_letter_id,
      identifiers: { action_id: null, cell_id: null, correlation_id: null, event_id: null, tenant_id: null },
      reason: receipt.payload.reason,
      reason_code: code,
      value_sha256: valueSha,
      value_size: value === null ? 0 : value.length,
    });
    const deadLetter = out.find((r) => r.role === 'dlq')!.value as DeadLetterV1;
    t.deepEqual(
      { ...deadLetter, value: deadLetter.value === null ? null : Buffer.from(deadLetter.value) },
      {
        dead_letter_id: receipt.payload.dead_letter_id,
        source_topic: TELEMETRY_TOPIC,
        source_partition: 0,
        source_offset: '0',
        key: 'acme:corr-9',
        value: kept,
        value_size: value === null ? 0 : value.length,
        value_sha256: valueSha,
        value_truncated: truncated,
        reason_code: code,
        reason: receipt.payload.reason,
        kafka_timestamp: run.recordTime,
        process_time: FIRST_PROCESS_TIME,
        config_hash: run.config.config_hash,
        receipt_audit_id: receipt.audit_id,
      },
    );
  });
}

test('each input topic keeps its own idempotency keys: the same unreadable bytes under the same key are new on every topic, then a duplicate on each', (t) => {
  const run = new Run(configWith());
  const bytes = Buffer.from('{"unreadable": ');
  // An undecodable input's idempotency key is tenant:raw-sha256:<sha of its bytes>, whatever the topic.
  const deliver = [() => run.telemetry(bytes, 'acme:corr-9'), () => run.rawAction(bytes, {}, 'acme:corr-9'), () => run.rawResult(bytes, {}, 'acme:corr-9')];
  t.deepEqual(
    deliver.map((d) => roles(d())),
    [
      ['telemetry_rejected', 'dlq'],
      ['action_rejected', 'dlq'],
      ['result_rejected', 'dlq'],
    ],
  );
  const again = deliver.map((d) => audits(d()));
  t.deepEqual(
    again.map((records) => records.map((r) => [r.event_kind, r.tenant_id, r.correlation_id, r.payload])),
    [
      [['telemetry_duplicate', 'acme', 'corr-9', { first_seen: 'earlier' }]],
      [['action_duplicate', 'acme', 'corr-9', { first_seen: 'earlier' }]],
      [['result_duplicate', 'acme', 'corr-9', { first_seen: 'earlier' }]],
    ],
  );
  t.deepEqual(
    [TELEMETRY_TOPIC, OPERATOR_TOPIC, RESULTS_TOPIC].map((topic) => run.all.filter((r) => r.role === 'dlq' && (r.value as DeadLetterV1).source_topic === topic).length),
    [1, 1, 1],
  );
  // The changelog keeps each topic's marks under its own key family (docs/state-store.md).
  const key = `acme:raw-sha256:${sha256(bytes)}`;
  t.deepEqual(
    [...run.cache.keys()].filter((k) => k.startsWith('idem/')),
    [stateKeys.telemetryIdem(key), stateKeys.operatorIdem(key), stateKeys.resultIdem(key)],
  );
});

test('a sensor record that is not an alert: its receipt only, no dead letter; a malformed one: receipt and dead letter', (t) => {
  const topic = 'sensors.eve';
  const records = ['{"timestamp":"2023-09-18T06:13:21.216460+0000","event_type":"flow","src_ip":"192.168.100.237"}', '{"timestamp":"2023-09-18T06:13:21.216460+0000"}'];
  const { steps } = driveBatch(
    new Map<string, StateValue>(),
    records.map((text, i) => ({
      source: 'telemetry' as const,
      message: { topic, partition: 0, offset: String(i), key: null, value: Buffer.from(text), headers: {}, timestamp: String(msOf(T0)) },
      processTime: msOf(T0),
      config: coreConfigOf(configWith()),
      inputs: { [topic]: { format: 'suricata', tenant_id: 'acme', cell_id: 'ids-dmz' } },
    })),
    nodePrimitives,
    { encode: false },
  );
  t.deepEqual(
    steps.map((s) => roles(s.records)),
    [['telemetry_rejected'], ['telemetry_rejected', 'dlq']],
  );
  const flow = audits(steps[0]!.records)[0] as AuditRecordV1<'telemetry_rejected'>;
  t.deepEqual(
    { ...flow.payload, dead_letter_id: typeof flow.payload.dead_letter_id },
    {
      dead_letter_id: 'string',
      identifiers: flow.payload.identifiers,
      reason: 'suricata event_type "flow" is not an alert',
      reason_code: 'not_an_alert',
      value_sha256: sha256(Buffer.from(records[0]!)),
      value_size: records[0]!.length,
    },
  );
});

// Approvals: an A2 from a cell of trust 0.3 is held for a human (SG-301); alice approves it.
const alice = makeOperator('alice');
let n = 0;
function a2(host: string, second: number, cell: string): Record<string, unknown> {
  n++;
  return telemetry({
    event_id: `01JT${String(n).padStart(22, '0')}`,
    cell_id: cell,
    attributes: { confidence: 0.95 },
    entity_refs: { host },
    correlation_id: `held-${n}`,
    observed_at: at(second),
  });
}

function held(run: Run, host: string, second: number): AuditRecordV1<'approval_requested'> {
  return audits(run.telemetry(a2(host, second, 'cell-low'))).find((r) => r.event_kind === 'approval_requested') as AuditRecordV1<'approval_requested'>;
}

const approve = (run: Run, req: AuditRecordV1<'approval_requested'>, second: number): OutputRecord[] =>
  run.actionRecords(
    signedAction(alice, { approval_id: req.payload.approval_id, intent_hash: req.payload.intent_hash, correlation_id: req.correlation_id, decided_at: at(second) }),
  );

const deniedPayload = (req: AuditRecordV1<'approval_requested'>, rule: string) => ({
  action_class: 'A2_hard_containment',
  intent_hash: req.payload.intent_hash,
  intent_id: req.payload.intent_id,
  rule,
});

// [name, policy, what happens between the hold and the grant, outcome kinds of the grant after approval_granted, denial rule]
const grantRows: [string, Record<string, unknown>, (run: Run) => void, string[], string | null][] = [
  ['nothing in the way: released', { no_double_containment: true }, () => undefined, ['intent_released'], null],
  [
    'another containment of the subject went out: SG-160',
    { no_double_containment: true },
    (run) => run.telemetry(a2('h1', 5, 'cell-a')),
    ['containment_in_force', 'intent_denied'],
    'SG-160',
  ],
  [
    'another A2 filled the breaker window: SG-102',
    { circuit_breaker: { classes: ['A2_hard_containment'], max_releases: 1, window_s: 600 } },
    (run) => run.telemetry(a2('h2', 5, 'cell-a')),
    ['circuit_breaker_tripped', 'kill_switch_changed', 'intent_denied'],
    'SG-102',
  ],
];

for (const [name, policy, between, kinds, rule] of grantRows) {
  test(`an approval granted later meets the release guards: ${name}`, (t) => {
    const run = new Run(configWith({ policy: { trust: { 'cell-low': 0.3 }, ...policy } }, [alice]));
    const req = held(run, 'h1', 0);
    between(run);
    const grant = approve(run, req, 60);
    t.deepEqual(roles(grant), ['action_received', 'operator_action_applied', 'approval_granted', ...kinds, ...(rule === null ? ['execute'] : [])]);
    const denied = audits(grant).find((r) => r.event_kind === 'intent_denied');
    t.deepEqual(denied?.payload, rule === null ? undefined : deniedPayload(req, rule));
  });
}

test('an intent whose release guard is stored is not released again when its approval is granted', (t) => {
  const run = new Run(configWith({ policy: { trust: { 'cell-low': 0.3 } } }, [alice]));
  const req = held(run, 'h1', 0);
  // As a changelog holds it after an earlier grant of the same intent (released/<intent_id>).
  run.cache.set(stateKeys.released(req.payload.intent_id), stateRecord('released', { event_time: at(30), intent_hash: req.payload.intent_hash, intent_id: req.payload.intent_id }));
  t.deepEqual(roles(approve(run, req, 60)), ['action_received', 'operator_action_applied', 'approval_granted']);
});
