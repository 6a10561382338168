/** DESIGN §2 stages 1–7 for one consumed telemetry record. */
import type { AuditSubject } from './audit-chain.js';
import type { StepContext } from './context.js';
import { expireCollectives } from './collective-expiry.js';
import type { IdentifiedInput } from './identity.js';
import { EVENT_TIME_IN_FUTURE, futureEventTime } from './event-time.js';
import { admitFirst, expireDue, reject, rejectUndecodable, release, requestApproval, seenBefore } from './outcome.js';
import { recordInForce, tripBreaker } from './release-guards.js';
import { isKnownCell } from './gate.js';
import { revertDue } from './revert.js';
import { expireRetained } from './retention.js';
import { collectBelief, deriveFacts, gateIntent, localBelief, proposeIntent } from './stages.js';
import { SUBJECT_KINDS, type SubjectKind, type TelemetryEventV1 } from './types.js';

export function stepTelemetry(ctx: StepContext, identified: Extract<IdentifiedInput, { kind: 'telemetry' | 'undecodable' }>): void {
  const { input } = ctx;
  if (identified.kind === 'undecodable') {
    rejectUndecodable(ctx, identified, 'telemetry_rejected', identified.hint?.observed_at ?? input.kafka_timestamp);
    return;
  }

  const ev = identified.event;
  const who = { correlation_id: ev.correlation_id, event_time: ev.observed_at, tenant_id: ev.tenant_id, trace_id: ev.trace_id };
  const identifiers = { action_id: null, cell_id: ev.cell_id, correlation_id: ev.correlation_id, event_id: ev.event_id, tenant_id: ev.tenant_id };
  const refuse = (reason_code: string, reason: string): void =>
    reject(ctx, { kind: 'telemetry_rejected', reason_code, reason, ...who, value_sha256: input.value === null ? null : ctx.prims.sha256Hex(input.value), identifiers });
  if (seenBefore(ctx, who)) return;

  // Refused before it is marked (a far-future mark would be kept for ever) and before it can move stream time.
  const future = futureEventTime(ctx, ev.observed_at);
  if (future !== null) return refuse(EVENT_TIME_IN_FUTURE, future);
  if (!admitFirst(ctx, who, identifiers)) return;

  // Sensor admission: refused before it can move stream time (and so expire anyone's approvals).
  if (ctx.config.policy.unknown_cell === 'reject' && !isKnownCell(ev.cell_id, ctx.config.policy)) {
    return refuse('unknown_cell', `cell ${JSON.stringify(ev.cell_id)} is not in policy.trust and policy.unknown_cell is reject`);
  }

  // Approvals, collectives and retained keys the new stream time has passed go before this input's own records.
  if (ctx.advanceStreamTime(ev.observed_at)) {
    expireDue(ctx);
    expireCollectives(ctx);
    revertDue(ctx);
    expireRetained(ctx);
  }

  const subjectKind = SUBJECT_KINDS.find((k) => ev.entity_refs[k] !== null);
  if (subjectKind === undefined) return refuse('no_subject', 'no subject: entity_refs names none of host, user, process, ip, service');
  decide(ctx, ev, subjectKind, who);
}

/** Stages 2–6 give their values; then the stage records, in order; then the outcome (stage 7). */
function decide(ctx: StepContext, ev: TelemetryEventV1, subjectKind: SubjectKind, who: AuditSubject): void {
  const ttlS = ctx.config.policy.belief_ttl_s;
  const facts = deriveFacts(ev, subjectKind, ctx.config.policy);
  const belief = localBelief(ev, ctx.config.policy);
  const collective = collectBelief(ctx, ev, facts, belief);
  const proposal = proposeIntent(ctx, ev, facts, belief);
  const gate = gateIntent(ctx, ev, proposal, collective);
  const { intent, intent_hash } = proposal;
  const { shown, decision, live, trip } = gate;

  const audit = ctx.audit;
  audit.append('telemetry_received', who, {
    cell_id: ev.cell_id,
    event_id: ev.event_id,
    event_type: ev.event_type,
    observed_at: ev.observed_at,
    received_at: ev.received_at,
    severity: ev.severity,
    source_kind: ev.source.kind,
    source_name: ev.source.name,
  });
  audit.append('facts_derived', who, {
    cell_id: ev.cell_id,
    claim_type: facts.claim_type,
    event_id: ev.event_id,
    event_type: ev.event_type,
    severity: ev.severity,
    subject: facts.subject,
    subject_kind: facts.subject_kind,
  });
  audit.append('belief_emitted', who, {
    claim_type: facts.claim_type,
    classification: belief.classification,
    confidence: belief.confidence,
    confidence_source: belief.source,
    emitter: ev.cell_id,
    ignored_confidence: belief.ignored,
    observed_at: ev.observed_at,
    severity: ev.severity,
    subject: facts.subject,
    ttl_s: ttlS,
  });
  audit.append('collective_updated', who, {
    aggregate_score: collective.aggregate_score,
    claim_type: facts.claim_type,
    conflict: collective.conflict,
    members: collective.members,
    quorum_count: collective.quorum_count,
    spread: collective.spread,
    ttl_s: ttlS,
  });
  audit.append('intent_proposed', who, { intent, intent_hash });
  if (trip !== null) tripBreaker(ctx, who, intent, trip);
  audit.append('safety_evaluated', who, {
    action_class: intent.action_class,
    aggregate_score: shown.aggregate_score,
    confidence: shown.confidence,
    intent_hash,
    intent_id: intent.intent_id,
    kill_switch_global: shown.kill_switch_global,
    kill_switch_tenant: shown.kill_switch_tenant,
    policy_verified: shown.policy_verified,
    quorum_count: shown.quorum_count,
    rule: decision.rule,
    trust: shown.trust,
    verdict: decision.verdict,
  });

  switch (decision.verdict) {
    case 'allow':
      release(ctx, intent, intent_hash, { rule: decision.rule, approval_id: null, approvers: [] }, ev.observed_at);
      return;
    case 'deny':
      if (live !== null) recordInForce(ctx, who, intent, live);
      audit.append('intent_denied', who, { action_class: intent.action_class, intent_hash, intent_id: intent.intent_id, rule: decision.rule });
      return;
    case 'require_human':
    case 'require_quorum':
      requestApproval(ctx, who, proposal, decision.verdict === 'require_human' ? 'human' : 'quorum', decision.rule);
      return;
  }
}
