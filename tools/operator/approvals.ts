/**
 * Approvals as the processor knows them, read from the state changelog (exoarmur.state.v1,
 * read_committed). The changelog, not the audit trail, is the source: it is exactly what the
 * processor restores before deciding an action (status, votes so far, the bound intent_hash), it
 * is compacted to one record per approval, and reading it needs no re-folding of audit history.
 */
import type { Kafka } from '../../processor/io/client.js';
import { decodeRecord } from '../../processor/codec/index.js';
import { stateKeys } from '../../processor/core/state.js';
import type { ApprovalState, Intent, KillSwitchState, StateRecordV1 } from '../../processor/core/types.js';
import { readTopic } from '../../processor/io/read.js';
import { ExoArmurError } from '../../processor/errors.js';

const APPROVAL_KEY_PREFIX = stateKeys.approval('');
const META_KEY_PREFIX = stateKeys.meta(0).slice(0, -1);
const KILL_KEY_PREFIX = stateKeys.killGlobal().split('/')[0]! + '/';
const REVERT_KEY_PREFIX = stateKeys.revert('');
const CONTAINED_KEY_PREFIX = stateKeys.contained('');
const OPERATOR_KEY_PREFIXES = [APPROVAL_KEY_PREFIX, META_KEY_PREFIX, KILL_KEY_PREFIX, REVERT_KEY_PREFIX, CONTAINED_KEY_PREFIX];

/** One partition's kill switch record (every partition holds its own copy of each switch). */
export interface PartitionKillSwitch extends KillSwitchState {
  partition: number;
}

/**
 * A released containment with a self-revert, as its partition's state holds it: on the revert list
 * (scheduled, ends_at its end), kept by an operator with no end, or reverted (still remembered).
 */
export interface PartitionContainment {
  partition: number;
  status: 'scheduled' | 'kept' | 'reverted';
  ends_at: string | null;
  intent: Intent;
}

/** What an operator needs from the state changelog: approvals, each partition's stream time, the kill switches, the self-reverting containments. */
export interface OperatorState {
  approvals: Map<string, ApprovalState>;
  /** By intent id. */
  containments: Map<string, PartitionContainment>;
  /** Partition -> its stream time (greatest telemetry observed_at consumed), null before any telemetry. */
  streamTimes: Map<number, string | null>;
  killSwitches: PartitionKillSwitch[];
  partitions: number;
}

/** Every approval, partition meta and kill switch on the state topic: the latest committed record per key (tombstones remove it). */
export async function readOperatorState(kafka: Kafka, stateTopic: string): Promise<OperatorState> {
  const approvals = new Map<string, ApprovalState>();
  const streamTimes = new Map<number, string | null>();
  const kills = new Map<string, PartitionKillSwitch>();
  // revert/<id> and contained/<id> are both keyed by intent id: the list entry wins while it exists.
  const scheduled = new Map<string, PartitionContainment>();
  const offList = new Map<string, PartitionContainment>();
  const partitions = new Set<number>();
  await readTopic(kafka, {
    topic: stateTopic,
    purpose: 'reading approvals, stream times, kill switches and containments',
    onRecord: ({ partition, message }) => {
      partitions.add(partition);
      const key = message.key?.toString('utf8');
      // Most of the changelog is idempotency marks; only the keys an operator needs are decoded.
      if (key === undefined || !OPERATOR_KEY_PREFIXES.some((prefix) => key.startsWith(prefix))) return;
      const killKey = `${partition}:${key}`;
      if (message.value === null) {
        if (key.startsWith(APPROVAL_KEY_PREFIX)) approvals.delete(key.slice(APPROVAL_KEY_PREFIX.length));
        kills.delete(killKey);
        if (key.startsWith(REVERT_KEY_PREFIX)) scheduled.delete(key.slice(REVERT_KEY_PREFIX.length));
        if (key.startsWith(CONTAINED_KEY_PREFIX)) offList.delete(key.slice(CONTAINED_KEY_PREFIX.length));
        return;
      }
      const decoded = decodeRecord('state', message.value, message.headers);
      if (!decoded.ok)
        throw new ExoArmurError('STATE_RECORD_UNDECODABLE', `${stateTopic}[${partition}]@${message.offset}: ${decoded.reason}`, {
          context: { topic: stateTopic, partition, offset: message.offset },
        });
      const record = decoded.value as StateRecordV1;
      if (record.approval !== null) approvals.set(key.slice(APPROVAL_KEY_PREFIX.length), record.approval);
      if (record.meta !== null) streamTimes.set(record.meta.partition, record.meta.stream_time);
      if (record.kill_switch !== null) kills.set(killKey, { ...record.kill_switch, partition });
      if (record.revert !== null) scheduled.set(record.revert.intent_id, { partition, status: 'scheduled', ends_at: record.revert.ends_at, intent: record.revert.intent });
      if (record.contained !== null)
        offList.set(record.contained.intent_id, { partition, status: record.contained.status, ends_at: record.contained.ends_at, intent: record.contained.intent });
    },
  });
  const containments = new Map([...offList, ...scheduled]);
  return { approvals, containments, streamTimes, killSwitches: [...kills.values()], partitions: partitions.size };
}

/** Every approval on the state topic (see readOperatorState). */
export async function readApprovals(kafka: Kafka, stateTopic: string): Promise<Map<string, ApprovalState>> {
  return (await readOperatorState(kafka, stateTopic)).approvals;
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
  /** The approval's partition's stream time (it expires when this passes expires_at), null when unknown. */
  stream_time: string | null;
  /** "expired", "14m 50s" (of stream time), or "unknown" before the partition has a stream time. */
  time_left: string;
  /** The operator's clock is past expires_at: an approve or deny signed now would be rejected (after_expiry). */
  past_expiry_by_clock: boolean;
  intent_hash: string;
  event_id: string;
}

/** When a view is made: each partition's stream time and the operator's clock. */
export interface ExpiryContext {
  streamTimes: ReadonlyMap<number, string | null>;
  now: Date;
}

/** "1h 02m", "14m 50s", "9s": a duration for people. */
export function durationText(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** How much stream time is left before an approval expires: the processor expires it once stream time passes expires_at. */
export function timeLeft(expiresAt: string, streamTime: string | null): string {
  if (streamTime === null) return 'unknown';
  const left = Date.parse(expiresAt) - Date.parse(streamTime);
  return left < 0 ? 'expired' : durationText(left);
}

export function intentSummary(approval: ApprovalState): string {
  const i = approval.intent;
  return `${i.intent_type} ${i.subject_kind} ${i.subject} (${i.claim_type}, ${i.classification} ${i.confidence}, event ${i.event_time})`;
}

/** Pending approvals, optionally of one tenant, soonest expiry first. */
export function pendingViews(approvals: Map<string, ApprovalState>, tenant: string | undefined, context: ExpiryContext): PendingApprovalView[] {
  const views: PendingApprovalView[] = [];
  for (const a of approvals.values()) {
    if (a.status !== 'pending' || (tenant !== undefined && a.intent.tenant_id !== tenant)) continue;
    const streamTime = context.streamTimes.get(a.partition) ?? null;
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
      stream_time: streamTime,
      time_left: timeLeft(a.expires_at, streamTime),
      past_expiry_by_clock: context.now.getTime() > Date.parse(a.expires_at),
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
  const header = ['APPROVAL_ID', 'P', 'TENANT', 'CLASS', 'RULE', 'REQUIREMENT', 'EXPIRES_AT (event time)', 'LEFT (stream time)', 'INTENT'];
  const rows = views.map((v) => [v.approval_id, String(v.partition), v.tenant_id, v.action_class, v.rule, requirementText(v), v.expires_at, v.time_left, v.intent_summary]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const clockPast = views.filter((v) => v.past_expiry_by_clock).length;
  // Fixture and replayed telemetry carry old event times: such approvals can only expire, and saying so spares a doomed approve.
  const note =
    clockPast === 0 ? '' : `note: your clock is past the expiry of ${clockPast} of these; an approve or deny signed now is rejected (after_expiry), so they can only expire\n`;
  return [line(header), ...rows.map(line)].join('\n') + '\n' + note;
}
