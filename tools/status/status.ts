/**
 * `exoarmur status`: what an operator checks first, read from the broker alone (read_committed,
 * the one reader): the kill switches and pending approvals (state changelog), the processor
 * group's lag on each input partition, the last committed audit record of each partition (when
 * the processor last committed, at which seq, under which config hash), and the config snapshots
 * published to the config topic.
 */
import type { Kafka } from '../../processor/io/client.js';
import { decodeRecord } from '../../processor/codec/index.js';
import { resultsTopic, type Topics } from '../../processor/config/index.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { groupProgress, topicWatermarks } from '../../processor/io/offsets.js';
import { readPartitions, type PartitionRange } from '../../processor/io/read.js';
import { readConfigSnapshots } from '../lib/config-snapshots.js';
import { pendingTable, pendingViews, readOperatorState, type PendingApprovalView } from '../operator/approvals.js';
import { killSwitchText, killSwitchViews, type KillSwitchView } from '../operator/kill-switches.js';

/** How far back from a partition's end the last audit record is looked for (the tail may be transaction markers). */
const AUDIT_TAIL = 64n;

export interface PartitionLag {
  topic: string;
  partition: number;
  committed: string | null;
  end: string;
  lag: string;
}

export interface LastCommit {
  partition: number;
  process_time: string;
  seq: number;
  event_kind: string;
  config_hash: string;
}

export interface Status {
  group: string;
  kill_switches: KillSwitchView[];
  pending: PendingApprovalView[];
  lag: PartitionLag[];
  last_commits: LastCommit[];
  /** The config hash on the newest committed audit record: the config the processor decides with. */
  config_hash_in_force: string | null;
  /** The newest snapshot on the config topic (what the last processor start published). */
  latest_snapshot: { config_hash: string; captured_at: string } | null;
}

async function lastAuditRecords(kafka: Kafka, auditTopic: string): Promise<LastCommit[]> {
  const marks = await topicWatermarks(kafka, auditTopic);
  const ranges = new Map<number, PartitionRange>();
  for (const [p, m] of marks) ranges.set(p, { from: m.high - AUDIT_TAIL > m.low ? m.high - AUDIT_TAIL : m.low, to: m.high });
  const last = new Map<number, AuditRecordV1>();
  await readPartitions(kafka, {
    topic: auditTopic,
    ranges,
    purpose: 'status: the last audit record of each partition',
    onBatch: (partition, messages) => {
      const decoded = decodeRecord('audit', messages[messages.length - 1]!.value, messages[messages.length - 1]!.headers);
      if (decoded.ok) last.set(partition, decoded.value as AuditRecordV1);
    },
  });
  return [...last.entries()]
    .sort(([a], [b]) => a - b)
    .map(([partition, r]) => ({ partition, process_time: r.process_time, seq: r.seq, event_kind: r.event_kind, config_hash: r.config_hash }));
}

async function latestSnapshot(kafka: Kafka, configTopic: string): Promise<Status['latest_snapshot']> {
  const latest = (await readConfigSnapshots(kafka, configTopic, 'status: the config snapshots')).at(-1);
  return latest === undefined ? null : { config_hash: latest.config_hash, captured_at: latest.captured_at };
}

export async function readStatus(kafka: Kafka, topics: Topics, group: string, now: Date): Promise<Status> {
  const state = await readOperatorState(kafka, topics.state);
  const progress = await groupProgress(kafka, group, [topics.telemetry, topics.operator_actions, resultsTopic(topics)]);
  const lastCommits = await lastAuditRecords(kafka, topics.audit);
  const newest = lastCommits.reduce<LastCommit | null>((x, y) => (x === null || y.process_time > x.process_time ? y : x), null);
  return {
    group,
    kill_switches: killSwitchViews(state.killSwitches),
    pending: pendingViews(state.approvals, undefined, { streamTimes: state.streamTimes, now }),
    lag: progress.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      committed: r.committed === null ? null : r.committed.toString(),
      end: r.high.toString(),
      lag: (r.high - (r.committed ?? r.low)).toString(),
    })),
    last_commits: lastCommits,
    config_hash_in_force: newest?.config_hash ?? null,
    latest_snapshot: await latestSnapshot(kafka, topics.config),
  };
}

/** The status for people: one section per question, each short. */
export function statusText(status: Status): string {
  const lag = status.lag.map((r) => `  ${r.topic}[${r.partition}]  lag ${r.lag}  (committed ${r.committed ?? 'nothing'} of ${r.end})`).join('\n');
  const commits =
    status.last_commits.length === 0
      ? '  none: the processor has not committed anything yet'
      : status.last_commits.map((c) => `  partition ${c.partition}: ${c.process_time}  seq ${c.seq}  ${c.event_kind}  config ${c.config_hash.slice(0, 16)}`).join('\n');
  const snapshot = status.latest_snapshot === null ? 'none published' : `${status.latest_snapshot.config_hash.slice(0, 16)} captured ${status.latest_snapshot.captured_at}`;
  const differs = status.latest_snapshot !== null && status.config_hash_in_force !== null && status.latest_snapshot.config_hash !== status.config_hash_in_force;
  return (
    [
      killSwitchText(status.kill_switches).trimEnd(),
      `pending approvals: ${status.pending.length}`,
      ...(status.pending.length === 0 ? [] : [pendingTable(status.pending).trimEnd()]),
      `consumer lag of group ${status.group}:`,
      lag,
      'last commit per audit partition:',
      commits,
      `config hash in force: ${status.config_hash_in_force ?? 'unknown (no audit record yet)'}`,
      `latest config snapshot: ${snapshot}${differs ? ' (newer than the last decision: a restarted processor has not decided anything yet)' : ''}`,
    ].join('\n') + '\n'
  );
}
