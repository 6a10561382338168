/**
 * Replay against the real broker: a real `exoarmur process` child consumes telemetry (with
 * duplicate deliveries and malformed records), then replayRun reads the run back from durable
 * records only and re-decides it — matching exactly, and failing, naming the safety fields, when
 * the policy is changed under it.
 */
import test from 'ava';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { buildEffectiveConfig } from '../../processor/config/index.js';
import { malformedTelemetry, syntheticTelemetry, withDuplicates } from '../process/synthetic.js';
import { testBrokers } from '../testing/broker.js';
import { processorFixture, processToEnd, readFixtureAudit } from '../testing/processor.js';
import { RECEIPT_KINDS } from './drive.js';
import { replayRun } from './replay.js';

test('replayRun re-decides a processed run identically, and a changed policy makes it FAIL naming safety fields', async (t) => {
  const brokers = testBrokers();
  const fixture = await processorFixture('replay', brokers.join(','));
  const valid = syntheticTelemetry({ count: 30, tenants: 2, cells: 3, hosts: 6 });
  const deliveries = [...withDuplicates(valid, 6), ...malformedTelemetry(valid[0]!)];
  await processToEnd(t, fixture, deliveries);

  const audit = await readFixtureAudit(fixture);
  const receipts = audit.filter((r) => RECEIPT_KINDS.has(r.event_kind));
  t.is(receipts.length, deliveries.length, 'one receipt per delivery');
  t.is(receipts.filter((r) => r.event_kind === 'telemetry_duplicate').length, 6);
  t.is(receipts.filter((r) => r.event_kind === 'telemetry_rejected').length, 3);

  const topics = fixture.topics;
  const report = await replayRun({ brokers, topics, runId: fixture.appId });
  const { events_per_second: eps, timing_ms: timing, replay_order_sha256: digest, ...rest } = report;
  t.true(eps > 0 && timing.total > 0 && /^[0-9a-f]{64}$/.test(digest));
  t.deepEqual(rest, {
    run_id: fixture.appId,
    compared: audit.length,
    matched: audit.length,
    mismatched: 0,
    mismatches: [],
    mismatches_truncated: false,
    intent_hashes_equal: true,
    verdicts_equal: true,
    approvals_equal: true,
    trace_structure_equal: true,
    execute_equal: true,
    dead_letters_equal: true,
    pass: true,
    // This processor holds no checkpoint key, so there is nothing signed to re-derive.
    checkpoints_compared: 0,
    checkpoints_equal: true,
    replay_order: receipts.map((r) => r.input),
    replay_order_length: deliveries.length,
    config_hashes: [...new Set(audit.map((r) => r.config_hash))],
    config_overridden: false,
    inputs_replayed: deliveries.length,
  });

  const whatIf = await replayRun({
    brokers,
    topics,
    runId: fixture.appId,
    configOverride: (recorded) => buildEffectiveConfig({ ...recorded.config, policy: { ...recorded.config.policy, default_trust: 0.4 } }),
  });
  t.false(whatIf.pass);
  t.true(whatIf.mismatched > 0);
  t.like(whatIf, { compared: audit.length, verdicts_equal: false, intent_hashes_equal: true, config_overridden: true });
  const fields = new Set(whatIf.mismatches.map((m) => m.field));
  for (const field of ['payload.verdict', 'payload.rule', 'payload.trust']) t.true(fields.has(field), `a mismatch names ${field}`);
  const verdict = whatIf.mismatches.find((m) => m.field === 'payload.verdict')!;
  const recorded = audit.find((r) => r.audit_id === verdict.audit_id) as AuditRecordV1<'safety_evaluated'>;
  t.like(verdict, { partition: recorded.input.partition, seq: recorded.seq, recorded: recorded.payload.verdict });
  t.not(verdict.replayed, recorded.payload.verdict);
});
