/**
 * `--wait`: the processor's verdict on one published operator action, read from the audit trail
 * (read_committed, through the one reader). Audit records of operator partition p are written to
 * audit partition p and carry the input's coordinates, so the verdict is the record whose input is
 * exactly the published (topic, partition, offset): applied, rejected with its reason code, or a
 * duplicate of an action already seen. A kill switch is published to every partition and has one
 * verdict per partition.
 */
import type { Kafka } from '../../processor/io/client.js';
import { decodeRecord } from '../../processor/codec/index.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { ExoArmurError } from '../../processor/errors.js';
import { topicWatermarks } from '../../processor/io/offsets.js';
import { readPartitions, type PartitionRange } from '../../processor/io/read.js';
import type { PublishedAction } from './publish.js';

export interface ActionVerdict {
  partition: number;
  offset: string;
  outcome: 'applied' | 'rejected' | 'duplicate';
  /** For a rejection: the core's reason code (unknown_actor, after_expiry, …) or the codec's. */
  reason_code: string | null;
  reason: string | null;
  audit_id: string;
}

/** The verdict an audit record gives on the input at `offset` of `topic`, if it is one. */
export function verdictOf(record: AuditRecordV1, topic: string): Omit<ActionVerdict, 'partition' | 'offset'> | null {
  if (record.input.topic !== topic) return null;
  const base = { audit_id: record.audit_id };
  switch (record.event_kind) {
    case 'operator_action_applied':
      return { ...base, outcome: 'applied', reason_code: null, reason: null };
    case 'operator_action_rejected':
    case 'action_rejected': {
      const payload = record.payload as { reason_code: string; reason: string };
      return { ...base, outcome: 'rejected', reason_code: payload.reason_code, reason: payload.reason };
    }
    case 'action_duplicate':
      return { ...base, outcome: 'duplicate', reason_code: null, reason: null };
    default:
      return null;
  }
}

/** Where the audit partitions end now: a verdict on an action published after this is beyond it. */
export async function auditEnds(kafka: Kafka, auditTopic: string): Promise<Map<number, bigint>> {
  const marks = await topicWatermarks(kafka, auditTopic);
  return new Map([...marks].map(([p, m]) => [p, m.high]));
}

/** Reads the audit partitions of the published action from `from` until every partition gave its verdict, or the timeout. */
export async function waitForVerdicts(
  kafka: Kafka,
  auditTopic: string,
  published: PublishedAction,
  from: ReadonlyMap<number, bigint>,
  timeoutMs: number,
): Promise<ActionVerdict[]> {
  const wanted = new Map(published.partitions.map((p, i) => [p, published.offsets[i]!]));
  const ranges = new Map<number, PartitionRange>(published.partitions.map((p) => [p, { from: from.get(p) ?? 0n, to: null }]));
  const found = new Map<number, ActionVerdict>();
  const timeout = AbortSignal.timeout(timeoutMs);
  await readPartitions(kafka, {
    topic: auditTopic,
    ranges,
    purpose: 'waiting for the processor verdict',
    signal: timeout,
    onBatch: (partition, messages) => {
      for (const message of messages) {
        const decoded = decodeRecord('audit', message.value, message.headers);
        if (!decoded.ok) continue;
        const record = decoded.value as AuditRecordV1;
        if (record.input.partition !== partition || record.input.offset !== wanted.get(partition)) continue;
        const verdict = verdictOf(record, published.topic);
        if (verdict !== null) found.set(partition, { partition, offset: record.input.offset, ...verdict });
      }
      return found.size === wanted.size ? 'stop' : undefined;
    },
  });
  if (found.size < wanted.size) {
    const missing = [...wanted.keys()].filter((p) => !found.has(p)).map((p) => `${published.topic}[${p}]@${wanted.get(p)}`);
    throw new ExoArmurError(
      'WAIT_TIMEOUT',
      `no verdict on ${missing.join(', ')} in the audit trail within ${Math.round(timeoutMs / 1000)} s: the action is published and will be decided when a processor consumes it; check that one runs (exoarmur status) and look again with exoarmur trace`,
    );
  }
  return [...found.values()].sort((a, b) => a.partition - b.partition);
}

/** "applied" / "rejected: unknown_actor — actor …" per partition, and whether any partition rejected it. */
export function verdictText(actionId: string, verdicts: readonly ActionVerdict[]): { text: string; rejected: ActionVerdict[] } {
  const lines = verdicts.map(
    (v) => `${v.outcome}${v.reason_code === null ? '' : `: ${v.reason_code} — ${v.reason}`} (action ${actionId}, partition ${v.partition}, audit ${v.audit_id})`,
  );
  return { text: `${lines.join('\n')}\n`, rejected: verdicts.filter((v) => v.outcome === 'rejected') };
}
