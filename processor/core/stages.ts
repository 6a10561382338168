/**
 * DESIGN §2 stages 2–6 for one telemetry event, each a function that returns its value. They
 * write no audit record: telemetry.ts writes the stage records in one sequence from these values.
 * Only the collective stage changes state (the stored beliefs and their expiry node).
 */
import type { StepContext } from './context.js';
import { canonicalJson } from './canonical.js';
import type { Policy } from './config-types.js';
import { beliefHorizonMs, storeCollective } from './collective-expiry.js';
import {
  actionClassFor,
  classify,
  evaluateGate,
  isKnownCell,
  isProtectedSubject,
  localConfidence,
  trustOf,
  updateCollective,
  type CollectiveResult,
  type GateDecision,
  type GateInput,
} from './gate.js';
import { breakerTripFor, liveContainmentOf, type BreakerTrip } from './release-guards.js';
import { stateKeys } from './state.js';
import { msOf } from './time.js';
import type { Classification, IgnoredConfidence, Intent, LiveContainment, SubjectKind, TelemetryEventV1 } from './types.js';

/** Stage 2: what the event is about. */
export interface Facts {
  subject: string;
  subject_kind: SubjectKind;
  claim_type: string;
}

export function deriveFacts(ev: TelemetryEventV1, subjectKind: SubjectKind, policy: Policy): Facts {
  const claimType = Object.prototype.hasOwnProperty.call(policy.claim_types, ev.event_type) ? policy.claim_types[ev.event_type]! : ev.event_type;
  return { subject: ev.entity_refs[subjectKind]!, subject_kind: subjectKind, claim_type: claimType };
}

/** Stage 3: this cell's own belief. */
export interface LocalBelief {
  confidence: number;
  source: 'attribute' | 'severity';
  classification: Classification;
  ignored: IgnoredConfidence | null;
}

export function localBelief(ev: TelemetryEventV1, policy: Policy): LocalBelief {
  const { confidence, source, ignored } = localConfidence(ev.attributes, ev.severity, policy);
  return { confidence, source, classification: classify(confidence), ignored };
}

/** Stage 4: the collective over the latest unexpired belief per cell, stored back into state. */
export function collectBelief(ctx: StepContext, ev: TelemetryEventV1, facts: Facts, belief: LocalBelief): CollectiveResult {
  const ttlS = ctx.config.policy.belief_ttl_s;
  const collectiveKey = stateKeys.collective(ev.tenant_id, facts.claim_type, ev.correlation_id);
  const stored = ctx.state.get(collectiveKey)?.collective?.beliefs ?? [];
  const horizon = beliefHorizonMs(msOf(ctx.streamTime ?? ev.observed_at), ttlS);
  const collective = updateCollective(stored, { confidence: belief.confidence, emitter: ev.cell_id, observed_at: ev.observed_at }, msOf(ev.observed_at), ttlS, msOf, horizon);
  storeCollective(ctx, collectiveKey, collective.stored, ttlS);
  return collective;
}

/** Stage 5: the proposed intent and its hash. */
export interface Proposal {
  intent: Intent;
  intent_hash: string;
}

export function proposeIntent(ctx: StepContext, ev: TelemetryEventV1, facts: Facts, belief: LocalBelief): Proposal {
  const policy = ctx.config.policy;
  const actionClass = actionClassFor(facts.claim_type, belief.classification, policy);
  const intent: Intent = {
    action_class: actionClass,
    claim_type: facts.claim_type,
    classification: belief.classification,
    confidence: belief.confidence,
    correlation_id: ev.correlation_id,
    event_id: ev.event_id,
    event_time: ev.observed_at,
    intent_id: ctx.ids.intent(ev.tenant_id, ev.observed_at),
    intent_type: policy.intent_types[actionClass],
    subject: facts.subject,
    subject_kind: facts.subject_kind,
    tenant_id: ev.tenant_id,
    trace_id: ev.trace_id,
  };
  return { intent, intent_hash: ctx.prims.sha256Hex(canonicalJson(intent)) };
}

/** Stage 6: what the gate was shown and what it decided, and the guard facts behind SG-160 and a breaker trip. */
export interface GateResult {
  shown: GateInput;
  decision: GateDecision;
  /** The containment in force that SG-160 saw, when it decided. */
  live: LiveContainment | null;
  /** The circuit breaker trips instead of allowing this release: the tenant's kill switch goes on, and SG-102 decides. */
  trip: BreakerTrip | null;
}

export function gateIntent(ctx: StepContext, ev: TelemetryEventV1, proposal: Proposal, collective: CollectiveResult): GateResult {
  const policy = ctx.config.policy;
  const shown: GateInput = {
    action_class: proposal.intent.action_class,
    protected_subject: policy.protected_subjects !== undefined && isProtectedSubject(proposal.intent.subject, policy.protected_subjects),
    trust: trustOf(ev.cell_id, policy),
    confidence: proposal.intent.confidence,
    quorum_count: collective.quorum_count,
    aggregate_score: collective.aggregate_score,
    policy_verified: ctx.config.policy_verified,
    kill_switch_global: ctx.state.get(stateKeys.killGlobal())?.kill_switch?.on === true,
    kill_switch_tenant: ctx.state.get(stateKeys.killTenant(ev.tenant_id))?.kill_switch?.on === true,
    live_containment: false,
    unknown_cell_observe_only: ctx.config.policy.unknown_cell === 'observe_only' && !isKnownCell(ev.cell_id, ctx.config.policy),
  };
  const live = liveContainmentOf(ctx, proposal.intent);
  shown.live_containment = live !== null;
  const decision = evaluateGate(shown);
  const trip = decision.verdict === 'allow' ? breakerTripFor(ctx, proposal.intent) : null;
  if (trip === null) return { shown, decision, live: decision.rule === 'SG-160' ? live : null, trip: null };
  const tripped = { ...shown, kill_switch_tenant: true };
  return { shown: tripped, decision: evaluateGate(tripped), live: null, trip };
}
