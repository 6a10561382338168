/**
 * The guards every release passes (docs/guards.md), whichever path releases it (the gate, or an
 * approval granted later): SG-160, no second containment of the same or a weaker class while one
 * is in force on the subject; and the circuit breaker, which turns the tenant's kill switch on
 * rather than let more than max_releases releases of its classes through within window_s. Both
 * are decided in stream time, from state on this partition only, so replay reproduces them.
 */
import type { AuditSubject } from './audit-chain.js';
import { addSeconds, type StepContext } from './context.js';
import { stateKeys, stateRecord } from './state.js';
import type { ActionClass, Intent, LiveContainment } from './types.js';

const RANK: { readonly [C in ActionClass]: number } = { A0_observe: 0, A1_soft_containment: 1, A2_hard_containment: 2, A3_irreversible: 3 };

/** The actor named on a kill switch the circuit breaker turned on. */
export const BREAKER_ACTOR = 'exoarmur';

const containmentKey = (intent: Intent): string => stateKeys.containment(intent.tenant_id, intent.subject_kind, intent.subject);

/** The time guards judge by: the partition's stream time (never behind the intent's own event). */
function nowOf(ctx: StepContext, intent: Intent): string {
  return ctx.streamTime !== null && ctx.streamTime > intent.event_time ? ctx.streamTime : intent.event_time;
}

/**
 * SG-160: the containment in force on the intent's subject (same tenant) whose class is the same
 * as or stronger than the intent's, or null. In force while stream time has not passed its end.
 */
export function liveContainmentOf(ctx: StepContext, intent: Intent): LiveContainment | null {
  if (ctx.config.policy.no_double_containment !== true || RANK[intent.action_class] === 0) return null;
  const live = ctx.state.get(containmentKey(intent))?.containment;
  if (!live || live.intent_id === intent.intent_id || RANK[live.action_class] < RANK[intent.action_class]) return null;
  return live.ends_at !== null && live.ends_at < nowOf(ctx, intent) ? null : live;
}

/** What a trip of the circuit breaker saw. */
export interface BreakerTrip {
  classes: ActionClass[];
  max_releases: number;
  window_s: number;
  releases_in_window: number;
  window_start: string;
  stream_time: string;
}

/** The circuit breaker's verdict on releasing this intent now: a trip when it would be one release too many, else null. */
export function breakerTripFor(ctx: StepContext, intent: Intent): BreakerTrip | null {
  const breaker = ctx.config.policy.circuit_breaker;
  if (breaker === undefined || !breaker.classes.includes(intent.action_class)) return null;
  const now = nowOf(ctx, intent);
  const windowStart = addSeconds(now, -breaker.window_s);
  const inWindow = recentReleases(ctx, intent.tenant_id, windowStart);
  if (inWindow.length < breaker.max_releases) return null;
  return {
    classes: breaker.classes,
    max_releases: breaker.max_releases,
    window_s: breaker.window_s,
    releases_in_window: inWindow.length,
    window_start: windowStart,
    stream_time: now,
  };
}

/** Release times strictly after windowStart: a release exactly window_s ago has left the window. */
function recentReleases(ctx: StepContext, tenant: string, windowStart: string): string[] {
  return (ctx.state.get(stateKeys.breaker(tenant))?.breaker?.release_times ?? []).filter((t) => t > windowStart);
}

/** circuit_breaker_tripped, then the tenant's kill switch on (kill_switch_changed and its state), actor exoarmur. */
export function tripBreaker(ctx: StepContext, who: AuditSubject, intent: Intent, trip: BreakerTrip): void {
  const tripped = ctx.audit.append('circuit_breaker_tripped', who, {
    action_class: intent.action_class,
    classes: trip.classes,
    intent_id: intent.intent_id,
    max_releases: trip.max_releases,
    partition: ctx.partition,
    releases_in_window: trip.releases_in_window,
    stream_time: trip.stream_time,
    window_s: trip.window_s,
    window_start: trip.window_start,
  });
  const reason = `circuit breaker: ${trip.releases_in_window} releases of ${trip.classes.join(', ')} on partition ${ctx.partition} within ${trip.window_s} s; a signed kill_switch_off resets it`;
  ctx.audit.append('kill_switch_changed', who, { action_id: tripped.audit_id, actor_id: BREAKER_ACTOR, on: true, reason, scope: 'tenant', tenant_id: intent.tenant_id });
  ctx.state.put(
    stateKeys.killTenant(intent.tenant_id),
    stateRecord('kill_switch', {
      scope: 'tenant',
      tenant_id: intent.tenant_id,
      on: true,
      actor_id: BREAKER_ACTOR,
      action_id: tripped.audit_id,
      reason,
      decided_at: trip.stream_time,
    }),
  );
}

/** A signed kill_switch_off for a tenant starts its breaker window afresh. */
export function resetBreaker(ctx: StepContext, tenant: string): void {
  if (ctx.state.get(stateKeys.breaker(tenant)) !== undefined) ctx.state.put(stateKeys.breaker(tenant), null);
}

/** After a release: the subject's containment (SG-160), the breaker's window and the revert list take note of it. */
export function noteRelease(ctx: StepContext, intent: Intent, intentHash: string, eventTime: string): void {
  const policy = ctx.config.policy;
  const reversible = intent.action_class === 'A1_soft_containment' || intent.action_class === 'A2_hard_containment' ? intent.action_class : null;
  const ttl = reversible === null ? undefined : policy.containment_ttl_s?.[reversible];
  if (ttl !== undefined && reversible !== null && policy.revert_intent_types?.[reversible] !== undefined) {
    const endsAt = addSeconds(eventTime, ttl);
    ctx.reverts.insert(intent.intent_id, endsAt);
    // The list writes a node of its ends only; the intent to revert goes into the same record.
    ctx.state.put(stateKeys.revert(intent.intent_id), stateRecord('revert', { ...ctx.reverts.get(intent.intent_id)!, intent, intent_hash: intentHash }));
  }
  if (policy.no_double_containment === true && RANK[intent.action_class] > 0) {
    ctx.state.put(
      containmentKey(intent),
      stateRecord('containment', {
        intent_id: intent.intent_id,
        action_class: intent.action_class,
        released_at: eventTime,
        ends_at: ttl === undefined ? null : addSeconds(eventTime, ttl),
      }),
    );
  }
  const breaker = policy.circuit_breaker;
  if (breaker !== undefined && breaker.classes.includes(intent.action_class)) {
    const now = nowOf(ctx, intent);
    const times = [...recentReleases(ctx, intent.tenant_id, addSeconds(now, -breaker.window_s)), now].sort();
    ctx.state.put(stateKeys.breaker(intent.tenant_id), stateRecord('breaker', { release_times: times }));
  }
}

/** containment_in_force: why SG-160 did not release the intent, naming the containment in force. */
export function recordInForce(ctx: StepContext, who: AuditSubject, intent: Intent, live: LiveContainment): void {
  ctx.audit.append('containment_in_force', who, {
    action_class: intent.action_class,
    intent_id: intent.intent_id,
    live_action_class: live.action_class,
    live_ends_at: live.ends_at,
    live_intent_id: live.intent_id,
    live_released_at: live.released_at,
    subject: intent.subject,
    subject_kind: intent.subject_kind,
  });
}
