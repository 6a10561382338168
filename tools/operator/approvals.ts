/**
 * Approvals as the processor knows them, read from the state changelog (exoarmur.state.v1,
 * read_committed). The changelog, not the audit trail, is the source: it is exactly what the
 * processor restores before deciding an action (status, votes so far, the bound intent_hash), it
 * is compacted to one record per approval, and reading it needs no re-folding of audit history.
 */
import type { Kafka } from '../../processor/io/client.js';
import { decodeRecord } from '../../processor/codec/index.js';
import { stateKeys } from '../../processor/core/state.js';
import type { ApprovalState, StateRecordV1 } from '../../processor/core/types.js';
import { readTopic } from '../../processor/io/read.js';
import { ExoArmurError } from '../../processor/errors.js';

const APPROVAL_KEY_PREFIX = stateKeys.approval('');

/** Every approval on the state topic: the latest committed record per approval id (tombstones remove it). */
export async function readApprovals(kafka: Kafka, stateTopic: string): Promise<Map<string, ApprovalState>> {
  const approvals = new Map<string, ApprovalState>();
  await readTopic(kafka, {
    topic: stateTopic,
    onRecord: ({ partition, message }) => {
      const key = message.key?.toString('utf8');
      // Most of the changelog is idempotency marks; only approval keys are decoded.
      if (key === undefined || !key.startsWith(APPROVAL_KEY_PREFIX)) return;
      const approvalId = key.slice(APPROVAL_KEY_PREFIX.length);
      if (message.value === null) {
        approvals.delete(approvalId);
        return;
      }
      const decoded = decodeRecord('state', message.value, message.headers);
      if (!decoded.ok)
        throw new ExoArmurError('STATE_RECORD_UNDECODABLE', `${stateTopic}[${partition}]@${message.offset}: ${decoded.reason}`, {
          context: { topic: stateTopic, partition, offset: message.offset },
        });
      const record = decoded.value as StateRecordV1;
      if (record.approval !== null) approvals.set(approvalId, record.approval);
    },
  });
  return approvals;
}

export interface PendingApprovalView {
  approval_id: string;
  partition: number;
  tenant_id: string;
  correlation_id: string;
  intent_summary: string;
  action_class: string;
  rule: string;
  requirement: 'human' | 'quorum';
  required_votes: number;
  votes: string[];
  expires_at: string;
  intent_hash: string;
  event_id: string;
}

export function intentSummary(approval: ApprovalState): string {
  const i = approval.intent;
  return `${i.intent_type} ${i.subject_kind} ${i.subject} (${i.claim_type}, ${i.classification} ${i.confidence}, event ${i.event_time})`;
}

/** Pending approvals, optionally of one tenant, soonest expiry first. */
export function pendingViews(approvals: Map<string, ApprovalState>, tenant?: string): PendingApprovalView[] {
  const views: PendingApprovalView[] = [];
  for (const a of approvals.values()) {
    if (a.status !== 'pending' || (tenant !== undefined && a.intent.tenant_id !== tenant)) continue;
    views.push({
      approval_id: a.approval_id,
      partition: a.partition,
      tenant_id: a.intent.tenant_id,
      correlation_id: a.intent.correlation_id,
      intent_summary: intentSummary(a),
      action_class: a.intent.action_class,
      rule: a.rule,
      requirement: a.requirement,
      required_votes: a.required_votes,
      votes: a.votes.map((v) => v.actor_id),
      expires_at: a.expires_at,
      intent_hash: a.intent_hash,
      event_id: a.intent.event_id,
    });
  }
  return views.sort((x, y) => (x.expires_at < y.expires_at ? -1 : x.expires_at > y.expires_at ? 1 : x.approval_id < y.approval_id ? -1 : 1));
}

/** "human" or "quorum 1 of 2 (alice)": the requirement and how far its votes have got. */
export function requirementText(view: PendingApprovalView): string {
  const who = view.votes.length === 0 ? '' : ` (${view.votes.join(', ')})`;
  return view.requirement === 'human' ? `human${who}` : `quorum ${view.votes.length} of ${view.required_votes}${who}`;
}

/** A fixed-width table for people; `--json` gives the views as JSON lines for scripts. */
export function pendingTable(views: readonly PendingApprovalView[]): string {
  if (views.length === 0) return 'no pending approvals\n';
  const header = ['APPROVAL_ID', 'P', 'TENANT', 'CLASS', 'RULE', 'REQUIREMENT', 'EXPIRES_AT (event time)', 'INTENT'];
  const rows = views.map((v) => [v.approval_id, String(v.partition), v.tenant_id, v.action_class, v.rule, requirementText(v), v.expires_at, v.intent_summary]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
