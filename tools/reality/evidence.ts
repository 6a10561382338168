/**
 * The evidence builders, one per bundle file the run derives from its trail: pure functions from
 * what was read back (and what the harness did) to the file's content. tools/reality/bundle.ts
 * gathers the inputs and writes the files.
 */
import { canonicalJson } from '../../processor/core/canonical.js';
import type { AuditRecordV1, ConfigSnapshotV1, OperatorActionV1 } from '../../processor/core/types.js';
import type { BundleConfigSnapshot } from '../bundle/files.js';
import type { RunCounts } from '../bundle/counts.js';
import { trailCounts, type KillSurvival, type OutcomeSummary, type Trail } from './analysis.js';
import type { DataFile, RunBroker } from './broker-control.js';
import type { StorageFacts } from './live.js';

export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function jsonlText(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

/** audit_export.jsonl: every committed audit record, by input partition then seq. */
export function auditExportText(audit: readonly AuditRecordV1[]): string {
  return jsonlText(audit);
}

/** operator_actions.jsonl: every operator record read back, in topic order. */
export function operatorActionsText(actions: ReadonlyArray<{ value: OperatorActionV1 }>): string {
  return jsonlText(actions.map((a) => a.value));
}

/** config_snapshot.json: each snapshot with its config as an object, not the canonical string. */
export function configSnapshots(snapshots: readonly ConfigSnapshotV1[]): BundleConfigSnapshot[] {
  return snapshots.map((s) => ({ config_hash: s.config_hash, config: JSON.parse(s.config) as Record<string, unknown>, captured_at: s.captured_at }));
}

/** config_hash.txt: the hash of the run's first config snapshot. */
export function configHashText(snapshots: ReadonlyArray<{ config_hash: string }>): string {
  return `${snapshots[0]?.config_hash ?? ''}\n`;
}

export interface StorageState {
  run_id: string;
  broker: { brokers: string; embedded: boolean; data_dir: string | null };
  topics: StorageFacts['topics'];
  committed_group_offsets: { group: string; topics: StorageFacts['committed'] };
  record_counts_read_back: Record<string, number>;
  counts_across_broker_kills: KillSurvival[];
  data_files: DataFile[];
}

/** storage_state.json: what the broker holds, on the wire and on disk, and what survived each broker kill. */
export function storageState(
  run: { runId: string; broker: RunBroker; group: string },
  facts: StorageFacts,
  trail: Trail,
  acrossBrokerKills: KillSurvival[],
  dataFiles: DataFile[],
): StorageState {
  return {
    run_id: run.runId,
    broker: { brokers: run.broker.brokers, embedded: run.broker.owned, data_dir: run.broker.dataDir },
    topics: facts.topics,
    committed_group_offsets: { group: run.group, topics: facts.committed },
    record_counts_read_back: trailCounts(trail),
    counts_across_broker_kills: acrossBrokerKills,
    data_files: dataFiles,
  };
}

/** Idempotency keys of the valid telemetry received (a rejected delivery has no key to repeat). */
export function receivedKeys(audit: readonly AuditRecordV1[], telemetryTopic: string): Set<string> {
  return new Set(audit.filter((r) => r.input.topic === telemetryTopic && r.event_kind === 'telemetry_received').map((r) => r.idempotency_key));
}

export interface IdempotencyReport {
  deliveries: number;
  rejected_deliveries: number;
  unique_keys: number;
  duplicates_suppressed: number;
  outcomes_before: Record<string, number>;
  outcomes_after: Record<string, number>;
  digest_before: string;
  digest_after: string;
  equal: boolean;
}

/** idempotency_report.json: the double-inject, its counts by the one definition (tools/bundle/counts.ts). */
export function idempotencyReport(counts: RunCounts, before: OutcomeSummary, after: OutcomeSummary): IdempotencyReport {
  return {
    deliveries: counts.telemetry_deliveries,
    rejected_deliveries: counts.rejected,
    unique_keys: counts.unique_keys,
    duplicates_suppressed: counts.duplicates,
    outcomes_before: before.counts,
    outcomes_after: after.counts,
    digest_before: before.digest,
    digest_after: after.digest,
    equal: before.digest === after.digest && canonicalJson(before.counts) === canonicalJson(after.counts),
  };
}
