/**
 * Results back into the audit trail (issue 15), through the real codec and core: every result a
 * receipt, a new one an execution record linked to its intent with the result's own finish as
 * event time, a repeat a duplicate receipt only, a malformed one a precise rejection and a dead letter.
 */
import test from 'ava';
import type { OutputRecord } from './api.js';
import type { AuditRecordV1, ExecutionIntentV1 } from './types.js';
import { auditKinds, configWith, kinds, payloadOf, resultFor, Run, RESULTS_TOPIC, telemetry } from '../testing/harness.js';

function released(): { run: Run; intent: ExecutionIntentV1 } {
  const run = new Run(configWith());
  const records = run.telemetry(telemetry({ severity: 'low' }));
  const intent = records.find((r) => r.role === 'execute')!.value as ExecutionIntentV1;
  return { run, intent };
}

const audits = (records: readonly OutputRecord[]): AuditRecordV1[] => records.filter((r) => r.role === 'audit').map((r) => r.value as AuditRecordV1);

test('a succeeded result: its receipt and execution_succeeded, linked by intent id and hash, at the finish the actuator recorded', (t) => {
  const { run, intent } = released();
  const records = run.result(resultFor(intent, 'succeeded'));
  // The result's key is retained from its own finish time: a new retention bucket after the telemetry's, linked from it.
  t.deepEqual(kinds(records), ['result_received', 'execution_succeeded', 'state:retention', 'state:retention', 'state:idem', 'state:meta']);
  const [receipt, executed] = audits(records);
  t.deepEqual(receipt!.payload, { actuator_group: 'acme.actuator', attempt: 1, finished_at: '2026-11-26T23:00:02.500Z', intent_id: intent.intent_id, outcome: 'succeeded' });
  t.deepEqual(executed!.payload, {
    actuator_group: 'acme.actuator',
    attempt: 1,
    driver: 'webhook',
    execute_offset: '0',
    execute_partition: 0,
    finished_at: '2026-11-26T23:00:02.500Z',
    intent_hash: intent.intent_hash,
    intent_id: intent.intent_id,
    intent_type: intent.intent_type,
    outcome: 'succeeded',
    reason: null,
    response_sha256: 'e'.repeat(64),
    response_status: 200,
    started_at: '2026-11-26T23:00:01.000Z',
    subject: intent.subject,
  });
  t.like(executed, {
    tenant_id: intent.tenant_id,
    correlation_id: intent.correlation_id,
    trace_id: intent.trace_id,
    idempotency_key: `${intent.tenant_id}:result:acme.actuator/${intent.intent_id}`,
    event_time: '2026-11-26T23:00:02.500Z',
    input: { topic: RESULTS_TOPIC, partition: 0, offset: '0' },
  });
});

test('failed and gave_up are execution_failed, each with its reason', (t) => {
  const { run, intent } = released();
  t.is(payloadOf(run.result(resultFor(intent, 'failed')), 'execution_failed').reason, 'failed: HTTP 404');
  const other = released();
  t.is(payloadOf(other.run.result(resultFor(other.intent, 'gave_up')), 'execution_failed').reason, 'gave up after 5 attempts: HTTP 503');
  const silent = released();
  t.is(
    payloadOf(silent.run.result(resultFor(silent.intent, 'gave_up', { attempt: 1, detail: null })), 'execution_failed').reason,
    'gave up after 1 attempt: no attempt was answered',
  );
  const refused = released();
  t.is(payloadOf(refused.run.result(resultFor(refused.intent, 'failed', { detail: null })), 'execution_failed').reason, 'failed: the driver refused it');
});

test('a result with an empty trace id is recorded with trace_id null; any other trace id as it came', (t) => {
  const rows: Array<{ trace_id: string; recorded: string | null }> = [
    { trace_id: '', recorded: null },
    { trace_id: 'trace-r', recorded: 'trace-r' },
  ];
  for (const row of rows) {
    const { run, intent } = released();
    const records = run.result(resultFor(intent, 'succeeded', { trace_id: row.trace_id }));
    t.deepEqual(
      audits(records).map((a) => [a.event_kind, a.trace_id]),
      [
        ['result_received', row.recorded],
        ['execution_succeeded', row.recorded],
      ],
      JSON.stringify(row.trace_id),
    );
  }
});

test('the same result again is a duplicate receipt and nothing else; another group is another result', (t) => {
  const { run, intent } = released();
  run.result(resultFor(intent, 'succeeded'));
  t.deepEqual(auditKinds(run.result(resultFor(intent, 'succeeded'))), ['result_duplicate']);
  t.deepEqual(auditKinds(run.result(resultFor(intent, 'succeeded', { actuator_group: 'other.actuator' }))), ['result_received', 'execution_succeeded']);
});

const malformed: Array<[string, Parameters<typeof resultFor>[2], string, string]> = [
  [
    'finished before it started',
    { finished_at: '2026-11-26T22:00:00.000Z' },
    'bad_timestamp',
    'finished_at 2026-11-26T22:00:00.000Z is before started_at 2026-11-26T23:00:01.000Z',
  ],
  ['a finish that is no time', { finished_at: 'yesterday' }, 'bad_timestamp', 'finished_at "yesterday" is not an RFC 3339 timestamp between 1970 and 9000'],
  ['a tenant with ":"', { tenant_id: 'a:b' }, 'bad_type', 'tenant_id "a:b" must be non-empty and contain no ":"'],
  ['no intent id', { intent_id: '' }, 'bad_type', 'intent_id must be non-empty'],
  ['attempt 0', { attempt: 0 }, 'bad_type', 'attempt must be at least 1, got 0'],
];
for (const [name, over, code, reason] of malformed) {
  test(`a result with ${name} is rejected with its reason and dead-lettered`, (t) => {
    const { run, intent } = released();
    const records = run.result(resultFor(intent, 'succeeded', over));
    t.deepEqual(kinds(records), ['result_rejected', 'dlq', 'state:retention', 'state:retention', 'state:idem', 'state:meta']);
    t.like(payloadOf(records, 'result_rejected'), { reason_code: code, reason });
  });
}

test('bytes that are no ExecutionResultV1 are rejected by their schema header', (t) => {
  const { run } = released();
  const records = run.rawResult(Buffer.from('not avro'), {});
  t.deepEqual(kinds(records), ['result_rejected', 'dlq', 'state:retention', 'state:retention', 'state:idem', 'state:meta']);
  t.like(payloadOf(records, 'result_rejected'), { reason_code: 'unknown_schema' });
});

test('a result moves no stream time', (t) => {
  const { run, intent } = released();
  const meta = (records: readonly OutputRecord[]) => (records.find((r) => r.key === 'meta/0')!.value as { meta: { stream_time: string } }).meta.stream_time;
  t.is(meta(run.result(resultFor(intent, 'succeeded', { finished_at: '2027-01-01T00:00:00.000Z' }))), intent.event_time);
});
