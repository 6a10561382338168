/**
 * Pure readings of a run's committed audit trail: the fate of each telemetry delivery, the
 * outcome counts and verdict digest compared across the double-inject, and the time model.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../processor/core/canonical.js';
import { RECEIPT_KINDS, type ActionClass, type AuditRecordV1, type ConfigSnapshotV1, type ExecutionIntentV1, type OperatorActionV1 } from '../../processor/core/types.js';
import { runCounts } from '../bundle/counts.js';
import type { CheckpointV1 } from '../../processor/core/checkpoint.js';
import type { FinalStatus } from './scenario.js';

/** One telemetry record the harness sends: its value, key, headers, and the event it carries. */
export interface Outgoing {
  line: string;
  key: string | null;
  /** Kafka headers (a sensor sample's `exoarmur-format` and `exoarmur-tenant`); none for native lines. */
  headers?: Record<string, string>;
  /** The scenario's event_id for the line (a sensor sample's: the id its adapter derives), or null (raw lines; burst filler carries its own). */
  eventId: string | null;
}

/** A sent record with the partition and offset the broker confirmed; re-sent as it is by the double-inject. */
export interface Delivery extends Outgoing {
  partition: number;
  offset: string;
}

/** The run's committed records as read back (read_committed) from its topics. */
export interface Trail {
  audit: AuditRecordV1[];
  execute: ExecutionIntentV1[];
  snapshots: ConfigSnapshotV1[];
  actions: Array<{ partition: number; offset: string; value: OperatorActionV1 }>;
  dlq: number;
  state: number;
  /** Signed checkpoints read back from the checkpoint topic, by partition then offset. */
  checkpoints: CheckpointV1[];
}

/** Records read back per topic (config keys), as storage_state.json and the broker-kill check count them. */
export function trailCounts(trail: Trail): Record<string, number> {
  return { audit: trail.audit.length, execute: trail.execute.length, config: trail.snapshots.length, operator_actions: trail.actions.length, dlq: trail.dlq, state: trail.state };
}

export interface Fate {
  receipt: string | null;
  verdict: string | null;
  rule: string | null;
  approval: 'none' | 'human' | 'quorum';
  approvalId: string | null;
  final: FinalStatus | null;
  /** The class of the intent the event proposed, if it got that far. */
  actionClass: ActionClass | null;
  /** For a released intent (RELEASED, APPROVED): what the actuator reported, or not_executed while none did; null otherwise. */
  execution: ExecutionStatus | null;
}

export type ExecutionStatus = 'succeeded' | 'failed' | 'not_executed';

/** What the audit trail says became of a released intent: its execution_succeeded / execution_failed record, else not_executed. */
export function executionOf(audit: readonly AuditRecordV1[], intentId: string): ExecutionStatus {
  const reported = audit.find(
    (r) => (r.event_kind === 'execution_succeeded' || r.event_kind === 'execution_failed') && (r.payload as { intent_id: string }).intent_id === intentId,
  );
  return reported === undefined ? 'not_executed' : reported.event_kind === 'execution_succeeded' ? 'succeeded' : 'failed';
}

function coord(topic: string, partition: number, offset: string): string {
  return `${topic}/${partition}/${offset}`;
}

/** The fate of the telemetry delivered at (partition, offset) of `telemetryTopic`. */
export function fateOf(audit: readonly AuditRecordV1[], telemetryTopic: string, partition: number, offset: string): Fate {
  const at = coord(telemetryTopic, partition, offset);
  const receipt = audit.find((r) => RECEIPT_KINDS.has(r.event_kind) && coord(r.input.topic, r.input.partition, r.input.offset) === at);
  const fate: Fate = { receipt: receipt?.event_kind ?? null, verdict: null, rule: null, approval: 'none', approvalId: null, final: null, actionClass: null, execution: null };
  if (!receipt) return fate;
  if (receipt.event_kind === 'telemetry_rejected') return { ...fate, final: 'REJECTED' };
  const ownRecords = audit.filter((r) => r.idempotency_key === receipt.idempotency_key && !RECEIPT_KINDS.has(r.event_kind));
  const safety = ownRecords.find((r) => r.event_kind === 'safety_evaluated') as AuditRecordV1<'safety_evaluated'> | undefined;
  if (safety) {
    fate.actionClass = safety.payload.action_class;
    fate.verdict = safety.payload.verdict;
    fate.rule = safety.payload.rule;
  }
  // An input's chain can also hold outcomes of other intents its stream time triggered (a revert), so match the intent.
  const own = (r: AuditRecordV1): boolean => safety !== undefined && (r.payload as { intent_id?: string }).intent_id === safety.payload.intent_id;
  const intentId = safety?.payload.intent_id ?? null;
  if (ownRecords.some((r) => r.event_kind === 'intent_released' && own(r)))
    return { ...fate, final: 'RELEASED', execution: intentId === null ? 'not_executed' : executionOf(audit, intentId) };
  if (ownRecords.some((r) => r.event_kind === 'intent_denied' && own(r))) return { ...fate, final: 'DENIED' };
  const requested = ownRecords.find((r) => r.event_kind === 'approval_requested') as AuditRecordV1<'approval_requested'> | undefined;
  if (!requested) return fate;
  const approvalId = requested.payload.approval_id;
  fate.approval = requested.payload.requirement;
  fate.approvalId = approvalId;
  const about = audit.filter((r) => r !== requested && (r.payload as { approval_id?: string | null }).approval_id === approvalId);
  if (about.some((r) => r.event_kind === 'approval_granted')) return { ...fate, final: 'APPROVED', execution: executionOf(audit, requested.payload.intent_id) };
  if (about.some((r) => r.event_kind === 'approval_denied')) return { ...fate, final: 'OPERATOR_DENIED' };
  if (about.some((r) => r.event_kind === 'approval_expired')) return { ...fate, final: 'EXPIRED' };
  return { ...fate, final: 'PENDING' };
}

export interface OutcomeSummary {
  counts: Record<string, number>;
  digest: string;
}

/**
 * Outcome counts (every non-receipt audit kind, plus execute records) and a digest over every
 * decision: receipts are left out because a second delivery adds exactly one receipt and must add
 * nothing else.
 */
export function outcomeSummary(audit: readonly AuditRecordV1[], execute: readonly ExecutionIntentV1[]): OutcomeSummary {
  const counts: Record<string, number> = {};
  const lines: string[] = [];
  for (const r of audit) {
    if (RECEIPT_KINDS.has(r.event_kind)) continue;
    counts[r.event_kind] = (counts[r.event_kind] ?? 0) + 1;
    const p = r.payload as { verdict?: string; rule?: string; intent_hash?: string };
    lines.push([r.audit_id, r.event_kind, r.idempotency_key, p.verdict ?? '', p.rule ?? '', p.intent_hash ?? ''].join('|'));
  }
  counts['execute'] = execute.length;
  for (const e of execute) lines.push(`execute|${e.intent_id}|${e.intent_hash}`);
  lines.sort();
  const sorted: Record<string, number> = {};
  for (const k of Object.keys(counts).sort()) sorted[k] = counts[k]!;
  return { counts: sorted, digest: createHash('sha256').update(lines.join('\n')).digest('hex') };
}

export interface KindTimes {
  count: number;
  event_time_min: string;
  event_time_max: string;
  process_time_min: string;
  process_time_max: string;
  max_skew_ms: number;
}
export interface ReceiptOrder {
  count: number;
  gapless: boolean;
  strictly_ordered: boolean;
}

export interface TimeModel {
  per_kind: Record<string, KindTimes>;
  receipts: Record<string, ReceiptOrder>;
  replay_followed_recorded_order: boolean;
  every_record_timed: boolean;
  out_of_order_events: number;
  /** Of those, the kill_processor filler burst's (observed at the scenario's earliest time on purpose). */
  out_of_order_filler_events: number;
}

/**
 * Receipts per partition must be strictly ordered by (seq, input offset per input topic) and the
 * seqs of the whole partition gapless from 0; out-of-order events are counted by the one
 * definition (tools/bundle/counts.ts).
 */
export function timeModel(audit: readonly AuditRecordV1[], replayFollowedOrder: boolean, fillerTenant: string | null = null): TimeModel {
  const per_kind: Record<string, KindTimes> = {};
  let everyTimed = true;
  for (const r of audit) {
    if (!r.event_time || !r.process_time) everyTimed = false;
    const skew = Math.abs(Date.parse(r.process_time) - Date.parse(r.event_time));
    const k = per_kind[r.event_kind];
    if (!k) {
      per_kind[r.event_kind] = {
        count: 1,
        event_time_min: r.event_time,
        event_time_max: r.event_time,
        process_time_min: r.process_time,
        process_time_max: r.process_time,
        max_skew_ms: skew,
      };
      continue;
    }
    k.count += 1;
    if (r.event_time < k.event_time_min) k.event_time_min = r.event_time;
    if (r.event_time > k.event_time_max) k.event_time_max = r.event_time;
    if (r.process_time < k.process_time_min) k.process_time_min = r.process_time;
    if (r.process_time > k.process_time_max) k.process_time_max = r.process_time;
    if (skew > k.max_skew_ms) k.max_skew_ms = skew;
  }
  const byPartition = new Map<number, AuditRecordV1[]>();
  for (const r of audit) byPartition.set(r.input.partition, [...(byPartition.get(r.input.partition) ?? []), r]);
  const receipts: Record<string, ReceiptOrder> = {};
  for (const [partition, records] of [...byPartition].sort((a, b) => a[0] - b[0])) {
    const sorted = [...records].sort((a, b) => a.seq - b.seq);
    const gapless = sorted.every((r, i) => r.seq === i);
    const rs = sorted.filter((r) => RECEIPT_KINDS.has(r.event_kind));
    const lastOffset = new Map<string, bigint>();
    let ordered = true;
    for (const r of rs) {
      const previous = lastOffset.get(r.input.topic);
      const offset = BigInt(r.input.offset);
      if (previous !== undefined && offset <= previous) ordered = false;
      lastOffset.set(r.input.topic, offset);
    }
    receipts[String(partition)] = { count: rs.length, gapless, strictly_ordered: ordered };
  }
  const counts = runCounts(audit, null, fillerTenant);
  return {
    per_kind,
    receipts,
    replay_followed_recorded_order: replayFollowedOrder,
    every_record_timed: everyTimed,
    out_of_order_events: counts.out_of_order,
    out_of_order_filler_events: counts.out_of_order_filler,
  };
}

/** The inputs in recorded order: each partition's receipts by seq, partitions ascending (as replay feeds them). */
export function recordedReceiptOrder(audit: readonly AuditRecordV1[]): Array<{ topic: string; partition: number; offset: string }> {
  return [...audit]
    .filter((r) => RECEIPT_KINDS.has(r.event_kind))
    .sort((a, b) => a.input.partition - b.input.partition || a.seq - b.seq)
    .map((r) => ({ topic: r.input.topic, partition: r.input.partition, offset: r.input.offset }));
}

/** True when the replay report's order digest is the digest of the recorded receipt order. */
export function replayFollowedRecordedOrder(report: { replay_order_length: number; replay_order_sha256: string }, audit: readonly AuditRecordV1[]): boolean {
  const order = recordedReceiptOrder(audit);
  return report.replay_order_length === order.length && report.replay_order_sha256 === createHash('sha256').update(canonicalJson(order)).digest('hex');
}

/** What was read back (read_committed) just before a broker SIGKILL and once it served reads again. */
export interface KillSurvival {
  before: Record<string, number>;
  after: Record<string, number>;
  /** Audit ids committed before the kill that are not read back after it. */
  audit_ids_lost: number;
}

export function brokerKillSurvival(
  before: { counts: Record<string, number>; auditIds: readonly string[] },
  after: { counts: Record<string, number>; auditIds: readonly string[] },
): KillSurvival {
  const present = new Set(after.auditIds);
  return { before: before.counts, after: after.counts, audit_ids_lost: before.auditIds.filter((id) => !present.has(id)).length };
}

/**
 * The processor may still commit while the broker is killed, so counts may grow across the kill;
 * survival means nothing committed before it is gone and no topic holds fewer records.
 */
export function survived(s: KillSurvival): boolean {
  return s.audit_ids_lost === 0 && Object.entries(s.before).every(([topic, n]) => (s.after[topic] ?? 0) >= n);
}
