/**
 * Event-time bounds at receipt (core/event-time.ts) through the real codec and core: each boundary
 * with its twin on the other side. event_time_in_future: observed_at against the record's Kafka
 * timestamp + policy.max_future_skew_s. beyond_dedupe_window: an input whose idempotency mark would
 * not be kept (event time + policy.dedupe_window_s, rounded up to the minute, behind stream time),
 * for telemetry, operator actions and results alike; an accepted input's mark is held for every
 * redelivery that can still be accepted.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { at, auditKinds, configWith, kinds, makeOperator, payloadOf, resultFor, Run, signedAction, telemetry } from '../testing/harness.js';
import type { OutputRecord } from './api.js';
import { DEFAULT_MAX_FUTURE_SKEW_S } from './event-time.js';
import type { AuditRecordV1, DeadLetterV1, ExecutionIntentV1 } from './types.js';

const alice = makeOperator('alice');
const window = 120;
const config = (policy: Record<string, unknown> = {}) => configWith({ policy: { dedupe_window_s: window, ...policy } }, [alice]);

const decided = ['telemetry_received', 'facts_derived', 'belief_emitted', 'collective_updated', 'intent_proposed', 'safety_evaluated', 'intent_released', 'execute'];
const refused = ['telemetry_rejected', 'dlq'];
const outputs = (records: readonly OutputRecord[]): string[] => kinds(records).filter((k) => !k.startsWith('state:'));
const reasonCode = (records: readonly OutputRecord[]): string | null =>
  auditKinds(records).includes('telemetry_rejected') ? payloadOf(records, 'telemetry_rejected').reason_code : null;
const streamTime = (run: Run): string | null => run.cache.get('meta/0')?.meta?.stream_time ?? null;

/** Moves the partition's stream time with a low-severity event on a correlation of its own. */
function tick(run: Run, seconds: number): void {
  run.telemetry(telemetry({ cell_id: 'clock', correlation_id: `tick-${seconds}`, severity: 'low', observed_at: at(seconds) }));
}

test('the default skew is 5 minutes; absent, the key keeps the config hash; given, it is part of it; it must be a positive integer', (t) => {
  t.is(DEFAULT_MAX_FUTURE_SKEW_S, 300);
  t.false(configWith().canonical.includes('max_future_skew_s'));
  t.not(configWith({ policy: { max_future_skew_s: 300 } }).config_hash, configWith().config_hash);
  t.throws(() => configWith({ policy: { max_future_skew_s: 0 } }), { message: /config key "policy.max_future_skew_s" must be a positive integer/ });
  t.throws(() => configWith({ policy: { max_future_skew_s: 1.5 } }), { message: /config key "policy.max_future_skew_s" must be a positive integer/ });
});

test('table: observed_at against the record timestamp + max_future_skew_s (on the edge decided, 1 ms past refused)', (t) => {
  const rows: Array<{ name: string; policy: Record<string, unknown>; aheadS: number; outputs: string[]; code: string | null }> = [
    { name: 'observed well before its record', policy: {}, aheadS: -86_400, outputs: decided, code: null },
    { name: 'observed at its record time', policy: {}, aheadS: 0, outputs: decided, code: null },
    { name: 'default skew: exactly 300 s ahead', policy: {}, aheadS: 300, outputs: decided, code: null },
    { name: 'default skew: 300 s and 1 ms ahead', policy: {}, aheadS: 300.001, outputs: refused, code: 'event_time_in_future' },
    { name: 'skew 60: exactly 60 s ahead', policy: { max_future_skew_s: 60 }, aheadS: 60, outputs: decided, code: null },
    { name: 'skew 60: 60 s and 1 ms ahead', policy: { max_future_skew_s: 60 }, aheadS: 60.001, outputs: refused, code: 'event_time_in_future' },
    { name: 'a year ahead', policy: {}, aheadS: 365 * 86_400, outputs: refused, code: 'event_time_in_future' },
  ];
  for (const row of rows) {
    const run = new Run(config(row.policy));
    run.recordTime = at(0);
    const out = run.telemetry(telemetry({ severity: 'low', observed_at: at(row.aheadS) }));
    t.deepEqual({ outputs: outputs(out), code: reasonCode(out) }, { outputs: row.outputs, code: row.code }, row.name);
  }
});

test('a refused far-future event: its whole receipt and dead letter; it is not marked and moves no stream time, so the approvals and later events are untouched', (t) => {
  const run = new Run(config({ trust: { 'cell-low': 0.3 } }));
  run.recordTime = at(600);
  const held = payloadOf(run.telemetry(telemetry({ cell_id: 'cell-low', correlation_id: 'corr-held', observed_at: at(0) })), 'approval_requested');
  const future = telemetry({ severity: 'low', correlation_id: 'corr-future', observed_at: '2099-01-01T00:00:00.000Z' });
  const bytes = Buffer.from(JSON.stringify(future));
  const out = run.telemetry(future);
  t.deepEqual(outputs(out), refused);
  const deadLetter = out.find((r) => r.role === 'dlq')!.value as DeadLetterV1;
  t.deepEqual(payloadOf(out, 'telemetry_rejected'), {
    dead_letter_id: deadLetter.dead_letter_id,
    identifiers: { action_id: null, cell_id: 'cell-a', correlation_id: 'corr-future', event_id: future['event_id'] as string, tenant_id: 'acme' },
    reason: `observed_at 2099-01-01T00:00:00.000Z is more than policy.max_future_skew_s (300 s) after the record's Kafka timestamp ${at(600)}`,
    reason_code: 'event_time_in_future',
    value_sha256: createHash('sha256').update(bytes).digest('hex'),
    value_size: bytes.length,
  });
  t.like(deadLetter, { reason_code: 'event_time_in_future', kafka_timestamp: at(600), value_size: bytes.length });
  t.deepEqual(
    out.filter((r) => r.role === 'state').map((r) => r.key),
    ['meta/0'],
    'no idempotency mark, no retention bucket',
  );
  t.is(streamTime(run), at(0));
  t.is(run.cache.get(`approval/${held.approval_id}`)!.approval!.status, 'pending');
  t.deepEqual(outputs(run.telemetry(future)), refused, 'redelivered: refused again, never decided');
  // A normal event after it is decided, and only its own time moves stream time.
  t.deepEqual(outputs(run.telemetry(telemetry({ severity: 'low', correlation_id: 'corr-next', observed_at: at(60) }))), decided);
  t.is(streamTime(run), at(60));
  // The same event once its record time has caught up (a redelivery appended later): decided once, then a duplicate.
  run.recordTime = '2099-01-01T00:00:00.000Z';
  t.deepEqual(outputs(run.telemetry(future)), ['approval_expired', ...decided], 'now it moves stream time, and expires the approval');
  t.deepEqual(auditKinds(run.telemetry(future)), ['telemetry_duplicate']);
});

test('a duplicate is a duplicate whatever its record timestamp: the idempotency check comes first', (t) => {
  const run = new Run(config());
  const event = telemetry({ severity: 'low', observed_at: at(0) });
  run.telemetry(event);
  run.recordTime = at(-3600);
  t.deepEqual(auditKinds(run.telemetry(event)), ['telemetry_duplicate']);
});

// observed_at at(30): its mark is due at ceil_minute(30 + 120) = at(180); at(60): at(180) too, with no rounding.
test('table: telemetry against stream time − dedupe_window_s, as retention keeps marks (rounded up to the minute)', (t) => {
  const rows: Array<{ name: string; observedS: number; streamS: number; accepted: boolean }> = [
    { name: 'one second inside the window', observedS: 30, streamS: 149, accepted: true },
    { name: 'exactly at observed_at + window', observedS: 30, streamS: 150, accepted: true },
    { name: 'past observed_at + window, within its minute', observedS: 30, streamS: 150.001, accepted: true },
    { name: 'exactly at the rounded due time', observedS: 30, streamS: 180, accepted: true },
    { name: '1 ms past the rounded due time', observedS: 30, streamS: 180.001, accepted: false },
    { name: 'whole-minute event: exactly at the window', observedS: 60, streamS: 180, accepted: true },
    { name: 'whole-minute event: 1 ms past the window', observedS: 60, streamS: 180.001, accepted: false },
    { name: 'a day behind', observedS: 30, streamS: 86_400, accepted: false },
  ];
  for (const row of rows) {
    const run = new Run(config());
    tick(run, row.streamS);
    const event = telemetry({ severity: 'low', correlation_id: 'corr-late', observed_at: at(row.observedS) });
    const out = run.telemetry(event);
    t.deepEqual({ outputs: outputs(out), code: reasonCode(out) }, row.accepted ? { outputs: decided, code: null } : { outputs: refused, code: 'beyond_dedupe_window' }, row.name);
    t.is(streamTime(run), at(row.streamS), `${row.name}: stream time unmoved`);
    // Any redelivery: a duplicate while its mark is held (through the due minute), refused after; never decided twice.
    t.deepEqual(auditKinds(run.telemetry(event)), [row.accepted ? 'telemetry_duplicate' : 'telemetry_rejected'], `${row.name}: redelivered at once`);
    tick(run, 180);
    t.deepEqual(auditKinds(run.telemetry(event)), [row.accepted ? 'telemetry_duplicate' : 'telemetry_rejected'], `${row.name}: redelivered at the due time`);
    tick(run, 180.001);
    t.deepEqual(auditKinds(run.telemetry(event)), ['telemetry_rejected'], `${row.name}: redelivered 1 ms past the due time`);
    const executes = run.all.filter((r) => r.role === 'execute').map((r) => (r.value as ExecutionIntentV1).correlation_id);
    t.is(executes.filter((c) => c === 'corr-late').length, row.accepted ? 1 : 0, `${row.name}: one outcome at most`);
  }
});

test('the beyond-window receipt: whole, with its dead letter; nothing is marked', (t) => {
  const run = new Run(config());
  tick(run, 600);
  const event = telemetry({ severity: 'low', correlation_id: 'corr-late', observed_at: at(0) });
  const bytes = Buffer.from(JSON.stringify(event));
  const out = run.telemetry(event);
  const deadLetter = out.find((r) => r.role === 'dlq')!.value as DeadLetterV1;
  t.deepEqual(payloadOf(out, 'telemetry_rejected'), {
    dead_letter_id: deadLetter.dead_letter_id,
    identifiers: { action_id: null, cell_id: 'cell-a', correlation_id: 'corr-late', event_id: event['event_id'] as string, tenant_id: 'acme' },
    reason: `event time ${at(0)} is more than policy.dedupe_window_s (120 s) before the partition's stream time ${at(600)}: its idempotency key could not be kept, so it is not decided`,
    reason_code: 'beyond_dedupe_window',
    value_sha256: createHash('sha256').update(bytes).digest('hex'),
    value_size: bytes.length,
  });
  t.like(deadLetter, { reason_code: 'beyond_dedupe_window', source_offset: '1' });
  t.deepEqual(
    out.filter((r) => r.role === 'state').map((r) => r.key),
    ['meta/0'],
  );
});

test('no stream time yet (a partition first stepped): nothing is beyond the window', (t) => {
  const run = new Run(config());
  t.deepEqual(outputs(run.telemetry(telemetry({ severity: 'low', observed_at: '2001-01-01T00:00:00.000Z' }))), decided);
});

test('operator actions: decided_at beyond the window is refused at receipt (action_rejected + dead letter), so a kill switch change cannot be replayed', (t) => {
  const run = new Run(config());
  tick(run, 600);
  const rows: Array<{ name: string; decidedS: number; accepted: boolean }> = [
    // Stream time at(600), window 120: 420.001 + 120 rounds up to 600 (kept), 420 + 120 is 540 (behind it).
    { name: 'decided 1 ms after the window edge', decidedS: 420.001, accepted: true },
    { name: 'decided on the minute whose due time stream time has passed', decidedS: 420, accepted: false },
  ];
  for (const row of rows) {
    const action = signedAction(alice, { action: 'kill_switch_off', scope: 'global', reason: `incident ${row.decidedS}`, decided_at: at(row.decidedS) });
    const out = run.actionRecords(action);
    t.deepEqual(outputs(out), row.accepted ? ['action_received', 'operator_action_applied', 'kill_switch_changed'] : ['action_rejected', 'dlq'], row.name);
    const again = run.actionRecords(action);
    t.deepEqual(auditKinds(again), [row.accepted ? 'action_duplicate' : 'action_rejected'], `${row.name}: redelivered`);
    if (!row.accepted) {
      const receipt = payloadOf(out, 'action_rejected');
      t.like(receipt, {
        reason_code: 'beyond_dedupe_window',
        identifiers: { action_id: action.action_id, cell_id: null, correlation_id: 'corr-1', event_id: null, tenant_id: 'acme' },
      });
    }
  }
  t.is(run.audits().filter((a) => a.event_kind === 'kill_switch_changed').length, 1, 'one change in all');
});

test('results: finished_at beyond the window is refused at receipt (result_rejected + dead letter), never reported twice', (t) => {
  const run = new Run(config());
  const intent = run.telemetry(telemetry({ severity: 'low', observed_at: at(600) })).find((r) => r.role === 'execute')!.value as ExecutionIntentV1;
  const rows: Array<{ name: string; finishedS: number; accepted: boolean }> = [
    { name: 'finished 1 ms after the window edge', finishedS: 420.001, accepted: true },
    { name: 'finished on the minute whose due time stream time has passed', finishedS: 420, accepted: false },
  ];
  for (const row of rows) {
    const result = resultFor(intent, 'succeeded', { actuator_group: `group-${row.finishedS}`, started_at: at(row.finishedS - 1), finished_at: at(row.finishedS) });
    const out = run.result(result);
    t.deepEqual(outputs(out), row.accepted ? ['result_received', 'execution_succeeded'] : ['result_rejected', 'dlq'], row.name);
    t.deepEqual(auditKinds(run.result(result)), [row.accepted ? 'result_duplicate' : 'result_rejected'], `${row.name}: redelivered`);
    if (!row.accepted) {
      const deadLetter = out.find((r) => r.role === 'dlq')!.value as DeadLetterV1;
      t.deepEqual(payloadOf(out, 'result_rejected'), {
        dead_letter_id: deadLetter.dead_letter_id,
        identifiers: { action_id: null, cell_id: null, correlation_id: 'corr-1', event_id: null, tenant_id: 'acme' },
        reason:
          "event time 2026-03-01T12:07:00.000Z is more than policy.dedupe_window_s (120 s) before the partition's stream time 2026-03-01T12:10:00.000Z: its idempotency key could not be kept, so it is not decided",
        reason_code: 'beyond_dedupe_window',
        value_sha256: createHash('sha256').update(deadLetter.value!).digest('hex'),
        value_size: deadLetter.value!.length,
      });
    }
  }
  t.is(run.audits().filter((a: AuditRecordV1) => a.event_kind === 'execution_succeeded').length, 1);
});
