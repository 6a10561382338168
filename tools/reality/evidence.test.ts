/** The pure evidence builders: each bundle file's content from what was read back. */
import test from 'ava';
import { canonicalJson } from '../../processor/core/canonical.js';
import type { ConfigSnapshotV1, OperatorActionV1 } from '../../processor/core/types.js';
import { decided, rec, TEL } from '../testing/audit-records.js';
import { brokerKillSurvival, outcomeSummary } from './analysis.js';
import { runCounts } from '../bundle/counts.js';
import { auditExportText, configHashText, configSnapshots, idempotencyReport, operatorActionsText, receivedKeys, storageState } from './evidence.js';

test('audit export and operator actions: one JSON line per record, nothing for none', (t) => {
  const audit = [rec('telemetry_received', 0, 0, { offset: '0' }), rec('telemetry_rejected', 0, 1, { offset: '1' })];
  t.is(auditExportText(audit), `${JSON.stringify(audit[0])}\n${JSON.stringify(audit[1])}\n`);
  t.is(auditExportText([]), '');
  const action = { action_id: 'X1', action: 'approve' } as OperatorActionV1;
  t.is(operatorActionsText([{ value: action }]), `${JSON.stringify(action)}\n`);
  t.is(operatorActionsText([]), '');
});

test('config snapshot: the config as an object; config_hash.txt names the first snapshot', (t) => {
  const config = { policy: { quorum_size: 2 } };
  const recorded = [
    { config_hash: 'h1', config: canonicalJson(config), captured_at: '2026-03-01T10:00:00.000Z' },
    { config_hash: 'h2', config: '{}', captured_at: 'later' },
  ] as ConfigSnapshotV1[];
  const snapshots = configSnapshots(recorded);
  t.deepEqual(snapshots[0], { config_hash: 'h1', config, captured_at: '2026-03-01T10:00:00.000Z' });
  t.is(configHashText(snapshots), 'h1\n');
  t.is(configHashText([]), '\n');
});

test('storage state: broker, topic facts, commits, counts read back, kill survival and data files, in that order', (t) => {
  const broker = { brokers: '127.0.0.1:1', dataDir: '/d', owned: true, port: 1, controllerPort: 2, secure: null };
  const facts = {
    topics: { 'r.audit': { partitions: 3, configs: { 'cleanup.policy': 'delete' }, offsets: [] } },
    committed: [{ topic: 'r.tel', partitions: [{ partition: 0, offset: '5' }] }],
  };
  const trail = { audit: [rec('telemetry_received', 0, 0, { offset: '0' })], execute: [], snapshots: [], actions: [], dlq: 0, state: 4, checkpoints: [] };
  const kills = [brokerKillSurvival({ counts: { audit: 1 }, auditIds: ['a'] }, { counts: { audit: 1 }, auditIds: ['a'] })];
  const state = storageState({ runId: 'R', broker, group: 'g' }, facts, trail, kills, [{ path: 'r.audit-0/0.log', bytes: 9 }]);
  t.deepEqual(Object.keys(state), ['run_id', 'broker', 'topics', 'committed_group_offsets', 'record_counts_read_back', 'counts_across_broker_kills', 'data_files']);
  t.deepEqual(state.broker, { brokers: '127.0.0.1:1', embedded: true, data_dir: '/d' });
  t.deepEqual(state.committed_group_offsets, { group: 'g', topics: facts.committed });
  t.deepEqual(state.record_counts_read_back, { audit: 1, execute: 0, config: 0, operator_actions: 0, dlq: 0, state: 4 });
});

test('idempotency report: its counts are the one definition of tools/bundle/counts.ts, its digests the summaries', (t) => {
  const audit = [
    ...decided(0, 0, '0', 't1:E1', 'SG-403', 'allow', [['intent_released', {}]]),
    rec('telemetry_duplicate', 0, 3, { offset: '1' }, { idempotency_key: 't1:E1' }),
    rec('telemetry_rejected', 0, 4, { offset: '2' }),
  ];
  t.deepEqual([...receivedKeys(audit, TEL)], ['t1:E1']);
  const summary = outcomeSummary(audit, []);
  const counts = runCounts(audit, { telemetry: ['a', 'b', 'c'], operator_actions: [] }, null);
  const report = idempotencyReport(counts, summary, summary);
  t.like(report, { deliveries: 3, rejected_deliveries: 1, unique_keys: 1, duplicates_suppressed: 1, digest_before: summary.digest, equal: true });
  t.false(idempotencyReport(counts, summary, outcomeSummary(audit.slice(0, 2), [])).equal);
});
