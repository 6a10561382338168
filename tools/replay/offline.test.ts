/** Pure tests of the replay path (drive + compare + report) over a run of the real core. */
import test from 'ava';
import { buildEffectiveConfig } from '../../processor/config/index.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { CORE_RUN_TOPICS } from '../testing/core-run.js';
import { sampleCoreRun } from '../testing/sample-run.js';
import { receiptsOf, type RecordedRun } from './drive.js';
import { mergeReports } from './parallel.js';
import { replayRecorded } from './offline.js';

const options = { runId: 'r1', telemetryTopic: CORE_RUN_TOPICS.telemetry, operatorTopic: CORE_RUN_TOPICS.operator_actions };

test('replaying a recorded run reproduces every audit record, execute intent and dead letter, in receipt order', (t) => {
  const run = sampleCoreRun();
  const report = replayRecorded(run.recorded(), options);
  const audit = run.auditExport();
  t.like(report, {
    compared: audit.length,
    matched: audit.length,
    mismatched: 0,
    mismatches: [],
    intent_hashes_equal: true,
    verdicts_equal: true,
    approvals_equal: true,
    trace_structure_equal: true,
    execute_equal: true,
    dead_letters_equal: true,
    pass: true,
    config_overridden: false,
  });
  const receipts = [0, 1].flatMap((p) => receiptsOf(run.outputs.get(p)!.audit));
  t.deepEqual(
    report.replay_order,
    receipts.map((r) => r.input),
  );
  t.is(report.inputs_replayed, 10);
  t.true(run.outputs.get(0)!.execute.length > 0 && run.outputs.get(0)!.dlq.length === 1, 'the sample exercises execute and dlq');
});

test('a policy changed without a new snapshot makes replay FAIL, naming the safety fields that moved', (t) => {
  const run = sampleCoreRun();
  const report = replayRecorded(run.recorded(), {
    ...options,
    configOverride: (recorded) => {
      const changed = buildEffectiveConfig({ ...recorded.config, policy: { ...recorded.config.policy, default_trust: 0.4 } });
      return changed;
    },
  });
  t.false(report.pass);
  t.true(report.mismatched > 0);
  t.false(report.verdicts_equal);
  t.true(report.intent_hashes_equal, 'intents do not depend on trust');
  const fields = new Set(report.mismatches.map((m) => m.field));
  t.true(fields.has('payload.verdict'));
  t.true(fields.has('payload.rule'));
  t.true(fields.has('payload.trust'));
  t.false(fields.has('config_hash'), 'the override is stamped with the recorded hash');
  const verdict = report.mismatches.find((m) => m.field === 'payload.verdict')!;
  const recorded = run.outputs.get(verdict.partition)!.audit[verdict.seq!]!;
  t.is(recorded.event_kind, 'safety_evaluated');
  t.is(verdict.audit_id, recorded.audit_id);
  t.is(verdict.recorded, (recorded as AuditRecordV1<'safety_evaluated'>).payload.verdict);
  t.not(verdict.replayed, verdict.recorded);
});

test('a recorded record that differs from what the core decides is a named mismatch', (t) => {
  const run = sampleCoreRun();
  const audit = run.outputs.get(1)!.audit;
  const i = audit.findIndex((r) => r.event_kind === 'safety_evaluated');
  const original = audit[i] as AuditRecordV1<'safety_evaluated'>;
  audit[i] = { ...original, payload: { ...original.payload, rule: 'SG-999' } };
  const report = replayRecorded(run.recorded(), options);
  t.false(report.pass);
  t.is(report.mismatched, 1);
  t.is(report.matched, report.compared - 1);
  t.deepEqual(report.mismatches, [{ partition: 1, seq: original.seq, audit_id: original.audit_id, field: 'payload.rule', recorded: 'SG-999', replayed: original.payload.rule }]);
  t.false(report.verdicts_equal);
});

test('a recorded execute intent that replay does not produce is a named output mismatch', (t) => {
  const run = sampleCoreRun();
  const execute = run.outputs.get(0)!.execute;
  const extra = { ...execute[0]!, intent_hash: 'f'.repeat(64) };
  execute.push(extra);
  const report = replayRecorded(run.recorded(), options);
  t.false(report.pass);
  t.false(report.execute_equal);
  t.deepEqual(report.mismatches, [{ partition: 0, seq: null, audit_id: extra.source_audit_id, field: 'execute.intent_hash', recorded: extra.intent_hash, replayed: null }]);
});

test('an input the broker no longer holds stops replay with an error naming the coordinates', (t) => {
  const run = sampleCoreRun();
  run.inputs.get(CORE_RUN_TOPICS.telemetry)!.get(1)!.delete('1');
  const error = t.throws(() => replayRecorded(run.recorded(), options));
  t.regex(error!.message, /points at exoarmur\.telemetry\.v1\/1@1, which the broker no longer holds/);
});

/** The recorded run restricted to some partitions, as a replay worker reads it (parallel.ts). */
function only(recorded: RecordedRun, partitions: readonly number[]): RecordedRun {
  const keep = <V>(m: Map<number, V>) => new Map([...m].filter(([p]) => partitions.includes(p)));
  return { ...recorded, outputs: keep(recorded.outputs), inputs: new Map([...recorded.inputs].map(([topic, byPartition]) => [topic, keep(byPartition)])) };
}

test('reports of disjoint partition sets merge into the report of the whole run, mismatches and order included', (t) => {
  const run = sampleCoreRun();
  // Differences on both partitions, so the merged list must interleave them in partition order.
  for (const p of [0, 1]) {
    const audit = run.outputs.get(p)!.audit;
    const i = audit.findIndex((r) => r.event_kind === 'safety_evaluated');
    const original = audit[i] as AuditRecordV1<'safety_evaluated'>;
    audit[i] = { ...original, payload: { ...original.payload, rule: 'SG-999' } };
  }
  const whole = replayRecorded(run.recorded(), options);
  const parts = [[1], [0]].map((share) => replayRecorded(only(run.recorded(), share), options));
  const merged = mergeReports(parts, options.runId, 1000);
  const { events_per_second: _a, timing_ms: _b, ...expected } = whole;
  const { events_per_second: _c, timing_ms: _d, ...actual } = merged;
  t.deepEqual(actual, expected);
  t.is(merged.mismatched, 2);
  t.deepEqual(
    merged.mismatches.map((m) => m.partition),
    [0, 1],
  );
});
