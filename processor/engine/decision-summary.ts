/**
 * What one batch decided, counted from the core's output records: the receipts by kind, the
 * safety verdicts by rule, dead letters, approvals requested and expired, and the partition's
 * pending approvals after the batch (its meta record). The processor logs it with every committed
 * batch, so the service log carries decisions, and the metrics are counted from that log line.
 */
import type { OutputRecord } from '../core/api.js';
import { RECEIPT_KINDS, type AuditRecordV1, type StateRecordV1 } from '../core/types.js';

export interface DecisionSummary {
  receipts: Record<string, number>;
  /** `<rule>:<verdict>` -> count, e.g. `SG-403:allow`. */
  verdicts: Record<string, number>;
  dead_letters: number;
  approvals_requested: number;
  approvals_expired: number;
  /** Pending approvals of the partition after the batch; null when the batch wrote no meta record. */
  pending_approvals: number | null;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export function summarizeDecisions(records: Iterable<OutputRecord>): DecisionSummary {
  const summary: DecisionSummary = { receipts: {}, verdicts: {}, dead_letters: 0, approvals_requested: 0, approvals_expired: 0, pending_approvals: null };
  for (const record of records) {
    if (record.role === 'dlq') summary.dead_letters += 1;
    else if (record.role === 'state') {
      const meta = (record.value as StateRecordV1 | null)?.meta;
      if (meta) summary.pending_approvals = Number(meta.pending_count);
    } else if (record.role === 'audit') {
      const audit = record.value as AuditRecordV1;
      if (RECEIPT_KINDS.has(audit.event_kind)) bump(summary.receipts, audit.event_kind);
      else if (audit.event_kind === 'safety_evaluated') {
        const { rule, verdict } = (audit as AuditRecordV1<'safety_evaluated'>).payload;
        bump(summary.verdicts, `${rule}:${verdict}`);
      } else if (audit.event_kind === 'approval_requested') summary.approvals_requested += 1;
      else if (audit.event_kind === 'approval_expired') summary.approvals_expired += 1;
    }
  }
  return summary;
}
