/**
 * Containment that reverts itself (docs/guards.md): when a partition's stream time passes a
 * released containment's end (released_at + policy.containment_ttl_s of its class), the processor
 * releases the intent that undoes it (policy.revert_intent_types) and audits containment_reverted,
 * linked to the original intent. Driven by stream time like approval expiry, so replay reproduces
 * every revert at the same place.
 */
import { canonicalJson } from './canonical.js';
import type { StepContext } from './context.js';
import { emitRelease } from './outcome.js';
import { retainReverted } from './retention.js';
import { stateKeys, stateRecord } from './state.js';
import type { Intent, RevertNode } from './types.js';

/** The rule a revert is released under (execute record's released_by.rule). */
export const REVERT_RULE = 'containment_ttl';

/** Reverts, in (ends_at, intent_id) order, every containment whose end the stream time has passed. */
export function revertDue(ctx: StepContext): void {
  const now = ctx.streamTime;
  if (now === null) return;
  for (;;) {
    const head = ctx.reverts.firstDue(now);
    if (head === undefined) return;
    ctx.reverts.remove(head.intent_id);
    revert(ctx, head, now);
  }
}

function revert(ctx: StepContext, node: RevertNode, now: string): void {
  const original = node.intent;
  const cls = original.action_class as 'A1_soft_containment' | 'A2_hard_containment';
  // The policy in force decides: a revert type removed since the release leaves the containment as it is.
  const type = ctx.config.policy.revert_intent_types?.[cls];
  if (type === undefined) return;
  const revertIntent: Intent = { ...original, event_time: node.ends_at, intent_id: ctx.ids.revertIntent(original.tenant_id, original.intent_id, node.ends_at), intent_type: type };
  const revertHash = ctx.prims.sha256Hex(canonicalJson(revertIntent));
  ctx.audit.append(
    'containment_reverted',
    { correlation_id: original.correlation_id, event_time: node.ends_at, tenant_id: original.tenant_id, trace_id: original.trace_id },
    {
      action_class: original.action_class,
      ends_at: node.ends_at,
      intent_id: original.intent_id,
      revert_intent_id: revertIntent.intent_id,
      revert_intent_type: type,
      stream_time: now,
      subject: original.subject,
      subject_kind: original.subject_kind,
    },
  );
  emitRelease(ctx, revertIntent, revertHash, { rule: REVERT_RULE, approval_id: null, approvers: [] }, node.ends_at);
  // Remembered as reverted for a while, so a late keep_contained is told so (already_reverted).
  const offKey = stateKeys.contained(original.intent_id);
  ctx.state.put(offKey, stateRecord('contained', { intent_id: original.intent_id, status: 'reverted', ends_at: node.ends_at, intent: original, intent_hash: node.intent_hash }));
  retainReverted(ctx, offKey, node.ends_at);
  // SG-160 no longer sees the reverted containment.
  const key = stateKeys.containment(original.tenant_id, original.subject_kind, original.subject);
  if (ctx.state.get(key)?.containment?.intent_id === original.intent_id) ctx.state.put(key, null);
}
