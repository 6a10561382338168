/** Outcomes (DESIGN §2 stage 7 and 8): rejection with a dead letter, release, an approval request, expiry. */
import type { IdentifiedInput } from './identity.js';
import type { AuditSubject } from './audit-chain.js';
import { addSeconds, type StepContext } from './context.js';
import { BEYOND_DEDUPE_WINDOW } from './event-time.js';
import { adoptUnbucketedMarks, DEFAULT_DEDUPE_WINDOW_S, retainDecided, retainMark, retainReleaseGuard } from './retention.js';
import type { Proposal } from './stages.js';
import { breakerTripFor, liveContainmentOf, noteRelease, recordInForce, tripBreaker } from './release-guards.js';
import { IDEMPOTENCY_MARK, stateKeys, stateRecord } from './state.js';
import type { DecodeHint } from './api.js';
import type { ApprovalRequirement, ApprovalState, DeadLetterV1, ExecutionIntentV1, Intent, ReadIdentifiers } from './types.js';

/** Dead letters keep raw values whole up to this size, and a prefix beyond it (broker message limit). */
export const DLQ_WHOLE_VALUE_MAX = 768 * 1024;
export const DLQ_TRUNCATED_PREFIX = 64 * 1024;

export interface Rejection {
  kind: 'telemetry_rejected' | 'action_rejected' | 'result_rejected';
  reason_code: string;
  reason: string;
  tenant_id: string;
  correlation_id: string;
  trace_id: string | null;
  event_time: string;
  value_sha256: string | null;
  /** What the value itself names, for finding the rejected input by its own ids (issue: rejected inputs are findable). */
  identifiers: ReadIdentifiers;
}

/** The ids a failed decode could still read; absent ones are null. */
export function identifiersOf(hint: DecodeHint | undefined): ReadIdentifiers {
  return {
    action_id: hint?.action_id ?? null,
    cell_id: hint?.cell_id ?? null,
    correlation_id: hint?.correlation_id ?? null,
    event_id: hint?.event_id ?? null,
    tenant_id: hint?.tenant_id ?? null,
  };
}

/** The state key of this input's idempotency mark (idem/t, idem/o or idem/r by input topic). */
function markKey(ctx: StepContext): string {
  const source = ctx.input.source;
  return source === 'telemetry'
    ? stateKeys.telemetryIdem(ctx.idempotencyKey)
    : source === 'operator'
      ? stateKeys.operatorIdem(ctx.idempotencyKey)
      : stateKeys.resultIdem(ctx.idempotencyKey);
}

/**
 * Stage 1's idempotency check, for every input topic: a delivery whose idempotency key is held gets
 * its duplicate receipt and nothing else (true).
 */
export function seenBefore(ctx: StepContext, subject: AuditSubject): boolean {
  const source = ctx.input.source;
  adoptUnbucketedMarks(ctx, subject.event_time);
  if (ctx.state.get(markKey(ctx)) === undefined) return false;
  ctx.audit.append(source === 'telemetry' ? 'telemetry_duplicate' : source === 'operator' ? 'action_duplicate' : 'result_duplicate', subject, { first_seen: 'earlier' });
  return true;
}

/** Marks the input seen for the dedupe window of event time; false when stream time is already past it (not marked, retention.ts). */
function markSeen(ctx: StepContext, subject: AuditSubject): boolean {
  const key = markKey(ctx);
  if (!retainMark(ctx, key, subject.event_time)) return false;
  ctx.state.put(key, IDEMPOTENCY_MARK);
  return true;
}

const REJECTED_KIND = { telemetry: 'telemetry_rejected', operator: 'action_rejected', result: 'result_rejected' } as const;

/**
 * Admits a first delivery to be decided: marks it seen (true). An input whose mark could not be
 * kept (its event time is more than the dedupe window behind stream time) would be decided again at
 * every redelivery, so it is refused instead (beyond_dedupe_window: receipt and dead letter, false),
 * at every redelivery alike.
 */
export function admitFirst(ctx: StepContext, subject: AuditSubject, identifiers: ReadIdentifiers): boolean {
  if (markSeen(ctx, subject)) return true;
  const windowS = ctx.config.policy.dedupe_window_s ?? DEFAULT_DEDUPE_WINDOW_S;
  reject(ctx, {
    kind: REJECTED_KIND[ctx.input.source],
    reason_code: BEYOND_DEDUPE_WINDOW,
    reason: `event time ${subject.event_time} is more than policy.dedupe_window_s (${windowS} s) before the partition's stream time ${String(ctx.streamTime)}: its idempotency key could not be kept, so it is not decided`,
    ...subject,
    value_sha256: ctx.input.value === null ? null : ctx.prims.sha256Hex(ctx.input.value),
    identifiers,
  });
  return false;
}

/** Stage 1 for a decodable input: a duplicate gets its receipt only, one beyond the dedupe window is refused (false); otherwise it is marked (true). */
export function firstDelivery(ctx: StepContext, subject: AuditSubject, identifiers: ReadIdentifiers): boolean {
  return !seenBefore(ctx, subject) && admitFirst(ctx, subject, identifiers);
}

/** A receipt saying why the input was rejected, plus its dead letter. Nothing else. */
/** The reason code the codec gives a sensor record that is not an alert (codec/adapters). */
export const NOT_AN_ALERT = 'not_an_alert';

/** An input the codec could not read, of any input topic: its receipt and dead letter, once per idempotency key. */
export function rejectUndecodable(ctx: StepContext, identified: Extract<IdentifiedInput, { kind: 'undecodable' }>, kind: Rejection['kind'], eventTime: string): void {
  const { who, valueSha } = identified;
  const subject = { ...who, event_time: eventTime };
  if (seenBefore(ctx, subject)) return;
  // Refused whatever its event time, with the reason it cannot be read; marked only if the mark can be kept.
  markSeen(ctx, subject);
  reject(ctx, { kind, reason_code: identified.reasonCode, reason: identified.reason, ...subject, value_sha256: valueSha, identifiers: identifiersOf(identified.hint) });
}

export function reject(ctx: StepContext, r: Rejection): void {
  const { input } = ctx;
  const subject = { tenant_id: r.tenant_id, correlation_id: r.correlation_id, trace_id: r.trace_id, event_time: r.event_time };
  const deadLetterId = ctx.ids.deadLetter(r.tenant_id, r.event_time);
  // A plain Uint8Array view (the shell hands in Buffers) so the record equals its Avro decoding.
  const value = input.value === null ? null : new Uint8Array(input.value.buffer, input.value.byteOffset, input.value.length);
  const size = value === null ? 0 : value.length;
  const receipt = ctx.audit.append(r.kind, subject, {
    dead_letter_id: deadLetterId,
    identifiers: r.identifiers,
    reason: r.reason,
    reason_code: r.reason_code,
    value_sha256: r.value_sha256,
    value_size: size,
  });
  // A record of another kind on a sensor topic (a flow, a stats line) is counted by its receipt, not
  // dead-lettered: a firehose must not flood the DLQ. Its receipt keeps the id a dead letter would have.
  if (r.reason_code === NOT_AN_ALERT) return;
  const truncated = value !== null && size > DLQ_WHOLE_VALUE_MAX;
  const deadLetter: DeadLetterV1 = {
    dead_letter_id: deadLetterId,
    source_topic: input.topic,
    source_partition: input.partition,
    source_offset: input.offset,
    key: input.key,
    value: value === null ? null : truncated ? value.subarray(0, DLQ_TRUNCATED_PREFIX) : value,
    value_size: size,
    value_sha256: r.value_sha256,
    value_truncated: truncated,
    reason_code: r.reason_code,
    reason: r.reason,
    kafka_timestamp: input.kafka_timestamp,
    process_time: input.process_time,
    config_hash: ctx.config.config_hash,
    receipt_audit_id: receipt.audit_id,
  };
  ctx.emit({ role: 'dlq', key: input.key, value: deadLetter });
}

/**
 * intent_released + the ExecutionIntentV1, at most once per intent. A gate release happens only
 * in the step that first consumes the telemetry, which its idempotency mark already guards, so
 * only approval releases write a released/<intent_id> guard (keeping per-event state small).
 * Returns false if the intent had already been released.
 */
export function release(ctx: StepContext, intent: Intent, intentHash: string, by: { rule: string; approval_id: string | null; approvers: string[] }, eventTime: string): boolean {
  const guardKey = stateKeys.released(intent.intent_id);
  if (ctx.state.get(guardKey) !== undefined) return false;
  const subject = { tenant_id: intent.tenant_id, correlation_id: intent.correlation_id, trace_id: intent.trace_id, event_time: eventTime };
  // The gate path has passed both guards already; an approval granted later meets them here.
  const denied = (rule: string): false => {
    ctx.audit.append('intent_denied', subject, { action_class: intent.action_class, intent_hash: intentHash, intent_id: intent.intent_id, rule });
    return false;
  };
  const live = liveContainmentOf(ctx, intent);
  if (live !== null) {
    recordInForce(ctx, subject, intent, live);
    return denied('SG-160');
  }
  const trip = breakerTripFor(ctx, intent);
  if (trip !== null) {
    tripBreaker(ctx, subject, intent, trip);
    return denied('SG-102');
  }
  emitRelease(ctx, intent, intentHash, by, eventTime);
  noteRelease(ctx, intent, intentHash, eventTime);
  if (by.approval_id !== null) {
    ctx.state.put(guardKey, stateRecord('released', { event_time: eventTime, intent_hash: intentHash, intent_id: intent.intent_id }));
    retainReleaseGuard(ctx, guardKey, eventTime);
  }
  return true;
}

/** intent_released and its ExecutionIntentV1: what every release writes, a revert's included. */
export function emitRelease(ctx: StepContext, intent: Intent, intentHash: string, by: { rule: string; approval_id: string | null; approvers: string[] }, eventTime: string): void {
  const subject = { tenant_id: intent.tenant_id, correlation_id: intent.correlation_id, trace_id: intent.trace_id, event_time: eventTime };
  const audit = ctx.audit.append('intent_released', subject, {
    action_class: intent.action_class,
    approval_id: by.approval_id,
    approvers: by.approvers,
    intent_hash: intentHash,
    intent_id: intent.intent_id,
    intent_type: intent.intent_type,
    rule: by.rule,
    subject: intent.subject,
  });
  const execute: ExecutionIntentV1 = {
    intent_id: intent.intent_id,
    intent_hash: intentHash,
    tenant_id: intent.tenant_id,
    correlation_id: intent.correlation_id,
    trace_id: intent.trace_id,
    subject: intent.subject,
    action_class: intent.action_class,
    intent_type: intent.intent_type,
    claim_type: intent.claim_type,
    released_by: { rule: by.rule, approval_id: by.approval_id, approvers: by.approvers },
    event_time: eventTime,
    config_hash: ctx.config.config_hash,
    source_audit_id: audit.audit_id,
  };
  ctx.emit({ role: 'execute', key: intent.subject, value: execute });
}

/** Holds an intent for approval: approval_requested, the approval state, and its place in the pending list. */
export function requestApproval(ctx: StepContext, who: AuditSubject, proposal: Proposal, requirement: ApprovalRequirement, rule: string): void {
  const { intent, intent_hash } = proposal;
  const policy = ctx.config.policy;
  const approval: ApprovalState = {
    approval_id: ctx.ids.approval(intent.tenant_id, intent.event_time),
    status: 'pending',
    requirement,
    required_votes: requirement === 'human' ? 1 : policy.quorum_size,
    votes: [],
    rule,
    expires_at: addSeconds(intent.event_time, policy.approval_ttl_s),
    partition: ctx.partition,
    intent,
    intent_hash,
    decided_at: null,
  };
  ctx.audit.append('approval_requested', who, {
    action_class: intent.action_class,
    approval_id: approval.approval_id,
    expires_at: approval.expires_at,
    intent_hash,
    intent_id: intent.intent_id,
    partition: ctx.partition,
    required_votes: approval.required_votes,
    requirement,
    rule,
  });
  ctx.state.put(stateKeys.approval(approval.approval_id), stateRecord('approval', approval));
  // An event observed so late that stream time is already past its expiry expires at once.
  if (ctx.streamTime !== null && approval.expires_at < ctx.streamTime) expire(ctx, approval, 'stream_time');
  else ctx.pending.insert(approval.approval_id, approval.expires_at);
}

/** Marks a pending approval expired and records approval_expired (event time = its expiry). */
export function expire(ctx: StepContext, approval: ApprovalState, cause: 'stream_time' | 'late_action'): void {
  const intent = approval.intent;
  ctx.audit.append(
    'approval_expired',
    { correlation_id: intent.correlation_id, event_time: approval.expires_at, tenant_id: intent.tenant_id, trace_id: intent.trace_id },
    {
      approval_id: approval.approval_id,
      cause,
      expires_at: approval.expires_at,
      intent_hash: approval.intent_hash,
      intent_id: intent.intent_id,
      stream_time: ctx.streamTime,
      votes: approval.votes,
    },
  );
  const expired: ApprovalState = { ...approval, status: 'expired', decided_at: approval.expires_at };
  ctx.state.put(stateKeys.approval(approval.approval_id), stateRecord('approval', expired));
  ctx.pending.remove(approval.approval_id);
  retainDecided(ctx, expired);
}

/** Expires, in (expires_at, approval_id) order, every pending approval the stream time has passed. */
export function expireDue(ctx: StepContext): void {
  const now = ctx.streamTime;
  if (now === null) return;
  for (;;) {
    const head = ctx.pending.firstDue(now);
    if (head === undefined) return;
    const approval = ctx.state.get(stateKeys.approval(head.approval_id))?.approval;
    if (!approval || approval.status !== 'pending') {
      ctx.pending.remove(head.approval_id);
      continue;
    }
    expire(ctx, approval, 'stream_time');
  }
}
