/**
 * The one definition of every count a run reports (docs/contracts.md "Counts"). PASS_FAIL.txt,
 * idempotency_report.json, time_model.json, `verify` and the reality log all read these; the
 * evidence viewer re-implements the same definitions (evidence-viewer/counts.js) and a test holds
 * the two equal on a real bundle.
 */
import { RECEIPT_KINDS, type AuditRecordV1 } from '../../processor/core/types.js';

export interface RunCounts {
  /** Records written to the input topics: telemetry (both injects, raw lines and sensor samples included), operator records (a kill switch is one record per partition) and the actuator's results. */
  deliveries: number;
  telemetry_deliveries: number;
  operator_deliveries: number;
  result_deliveries: number;
  /** Audit records of a receipt kind: one per consumed input record, every input topic. */
  receipts: number;
  /** Telemetry receipts that are not rejections (telemetry_received + telemetry_duplicate). */
  valid: number;
  /** telemetry_received receipts: the distinct idempotency keys of valid telemetry. */
  unique_keys: number;
  /** telemetry_duplicate receipts: redeliveries suppressed (receipt only). */
  duplicates: number;
  /** telemetry_rejected receipts (each with a dead letter). */
  rejected: number;
  /** operator_action_applied records (a kill switch applies once per partition). */
  actions_applied: number;
  /** Operator records not applied: operator_action_rejected decisions plus action_rejected receipts (undecodable). */
  actions_rejected: number;
  /** action_duplicate receipts. */
  actions_duplicate: number;
  /** telemetry_received receipts whose event_time is earlier than one already received on the same partition (receipt order). */
  out_of_order: number;
  /** Of those, the ones of the filler tenant (the kill_processor burst, out of order on purpose). */
  out_of_order_filler: number;
}

/** Where the harness says what it sent; null where a bundle does not carry it (then deliveries are 0). */
export interface SentInputs {
  telemetry: readonly string[];
  operator_actions: readonly string[];
  /** Results the actuator wrote (absent from bundles made before the actuator ran in them). */
  results?: readonly string[];
}

/** Every count, from the audit trail (ordered by partition then seq) and what was sent. */
export function runCounts(audit: readonly AuditRecordV1[], sent: SentInputs | null, fillerTenant: string | null): RunCounts {
  const kinds = new Map<string, number>();
  for (const r of audit) kinds.set(r.event_kind, (kinds.get(r.event_kind) ?? 0) + 1);
  const n = (kind: string) => kinds.get(kind) ?? 0;
  let receipts = 0;
  for (const kind of RECEIPT_KINDS) receipts += n(kind);
  const late = outOfOrder(audit, fillerTenant);
  const telemetry = sent?.telemetry.length ?? 0;
  const operator = sent?.operator_actions.length ?? 0;
  const results = sent?.results?.length ?? 0;
  return {
    deliveries: telemetry + operator + results,
    telemetry_deliveries: telemetry,
    operator_deliveries: operator,
    result_deliveries: results,
    receipts,
    valid: n('telemetry_received') + n('telemetry_duplicate'),
    unique_keys: n('telemetry_received'),
    duplicates: n('telemetry_duplicate'),
    rejected: n('telemetry_rejected'),
    actions_applied: n('operator_action_applied'),
    actions_rejected: n('operator_action_rejected') + n('action_rejected'),
    actions_duplicate: n('action_duplicate'),
    out_of_order: late.all,
    out_of_order_filler: late.filler,
  };
}

/** Out-of-order telemetry per the definition above, walking each partition's receipts by seq. */
function outOfOrder(audit: readonly AuditRecordV1[], fillerTenant: string | null): { all: number; filler: number } {
  const latest = new Map<number, string>();
  let all = 0;
  let filler = 0;
  const ordered = [...audit].sort((a, b) => a.input.partition - b.input.partition || a.seq - b.seq);
  for (const r of ordered) {
    if (r.event_kind !== 'telemetry_received') continue;
    const max = latest.get(r.input.partition) ?? '';
    if (r.event_time < max) {
      all += 1;
      if (r.tenant_id === fillerTenant) filler += 1;
    } else latest.set(r.input.partition, r.event_time);
  }
  return { all, filler };
}
