/**
 * The decision story of one event, intent, approval, action or correlation, from audit records
 * alone: every input it involves, each input's records in chain order (receipt to outcome), with
 * each safety rule's description beside its id. Pure: the command reads the records from the
 * broker or from a bundle's audit_export.jsonl. Payload fields are read as they are, so a field a
 * newer processor adds shows up in `--json` without a change here.
 */
import { describeRule } from '../../processor/core/gate-rules.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { fateOf } from '../reality/analysis.js';

export interface StoryInput {
  input: string;
  topic: string;
  records: AuditRecordV1[];
  /** For a telemetry input: RELEASED, DENIED, PENDING, APPROVED, OPERATOR_DENIED, EXPIRED, REJECTED; else null. */
  final: string | null;
  /** For a released intent (RELEASED, APPROVED): succeeded, failed (failed or gave up), or not_executed while no actuator reported; else null. */
  execution: string | null;
}

export interface Story {
  id: string;
  inputs: StoryInput[];
}

type Payload = Record<string, unknown>;
const payloadOf = (r: AuditRecordV1): Payload => r.payload as unknown as Payload;
const coordOf = (r: AuditRecordV1): string => `${r.input.topic}[${r.input.partition}]@${r.input.offset}`;

/** Whether a record is about `id` directly: its audit id, correlation, idempotency key, or an id its payload names. */
function names(r: AuditRecordV1, id: string): boolean {
  const p = payloadOf(r);
  const intent = p['intent'] as { event_id?: string; intent_id?: string } | undefined;
  // A rejected input's receipt names the ids its value carried (null in receipts written before that).
  const read = p['identifiers'] as { event_id: string | null; action_id: string | null } | null | undefined;
  return (
    r.audit_id === id ||
    r.correlation_id === id ||
    r.trace_id === id ||
    r.idempotency_key === id ||
    r.idempotency_key.endsWith(`:${id}`) ||
    [p['event_id'], p['intent_id'], p['approval_id'], p['action_id'], p['dead_letter_id'], intent?.event_id, intent?.intent_id, read?.event_id, read?.action_id].includes(id)
  );
}

/**
 * The story of `id`: the inputs of the records that name it, then, until nothing new joins, the
 * inputs of records about the same approvals (the operator actions that decide them, expiries)
 * and the same released intents (the actuators' results, execution_succeeded / execution_failed).
 * `also`: ids that stand for `id` (the dead letters whose raw bytes carry it: a receipt names only
 * the ids that were valid, and receipts of older runs none). Null when no record names it.
 */
export function traceStory(audit: readonly AuditRecordV1[], id: string, options: { telemetryTopic?: string; also?: readonly string[] } = {}): Story | null {
  const { telemetryTopic } = options;
  const ids = [id, ...(options.also ?? [])];
  const inputs = new Set(audit.filter((r) => ids.some((x) => names(r, x))).map(coordOf));
  if (inputs.size === 0) return null;
  const linked = (key: 'approval_id' | 'intent_id'): Set<string> =>
    new Set(
      audit
        .filter((r) => inputs.has(coordOf(r)))
        .map((r) => payloadOf(r)[key])
        .filter((a): a is string => typeof a === 'string'),
    );
  for (;;) {
    const approvals = linked('approval_id');
    const intents = linked('intent_id');
    const before = inputs.size;
    for (const r of audit) {
      const p = payloadOf(r);
      if (approvals.has(p['approval_id'] as string)) inputs.add(coordOf(r));
      if ((r.event_kind === 'execution_succeeded' || r.event_kind === 'execution_failed') && intents.has(p['intent_id'] as string)) inputs.add(coordOf(r));
    }
    if (inputs.size === before) break;
  }
  const byInput = new Map<string, AuditRecordV1[]>();
  for (const r of audit) {
    const c = coordOf(r);
    if (inputs.has(c)) byInput.set(c, [...(byInput.get(c) ?? []), r]);
  }
  const story = [...byInput.entries()].map(([input, records]) => {
    const sorted = [...records].sort((a, b) => a.seq - b.seq);
    const first = sorted[0]!;
    const isTelemetry = sorted.some((r) => r.event_kind.startsWith('telemetry_')) && (telemetryTopic === undefined || first.input.topic === telemetryTopic);
    const fate = isTelemetry ? fateOf(audit, first.input.topic, first.input.partition, first.input.offset) : null;
    return { input, topic: first.input.topic, records: sorted, final: fate?.final ?? null, execution: fate?.execution ?? null };
  });
  // Inputs in the order they were processed: by process_time of their receipt, then partition and seq.
  story.sort((a, b) => {
    const x = a.records[0]!;
    const y = b.records[0]!;
    return x.process_time < y.process_time ? -1 : x.process_time > y.process_time ? 1 : x.input.partition - y.input.partition || x.seq - y.seq;
  });
  return { id, inputs: story };
}

function num(v: unknown): string {
  return typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
}

/** One line of the story: what the record says, in words. */
export function recordText(r: AuditRecordV1): string {
  const p = payloadOf(r);
  switch (r.event_kind) {
    case 'telemetry_received':
      return `event ${p['event_id']} from cell ${p['cell_id']}: ${p['event_type']}, ${p['severity']}, observed ${p['observed_at']}`;
    case 'telemetry_duplicate':
    case 'action_duplicate':
      return `a repeat delivery, first seen ${p['first_seen']}: nothing else is done`;
    case 'telemetry_rejected':
    case 'action_rejected':
      return `rejected: ${p['reason_code']} — ${p['reason']} (dead letter ${p['dead_letter_id']})`;
    case 'facts_derived':
      return `subject ${p['subject_kind']} ${p['subject']}, claim ${p['claim_type']}`;
    case 'belief_emitted': {
      const ignored = p['ignored_confidence'] as { value: unknown; reason: string } | null | undefined;
      const note = ignored === undefined || ignored === null ? '' : `; attributes.confidence ${num(ignored.value)} ignored: ${ignored.reason}`;
      return `belief: confidence ${num(p['confidence'])} (from ${p['confidence_source']}) → ${p['classification']}${note}`;
    }
    case 'collective_updated':
      return `collective: aggregate ${num(p['aggregate_score'])} over ${p['quorum_count']} cell(s)${p['conflict'] === true ? ', in conflict' : ''}`;
    case 'intent_proposed': {
      const i = p['intent'] as { intent_type: string; subject_kind: string; subject: string; action_class: string };
      return `intent: ${i.intent_type} ${i.subject_kind} ${i.subject} (${i.action_class}), hash ${String(p['intent_hash']).slice(0, 12)}…`;
    }
    case 'safety_evaluated':
      return `gate: ${p['verdict']} by ${describeRule(String(p['rule']))}; trust ${num(p['trust'])}, confidence ${num(p['confidence'])}, quorum ${p['quorum_count']}, aggregate ${num(p['aggregate_score'])}`;
    case 'intent_released':
      return `released to the execute topic (${describeRule(String(p['rule']))})${(p['approvers'] as string[]).length > 0 ? `, approved by ${(p['approvers'] as string[]).join(', ')}` : ''}`;
    case 'intent_denied':
      return `denied by ${describeRule(String(p['rule']))}`;
    case 'approval_requested':
      return `approval ${p['approval_id']} requested: ${p['requirement']} (${p['required_votes']} vote(s)) by ${describeRule(String(p['rule']))}, expires ${p['expires_at']} (event time)`;
    case 'approval_expired':
      return `approval ${p['approval_id']} expired (${p['cause']}${p['stream_time'] === null ? '' : `, stream time ${p['stream_time']}`})`;
    case 'action_received':
      return `operator action ${p['action']} ${p['action_id']} by ${p['actor_id']}${p['approval_id'] === null ? '' : ` on approval ${p['approval_id']}`}, decided ${p['decided_at']}`;
    case 'operator_action_applied':
      return `applied: ${p['action']} by ${p['actor_id']}${p['required_votes'] === null ? '' : `, votes ${(p['votes'] as unknown[]).length} of ${p['required_votes']}`}`;
    case 'operator_action_rejected':
      return `rejected: ${p['reason_code']} — ${p['reason']}`;
    case 'approval_granted':
      return `approval ${p['approval_id']} granted by ${(p['approvers'] as string[]).join(', ')}`;
    case 'approval_denied':
      return `approval ${p['approval_id']} denied by ${p['actor_id']}: "${p['reason']}"`;
    case 'result_received':
      return `actuator result for intent ${p['intent_id']} from ${p['actuator_group']}: ${p['outcome']} after ${p['attempt']} attempt(s), finished ${p['finished_at']}`;
    case 'result_duplicate':
      return `a repeat of a result already recorded: nothing else is done`;
    case 'result_rejected':
      return `result rejected: ${p['reason_code']} — ${p['reason']} (dead letter ${p['dead_letter_id']})`;
    case 'execution_succeeded':
      return `executed: ${p['intent_type']} ${p['subject']} by ${p['driver']} (${p['actuator_group']}), status ${p['response_status'] ?? 'none'}, attempt ${p['attempt']}`;
    case 'execution_failed':
      return `execution failed: ${p['intent_type']} ${p['subject']} — ${p['reason']}`;
    case 'kill_switch_changed':
      return `kill switch ${p['scope']}${p['tenant_id'] === null ? '' : ` ${p['tenant_id']}`} ${p['on'] === true ? 'ON' : 'OFF'} by ${p['actor_id']}: "${p['reason']}"`;
    case 'containment_in_force':
      return `not released: ${p['live_action_class']} containment ${p['live_intent_id']} on ${p['subject_kind']} ${p['subject']} in force since ${p['live_released_at']}${p['live_ends_at'] === null ? ' with no end' : ` until ${p['live_ends_at']}`}`;
    case 'circuit_breaker_tripped':
      return `circuit breaker tripped: ${p['releases_in_window']} releases of ${(p['classes'] as string[]).join(', ')} since ${p['window_start']} (max ${p['max_releases']} in ${p['window_s']} s, partition ${p['partition']}); the tenant's kill switch goes on`;
    default:
      return JSON.stringify(p);
  }
}

export function storyText(story: Story): string {
  const lines = [`trace ${story.id}: ${story.inputs.length} input(s), ${story.inputs.reduce((n, i) => n + i.records.length, 0)} audit records`];
  for (const input of story.inputs) {
    const first = input.records[0]!;
    lines.push('', `input ${input.input}  tenant ${first.tenant_id}, correlation ${first.correlation_id}, processed ${first.process_time}`);
    for (const r of input.records) lines.push(`  ${String(r.seq).padStart(5)} ${r.event_kind.padEnd(24)} ${recordText(r)}`);
    if (input.final !== null) lines.push(`  outcome: ${input.final}${executionText(input.execution)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** How a released intent's outcome line ends: what the actuators reported, or that none has. */
function executionText(execution: string | null): string {
  if (execution === null) return '';
  if (execution === 'not_executed') return ', not executed (no actuator result recorded)';
  return `, executed: ${execution}`;
}
