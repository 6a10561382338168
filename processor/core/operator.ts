/** DESIGN §2 stage 8 for one consumed operator action. Every rejection is a value with a reason. */
import type { AuditSubject } from './audit-chain.js';
import type { StepContext } from './context.js';
import type { IdentifiedInput } from './identity.js';
import { containmentNamed, keepContained } from './keep-contained.js';
import { expire, firstDelivery, rejectUndecodable, release } from './outcome.js';
import { resetBreaker } from './release-guards.js';
import { retainDecided } from './retention.js';
import { actionSigningBytes } from './signing.js';
import { stateKeys, stateRecord } from './state.js';
import { msOf, normalizeRfc3339 } from './time.js';
import type { ApprovalState } from './types.js';

export function stepOperator(ctx: StepContext, identified: Extract<IdentifiedInput, { kind: 'operator' | 'undecodable' }>): void {
  const { input } = ctx;
  if (identified.kind === 'undecodable') {
    rejectUndecodable(ctx, identified, 'action_rejected', input.kafka_timestamp);
    return;
  }

  const { action } = identified;
  const approval = (action.approval_id === null ? null : ctx.state.get(stateKeys.approval(action.approval_id))?.approval) ?? undefined;
  // The codec only accepts valid RFC 3339 decided_at; normalised here, the signed form stays as sent.
  const decidedAt = normalizeRfc3339(action.decided_at) ?? input.kafka_timestamp;
  const about = action.action === 'keep_contained' ? containmentNamed(ctx, action.intent_id)?.intent : approval?.intent;
  const subject: AuditSubject = { tenant_id: action.tenant_id, correlation_id: action.correlation_id, trace_id: about?.trace_id ?? null, event_time: decidedAt };
  if (!firstDelivery(ctx, subject, { action_id: action.action_id, cell_id: null, correlation_id: action.correlation_id, event_id: null, tenant_id: action.tenant_id })) return;

  ctx.audit.append('action_received', subject, {
    action: action.action,
    action_id: action.action_id,
    actor_id: action.actor_id,
    approval_id: action.approval_id,
    decided_at: decidedAt,
  });

  const refuse = (reason_code: string, reason: string): void => {
    ctx.audit.append('operator_action_rejected', subject, {
      action: action.action,
      action_id: action.action_id,
      actor_id: action.actor_id,
      approval_id: action.approval_id,
      reason,
      reason_code,
    });
  };

  const operator = Object.prototype.hasOwnProperty.call(ctx.config.operators, action.actor_id) ? ctx.config.operators[action.actor_id] : undefined;
  if (operator === undefined) return refuse('unknown_actor', `actor "${action.actor_id}" is not in the config's operator registry`);
  if (!ctx.prims.verifyEd25519(operator.public_key, actionSigningBytes(action), action.signature)) {
    return refuse('bad_signature', `the Ed25519 signature does not verify against the registered key of "${action.actor_id}"`);
  }
  if (action.action === 'keep_contained') return keepContained(ctx, action, subject, refuse);
  const reason = action.reason === null ? '' : action.reason.trim();

  if (action.action === 'kill_switch_on' || action.action === 'kill_switch_off') {
    if (reason === '') return refuse('reason_required', `${action.action} needs a non-empty reason`);
    if (action.scope === null) return refuse('scope_required', `${action.action} needs scope "global" or "tenant"`);
    const on = action.action === 'kill_switch_on';
    const tenant = action.scope === 'tenant' ? action.tenant_id : null;
    ctx.audit.append('operator_action_applied', subject, {
      action: action.action,
      action_id: action.action_id,
      actor_id: action.actor_id,
      approval_id: null,
      required_votes: null,
      scope: action.scope,
      votes: [],
    });
    ctx.audit.append('kill_switch_changed', subject, {
      action_id: action.action_id,
      actor_id: action.actor_id,
      on,
      reason: action.reason!,
      scope: action.scope,
      tenant_id: tenant,
    });
    ctx.state.put(
      action.scope === 'global' ? stateKeys.killGlobal() : stateKeys.killTenant(action.tenant_id),
      stateRecord('kill_switch', {
        scope: action.scope,
        tenant_id: tenant,
        on,
        actor_id: action.actor_id,
        action_id: action.action_id,
        reason: action.reason!,
        decided_at: decidedAt,
      }),
    );
    if (!on && tenant !== null) resetBreaker(ctx, tenant);
    return;
  }

  if (action.action === 'deny' && reason === '') return refuse('reason_required', 'deny needs a non-empty reason');
  if (approval === undefined) return refuse('unknown_approval', `no approval "${action.approval_id ?? '(none given)'}" on partition ${ctx.partition}`);
  if (approval.intent.tenant_id !== action.tenant_id)
    return refuse('tenant_mismatch', `approval ${approval.approval_id} belongs to tenant "${approval.intent.tenant_id}", not "${action.tenant_id}"`);
  if (approval.status !== 'pending') return refuse('approval_not_pending', `approval ${approval.approval_id} is already ${approval.status}`);
  if (action.intent_hash !== approval.intent_hash)
    return refuse('intent_hash_mismatch', `intent_hash ${action.intent_hash ?? 'null'} is not the hash bound to approval ${approval.approval_id}`);
  if (msOf(decidedAt) > msOf(approval.expires_at)) {
    refuse('after_expiry', `decided_at ${decidedAt} is after the approval's expiry ${approval.expires_at}`);
    expire(ctx, approval, 'late_action');
    return;
  }

  if (action.action === 'deny') {
    ctx.audit.append('operator_action_applied', subject, {
      action: 'deny',
      action_id: action.action_id,
      actor_id: action.actor_id,
      approval_id: approval.approval_id,
      required_votes: approval.required_votes,
      scope: null,
      votes: approval.votes,
    });
    const intent = approval.intent;
    const about = { correlation_id: intent.correlation_id, event_time: decidedAt, tenant_id: intent.tenant_id, trace_id: intent.trace_id };
    ctx.audit.append('approval_denied', about, {
      actor_id: action.actor_id,
      approval_id: approval.approval_id,
      intent_hash: approval.intent_hash,
      intent_id: intent.intent_id,
      reason: action.reason!,
    });
    settle(ctx, { ...approval, status: 'denied', decided_at: decidedAt });
    return;
  }

  if (approval.votes.some((v) => v.actor_id === action.actor_id)) {
    return refuse('duplicate_vote', `actor "${action.actor_id}" has already approved ${approval.approval_id}; a quorum needs distinct actors`);
  }
  const votes = [...approval.votes, { action_id: action.action_id, actor_id: action.actor_id, decided_at: decidedAt }];
  ctx.audit.append('operator_action_applied', subject, {
    action: 'approve',
    action_id: action.action_id,
    actor_id: action.actor_id,
    approval_id: approval.approval_id,
    required_votes: approval.required_votes,
    scope: null,
    votes,
  });
  if (votes.length < approval.required_votes) {
    ctx.state.put(stateKeys.approval(approval.approval_id), stateRecord('approval', { ...approval, votes }));
    return;
  }
  grant(ctx, { ...approval, votes, status: 'granted', decided_at: decidedAt }, decidedAt);
}

function grant(ctx: StepContext, approval: ApprovalState, decidedAt: string): void {
  const intent = approval.intent;
  const approvers = approval.votes.map((v) => v.actor_id);
  ctx.audit.append(
    'approval_granted',
    { correlation_id: intent.correlation_id, event_time: decidedAt, tenant_id: intent.tenant_id, trace_id: intent.trace_id },
    { approval_id: approval.approval_id, approvers, intent_hash: approval.intent_hash, intent_id: intent.intent_id, requirement: approval.requirement },
  );
  settle(ctx, approval);
  release(ctx, intent, approval.intent_hash, { rule: approval.rule, approval_id: approval.approval_id, approvers }, decidedAt);
}

function settle(ctx: StepContext, approval: ApprovalState): void {
  ctx.state.put(stateKeys.approval(approval.approval_id), stateRecord('approval', approval));
  ctx.pending.remove(approval.approval_id);
  retainDecided(ctx, approval);
}
