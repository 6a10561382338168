/** Pure readings of an audit trail: fates, the double-inject digest, the time model, broker-kill survival. */
import test from 'ava';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../processor/core/canonical.js';
import type { ExecutionIntentV1 } from '../../processor/core/types.js';
import { decided, OPS, rec, TEL } from '../testing/audit-records.js';
import { brokerKillSurvival, fateOf, outcomeSummary, recordedReceiptOrder, replayFollowedRecordedOrder, survived, timeModel, trailCounts } from './analysis.js';

test('fateOf: each final status from the records the trail holds', (t) => {
  const approval = (id: string, requirement: string) => ['approval_requested', { approval_id: id, requirement }] as [string, unknown];
  const trail = [
    ...decided(0, 0, '0', 'k0', 'SG-403', 'allow', [['intent_released', {}]]),
    ...decided(0, 4, '1', 'k1', 'SG-402', 'deny', [['intent_denied', {}]]),
    ...decided(0, 8, '2', 'k2', 'SG-301', 'require_human', [approval('ap-2', 'human')]),
    ...decided(0, 12, '3', 'k3', 'SG-404', 'require_quorum', [approval('ap-3', 'quorum')]),
    ...decided(0, 16, '4', 'k4', 'SG-406', 'require_human', [approval('ap-4', 'human')]),
    ...decided(0, 20, '5', 'k5', 'SG-201', 'require_quorum', [approval('ap-5', 'quorum')]),
    rec('telemetry_rejected', 0, 30, { offset: '6' }),
    rec('approval_granted', 0, 31, { topic: OPS, offset: '0' }, { payload: { approval_id: 'ap-2' } as never }),
    rec('approval_denied', 0, 32, { topic: OPS, offset: '1' }, { payload: { approval_id: 'ap-3' } as never }),
    rec('approval_expired', 0, 33, { offset: '7' }, { payload: { approval_id: 'ap-4' } as never }),
  ];
  const fate = (offset: string) => fateOf(trail, TEL, 0, offset);
  t.like(fate('0'), { receipt: 'telemetry_received', rule: 'SG-403', verdict: 'allow', approval: 'none', final: 'RELEASED' });
  t.like(fate('1'), { rule: 'SG-402', final: 'DENIED' });
  t.like(fate('2'), { approval: 'human', approvalId: 'ap-2', final: 'APPROVED' });
  t.like(fate('3'), { approval: 'quorum', final: 'OPERATOR_DENIED' });
  t.like(fate('4'), { final: 'EXPIRED' });
  t.like(fate('5'), { rule: 'SG-201', final: 'PENDING' });
  t.like(fate('6'), { receipt: 'telemetry_rejected', final: 'REJECTED' });
  t.deepEqual(fate('99'), { receipt: null, verdict: null, rule: null, approval: 'none', approvalId: null, final: null, actionClass: null, execution: null });
  t.like(fateOf(trail, 'other-topic', 0, '0'), { receipt: null });
});

test('fateOf: a released intent is succeeded, failed or not_executed by the execution record that names it', (t) => {
  const released = (offset: string, key: string, intentId: string) =>
    decided(0, Number(offset) * 4, offset, key, 'SG-403', 'allow', [['intent_released', { intent_id: intentId }]]).map((r) =>
      r.event_kind === 'safety_evaluated' ? { ...r, payload: { ...r.payload, intent_id: intentId } as never } : r,
    );
  const RES = 'exoarmur.execution-results.v1';
  const trail = [
    ...released('0', 'k0', 'I0'),
    ...released('1', 'k1', 'I1'),
    ...released('2', 'k2', 'I2'),
    rec('execution_succeeded', 0, 20, { topic: RES, offset: '0' }, { payload: { intent_id: 'I0' } as never }),
    rec('execution_failed', 0, 21, { topic: RES, offset: '1' }, { payload: { intent_id: 'I1' } as never }),
  ];
  t.like(fateOf(trail, TEL, 0, '0'), { final: 'RELEASED', execution: 'succeeded' });
  t.like(fateOf(trail, TEL, 0, '1'), { final: 'RELEASED', execution: 'failed' });
  t.like(fateOf(trail, TEL, 0, '2'), { final: 'RELEASED', execution: 'not_executed' });
});

test('outcomeSummary: a duplicate receipt changes neither counts nor digest; a changed verdict changes the digest', (t) => {
  const base = decided(0, 0, '0', 'k0', 'SG-403', 'allow', [['intent_released', {}]]);
  const execute = [{ intent_id: 'I1', intent_hash: 'x' }] as ExecutionIntentV1[];
  const before = outcomeSummary(base, execute);
  const after = outcomeSummary([...base, rec('telemetry_duplicate', 0, 3, { offset: '1' })], execute);
  t.deepEqual(after, before);
  t.deepEqual(before.counts, { execute: 1, intent_released: 1, safety_evaluated: 1 });
  const changed = base.map((r) => (r.event_kind === 'safety_evaluated' ? { ...r, payload: { rule: 'SG-404', verdict: 'require_quorum' } as never } : r));
  t.not(outcomeSummary(changed, execute).digest, before.digest);
  t.not(outcomeSummary(base, [...execute, { intent_id: 'I2', intent_hash: 'y' } as ExecutionIntentV1]).digest, before.digest);
});

test('timeModel: per-kind times, gapless strictly ordered receipts, out-of-order events with the filler counted apart', (t) => {
  const at = (kind: string, seq: number, offset: string, eventTime: string, tenant = 't1') =>
    rec(kind, 0, seq, { offset }, { event_time: eventTime, tenant_id: tenant, process_time: '2026-03-01T10:10:00.000Z' });
  const trail = [
    at('telemetry_received', 0, '0', '2026-03-01T10:05:00.000Z'),
    at('belief_emitted', 1, '0', '2026-03-01T10:05:00.000Z'),
    at('telemetry_received', 2, '1', '2026-03-01T10:01:00.000Z'),
    at('telemetry_received', 3, '2', '2026-03-01T10:00:00.000Z', 'burst'),
    at('telemetry_duplicate', 4, '3', '2026-03-01T09:00:00.000Z'),
  ];
  const model = timeModel(trail, true, 'burst');
  t.deepEqual(model.receipts, { '0': { count: 4, gapless: true, strictly_ordered: true } });
  t.is(model.out_of_order_events, 2);
  t.is(model.out_of_order_filler_events, 1);
  t.true(model.every_record_timed);
  t.true(model.replay_followed_recorded_order);
  t.deepEqual(model.per_kind['telemetry_received'], {
    count: 3,
    event_time_min: '2026-03-01T10:00:00.000Z',
    event_time_max: '2026-03-01T10:05:00.000Z',
    process_time_min: '2026-03-01T10:10:00.000Z',
    process_time_max: '2026-03-01T10:10:00.000Z',
    max_skew_ms: 600_000,
  });

  const gap = timeModel([trail[0]!, { ...trail[2]!, seq: 2 }], false);
  t.false(gap.receipts['0']!.gapless);
  const reordered = timeModel(
    [
      { ...trail[2]!, seq: 0 },
      { ...trail[0]!, seq: 1 },
    ],
    false,
  );
  t.false(reordered.receipts['0']!.strictly_ordered);
});

test('replayFollowedRecordedOrder: the report order digest must be that of the receipts in (partition, seq) order', (t) => {
  const trail = [
    rec('telemetry_received', 1, 0, { offset: '0' }),
    rec('belief_emitted', 1, 1, { offset: '0' }),
    rec('action_received', 1, 2, { topic: OPS, offset: '4' }),
    rec('telemetry_received', 0, 0, { offset: '0' }),
  ];
  const order = recordedReceiptOrder(trail);
  t.deepEqual(order, [
    { topic: TEL, partition: 0, offset: '0' },
    { topic: TEL, partition: 1, offset: '0' },
    { topic: OPS, partition: 1, offset: '4' },
  ]);
  const digest = (o: unknown) => createHash('sha256').update(canonicalJson(o)).digest('hex');
  t.true(replayFollowedRecordedOrder({ replay_order_length: 3, replay_order_sha256: digest(order) }, trail));
  t.false(replayFollowedRecordedOrder({ replay_order_length: 3, replay_order_sha256: digest([order[0], order[2], order[1]]) }, trail));
  t.false(replayFollowedRecordedOrder({ replay_order_length: 2, replay_order_sha256: digest(order) }, trail));
});

test('broker-kill survival: growth is fine, a lost record or a shrunk topic is not', (t) => {
  const ok = brokerKillSurvival({ counts: { audit: 2, dlq: 1 }, auditIds: ['a', 'b'] }, { counts: { audit: 3, dlq: 1 }, auditIds: ['a', 'b', 'c'] });
  t.deepEqual(ok, { before: { audit: 2, dlq: 1 }, after: { audit: 3, dlq: 1 }, audit_ids_lost: 0 });
  t.true(survived(ok));
  t.false(survived(brokerKillSurvival({ counts: { audit: 2 }, auditIds: ['a', 'b'] }, { counts: { audit: 2 }, auditIds: ['a', 'c'] })));
  t.false(survived(brokerKillSurvival({ counts: { audit: 2, dlq: 1 }, auditIds: ['a'] }, { counts: { audit: 2, dlq: 0 }, auditIds: ['a'] })));
});

test('trailCounts: records read back per topic, under the config keys', (t) => {
  const trail = { audit: [rec('telemetry_received', 0, 0, { offset: '0' })], execute: [], snapshots: [], actions: [], dlq: 2, state: 5, checkpoints: [] };
  t.deepEqual(trailCounts(trail), { audit: 1, execute: 0, config: 0, operator_actions: 0, dlq: 2, state: 5 });
});
