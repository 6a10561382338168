/**
 * keep_contained (docs/guards.md): a signed operator action that cancels the self-revert of a
 * released containment (keep_until null: in force with no end until a later action) or moves it to
 * a later end. Judged against this partition's state and stream time only, so replay applies or
 * rejects it at the same place with the same words.
 */
import type { AuditSubject } from './audit-chain.js';
import type { StepContext } from './context.js';
import { stateKeys, stateRecord } from './state.js';
import { msOf, normalizeRfc3339 } from './time.js';
import type { Intent, OperatorActionV1 } from './types.js';

/** A released containment this partition still knows, by where it stands now. */
export interface NamedContainment {
  status: 'scheduled' | 'kept' | 'reverted';
  intent: Intent;
  intent_hash: string;
  /** scheduled: when it reverts; reverted: when it did; kept: null (no end). */
  ends_at: string | null;
}

/** The containment `intentId` names on this partition: on the revert list, kept with no end, or reverted. */
export function containmentNamed(ctx: StepContext, intentId: string | null): NamedContainment | undefined {
  if (intentId === null) return undefined;
  const node = ctx.reverts.get(intentId);
  if (node !== undefined) return { status: 'scheduled', intent: node.intent, intent_hash: node.intent_hash, ends_at: node.ends_at };
  const off = ctx.state.get(stateKeys.contained(intentId))?.contained;
  return off ? { status: off.status, intent: off.intent, intent_hash: off.intent_hash, ends_at: off.ends_at } : undefined;
}

/**
 * Applies a keep_contained whose actor and signature have been verified: each refusal is a
 * reason code and a sentence; applied, it records operator_action_applied then containment_kept.
 */
export function keepContained(ctx: StepContext, action: OperatorActionV1, who: AuditSubject, refuse: (reasonCode: string, reason: string) => void): void {
  const reason = action.reason === null ? '' : action.reason.trim();
  if (reason === '') return refuse('reason_required', 'keep_contained needs a non-empty reason');
  const named = containmentNamed(ctx, action.intent_id);
  if (named === undefined) {
    return refuse(
      'unknown_intent',
      `no released containment with a self-revert "${action.intent_id ?? '(none given)'}" on partition ${ctx.partition} (never released here, a class without policy.containment_ttl_s and policy.revert_intent_types, or past retention)`,
    );
  }
  const { intent } = named;
  if (intent.tenant_id !== action.tenant_id) return refuse('tenant_mismatch', `containment ${intent.intent_id} belongs to tenant "${intent.tenant_id}", not "${action.tenant_id}"`);
  if (named.status === 'reverted') return refuse('already_reverted', `containment ${intent.intent_id} was reverted at its end ${named.ends_at ?? ''}; nothing is left to keep`);
  // The codec admits only a valid RFC 3339 keep_until; normalised here, the signed form stays as sent.
  const keepUntil = action.keep_until === null ? null : normalizeRfc3339(action.keep_until);
  const now = ctx.streamTime;
  if (keepUntil !== null && now !== null && msOf(keepUntil) <= msOf(now)) {
    return refuse('keep_until_not_after_stream_time', `keep_until ${keepUntil} is not after the partition's stream time ${now}`);
  }
  // Keeping never brings a revert forward: a new end must lie after the one in force.
  if (keepUntil !== null && named.ends_at !== null && msOf(keepUntil) <= msOf(named.ends_at)) {
    return refuse('keep_until_not_after_end', `keep_until ${keepUntil} is not after containment ${intent.intent_id}'s end ${named.ends_at}`);
  }

  ctx.audit.append('operator_action_applied', who, {
    action: 'keep_contained',
    action_id: action.action_id,
    actor_id: action.actor_id,
    approval_id: null,
    required_votes: null,
    scope: null,
    votes: [],
  });
  ctx.audit.append('containment_kept', who, {
    action_class: intent.action_class,
    action_id: action.action_id,
    actor_id: action.actor_id,
    effect: keepUntil === null ? 'revert_cancelled' : 'revert_moved',
    ends_at: keepUntil,
    intent_id: intent.intent_id,
    previous_ends_at: named.ends_at,
    reason: action.reason ?? reason,
    stream_time: now ?? who.event_time,
    subject: intent.subject,
    subject_kind: intent.subject_kind,
  });

  ctx.reverts.remove(intent.intent_id);
  const offKey = stateKeys.contained(intent.intent_id);
  if (keepUntil === null) {
    ctx.state.put(offKey, stateRecord('contained', { intent_id: intent.intent_id, status: 'kept', ends_at: null, intent, intent_hash: named.intent_hash }));
  } else {
    if (ctx.state.get(offKey) !== undefined) ctx.state.put(offKey, null);
    ctx.reverts.insert(intent.intent_id, keepUntil, { intent, intent_hash: named.intent_hash });
  }
  // SG-160 sees the containment in force until its new end (or with none).
  const liveKey = stateKeys.containment(intent.tenant_id, intent.subject_kind, intent.subject);
  const live = ctx.state.get(liveKey)?.containment;
  if (live?.intent_id === intent.intent_id) ctx.state.put(liveKey, stateRecord('containment', { ...live, ends_at: keepUntil }));
}
