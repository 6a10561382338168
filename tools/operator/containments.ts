/**
 * Released containments with a self-revert, as an operator sees them (`exoarmur operator
 * contained`): what reverts when (in stream time), what an operator kept with no end, and what
 * was reverted. The intent id is what `exoarmur operator keep-contained` takes.
 */
import type { PartitionContainment } from './approvals.js';
import { durationText } from './approvals.js';

export interface ContainmentView {
  intent_id: string;
  partition: number;
  tenant_id: string;
  correlation_id: string;
  subject: string;
  action_class: string;
  intent_type: string;
  status: 'scheduled' | 'kept' | 'reverted';
  /** scheduled: when it reverts; reverted: when it did; kept: null (no end). */
  ends_at: string | null;
  stream_time: string | null;
  /** scheduled: stream time left before the revert ("unknown" before the partition has a stream time); else "". */
  reverts_in: string;
}

/** Every containment (optionally of one tenant; reverted ones only with `all`): scheduled soonest first, then kept, then reverted. */
export function containmentViews(
  containments: ReadonlyMap<string, PartitionContainment>,
  streamTimes: ReadonlyMap<number, string | null>,
  options: { tenant?: string; all: boolean },
): ContainmentView[] {
  const order = { scheduled: 0, kept: 1, reverted: 2 } as const;
  const views: ContainmentView[] = [];
  for (const [intentId, c] of containments) {
    if ((options.tenant !== undefined && c.intent.tenant_id !== options.tenant) || (c.status === 'reverted' && !options.all)) continue;
    const streamTime = streamTimes.get(c.partition) ?? null;
    views.push({
      intent_id: intentId,
      partition: c.partition,
      tenant_id: c.intent.tenant_id,
      correlation_id: c.intent.correlation_id,
      subject: `${c.intent.subject_kind} ${c.intent.subject}`,
      action_class: c.intent.action_class,
      intent_type: c.intent.intent_type,
      status: c.status,
      ends_at: c.ends_at,
      stream_time: streamTime,
      reverts_in: c.status !== 'scheduled' || c.ends_at === null ? '' : streamTime === null ? 'unknown' : durationText(Math.max(0, Date.parse(c.ends_at) - Date.parse(streamTime))),
    });
  }
  return views.sort((a, b) => order[a.status] - order[b.status] || (a.ends_at ?? '').localeCompare(b.ends_at ?? '') || a.intent_id.localeCompare(b.intent_id));
}

/** One line per containment; a line saying so when there is none. */
export function containmentText(views: readonly ContainmentView[]): string {
  if (views.length === 0) return 'no containment with a self-revert (policy.containment_ttl_s and policy.revert_intent_types) on the state topic\n';
  const lines = views.map((v) => {
    const when =
      v.status === 'scheduled'
        ? `reverts at ${v.ends_at} (${v.reverts_in === 'unknown' ? 'stream time unknown' : `in ${v.reverts_in} of stream time`})`
        : v.status === 'kept'
          ? 'kept by an operator, no end'
          : `reverted at ${v.ends_at}`;
    return `${v.intent_id}  p${v.partition}  ${v.tenant_id}  ${v.intent_type} ${v.subject} (${v.action_class})  ${when}`;
  });
  return `${lines.join('\n')}\n`;
}
