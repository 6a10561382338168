/** DESIGN §2 stages 1–7 for one consumed telemetry record. */
import type { DecodeHint } from './api.js';
import { addSeconds, type StepContext } from './context.js';
import { actionClassFor, classify, evaluateGate, localConfidence, trustOf, updateCollective } from './gate.js';
import { canonicalJson } from './canonical.js';
import { beliefHorizonMs, expireCollectives, storeCollective } from './collective-expiry.js';
import { expire, expireDue, reject, release } from './outcome.js';
import { IDEMPOTENCY_MARK, stateKeys, stateRecord } from './state.js';
import { msOf } from './time.js';
import { SUBJECT_KINDS, type ApprovalState, type Intent, type SubjectKind, type TelemetryEventV1 } from './types.js';

/**
 * Longest key part taken as an identity (the codec's limit on string fields). An identity is copied
 * into the receipt's tenant, idempotency key and Kafka key: a 3 MiB key taken whole made a 9 MiB
 * receipt the output topics refuse, which halted the processor.
 */
export const MAX_KEY_IDENTITY_CHARS = 1024;

/** Tenant and correlation of a record we cannot read: from the Kafka key `tenant:correlation` (parts of at most MAX_KEY_IDENTITY_CHARS), else "unknown". */
export function identityFromKey(key: string | null, hint: DecodeHint | undefined): { tenant_id: string; correlation_id: string; trace_id: string | null } {
  const colon = key === null ? -1 : key.indexOf(':');
  const part = (text: string): string | null => (text.length > 0 && text.length <= MAX_KEY_IDENTITY_CHARS ? text : null);
  const keyTenant = key !== null && colon > 0 ? part(key.slice(0, colon)) : null;
  const keyCorrelation = key !== null && colon > 0 ? part(key.slice(colon + 1)) : null;
  return {
    tenant_id: hint?.tenant_id ?? keyTenant ?? 'unknown',
    correlation_id: hint?.correlation_id ?? keyCorrelation ?? 'unknown',
    trace_id: hint?.trace_id ?? null,
  };
}

/**
 * Identity of an input the codec could not decode, from either input topic. Undecodable values are
 * identified by their bytes (idempotency key `tenant:raw-sha256:<hex>`), so a redelivery of the same
 * bytes is a duplicate.
 */
export function identifyUndecodable(ctx: StepContext, hint: DecodeHint | undefined): { who: ReturnType<typeof identityFromKey>; valueSha: string | null } {
  const who = identityFromKey(ctx.input.key, hint);
  const valueSha = ctx.input.value === null ? null : ctx.prims.sha256Hex(ctx.input.value);
  ctx.idempotencyKey = `${who.tenant_id}:raw-sha256:${valueSha ?? 'null'}`;
  return { who, valueSha };
}

export function stepTelemetry(ctx: StepContext): void {
  const { input } = ctx;
  const decoded = input.decoded;
  if (!decoded.ok) {
    const { who, valueSha } = identifyUndecodable(ctx, decoded.hint);
    const eventTime = decoded.hint?.observed_at ?? input.kafka_timestamp;
    if (isDuplicate(ctx, eventTime, who)) return;
    markSeen(ctx);
    reject(ctx, { kind: 'telemetry_rejected', reason_code: decoded.reason_code ?? 'invalid', reason: decoded.reason, ...who, event_time: eventTime, value_sha256: valueSha });
    return;
  }

  const ev = decoded.value as TelemetryEventV1;
  ctx.idempotencyKey = `${ev.tenant_id}:${ev.event_id}`;
  const who = { correlation_id: ev.correlation_id, event_time: ev.observed_at, tenant_id: ev.tenant_id, trace_id: ev.trace_id };
  if (isDuplicate(ctx, ev.observed_at, who)) return;
  markSeen(ctx);

  // Approvals the new stream time has passed expire before this input's own records.
  if (ctx.advanceStreamTime(ev.observed_at)) {
    expireDue(ctx);
    expireCollectives(ctx);
  }

  const subjectKind = SUBJECT_KINDS.find((k) => ev.entity_refs[k] !== null);
  if (subjectKind === undefined) {
    const valueSha = input.value === null ? null : ctx.prims.sha256Hex(input.value);
    reject(ctx, {
      kind: 'telemetry_rejected',
      reason_code: 'no_subject',
      reason: 'no subject: entity_refs names none of host, user, process, ip, service',
      ...who,
      value_sha256: valueSha,
    });
    return;
  }
  decide(ctx, ev, subjectKind, who);
}

function isDuplicate(ctx: StepContext, eventTime: string, who: { tenant_id: string; correlation_id: string; trace_id: string | null }): boolean {
  if (ctx.get(stateKeys.telemetryIdem(ctx.idempotencyKey)) === undefined) return false;
  ctx.audit('telemetry_duplicate', { ...who, event_time: eventTime }, { first_seen: 'earlier' });
  return true;
}

function markSeen(ctx: StepContext): void {
  ctx.put(stateKeys.telemetryIdem(ctx.idempotencyKey), IDEMPOTENCY_MARK);
}

function decide(ctx: StepContext, ev: TelemetryEventV1, subjectKind: SubjectKind, who: { tenant_id: string; correlation_id: string; trace_id: string; event_time: string }): void {
  const policy = ctx.config.config.policy;
  const subject = ev.entity_refs[subjectKind]!;
  const claimType = Object.prototype.hasOwnProperty.call(policy.claim_types, ev.event_type) ? policy.claim_types[ev.event_type]! : ev.event_type;

  ctx.audit('telemetry_received', who, {
    cell_id: ev.cell_id,
    event_id: ev.event_id,
    event_type: ev.event_type,
    observed_at: ev.observed_at,
    received_at: ev.received_at,
    severity: ev.severity,
    source_kind: ev.source.kind,
    source_name: ev.source.name,
  });

  ctx.audit('facts_derived', who, {
    cell_id: ev.cell_id,
    claim_type: claimType,
    event_id: ev.event_id,
    event_type: ev.event_type,
    severity: ev.severity,
    subject,
    subject_kind: subjectKind,
  });

  const { confidence, source } = localConfidence(ev.attributes, ev.severity, policy);
  const classification = classify(confidence);
  ctx.audit('belief_emitted', who, {
    claim_type: claimType,
    classification,
    confidence,
    confidence_source: source,
    emitter: ev.cell_id,
    observed_at: ev.observed_at,
    severity: ev.severity,
    subject,
    ttl_s: policy.belief_ttl_s,
  });

  const collectiveKey = stateKeys.collective(ev.tenant_id, claimType, ev.correlation_id);
  const stored = ctx.get(collectiveKey)?.collective?.beliefs ?? [];
  const horizon = beliefHorizonMs(msOf(ctx.streamTime ?? ev.observed_at), policy.belief_ttl_s);
  const collective = updateCollective(stored, { confidence, emitter: ev.cell_id, observed_at: ev.observed_at }, msOf(ev.observed_at), policy.belief_ttl_s, msOf, horizon);
  storeCollective(ctx, collectiveKey, collective.stored, policy.belief_ttl_s);
  ctx.audit('collective_updated', who, {
    aggregate_score: collective.aggregate_score,
    claim_type: claimType,
    conflict: collective.conflict,
    members: collective.members,
    quorum_count: collective.quorum_count,
    spread: collective.spread,
    ttl_s: policy.belief_ttl_s,
  });

  const actionClass = actionClassFor(claimType, classification, policy);
  const intent: Intent = {
    action_class: actionClass,
    claim_type: claimType,
    classification,
    confidence,
    correlation_id: ev.correlation_id,
    event_id: ev.event_id,
    event_time: ev.observed_at,
    intent_id: ctx.ulid('intent', ev.tenant_id, ctx.idempotencyKey, 0, ev.observed_at),
    intent_type: policy.intent_types[actionClass],
    subject,
    subject_kind: subjectKind,
    tenant_id: ev.tenant_id,
    trace_id: ev.trace_id,
  };
  const intentHash = ctx.prims.sha256Hex(canonicalJson(intent));
  ctx.audit('intent_proposed', who, { intent, intent_hash: intentHash });

  const killGlobal = ctx.get(stateKeys.killGlobal())?.kill_switch?.on === true;
  const killTenant = ctx.get(stateKeys.killTenant(ev.tenant_id))?.kill_switch?.on === true;
  const trust = trustOf(ev.cell_id, policy);
  const gate = evaluateGate({
    action_class: actionClass,
    trust,
    confidence,
    quorum_count: collective.quorum_count,
    aggregate_score: collective.aggregate_score,
    policy_verified: ctx.config.policy_verified,
    kill_switch_global: killGlobal,
    kill_switch_tenant: killTenant,
  });
  ctx.audit('safety_evaluated', who, {
    action_class: actionClass,
    aggregate_score: collective.aggregate_score,
    confidence,
    intent_hash: intentHash,
    intent_id: intent.intent_id,
    kill_switch_global: killGlobal,
    kill_switch_tenant: killTenant,
    policy_verified: ctx.config.policy_verified,
    quorum_count: collective.quorum_count,
    rule: gate.rule,
    trust,
    verdict: gate.verdict,
  });

  switch (gate.verdict) {
    case 'allow':
      release(ctx, intent, intentHash, { rule: gate.rule, approval_id: null, approvers: [] }, ev.observed_at);
      return;
    case 'deny':
      ctx.audit('intent_denied', who, { action_class: actionClass, intent_hash: intentHash, intent_id: intent.intent_id, rule: gate.rule });
      return;
    case 'require_human':
    case 'require_quorum': {
      const requirement = gate.verdict === 'require_human' ? 'human' : 'quorum';
      const approval: ApprovalState = {
        approval_id: ctx.ulid('approval', ev.tenant_id, ctx.idempotencyKey, 0, ev.observed_at),
        status: 'pending',
        requirement,
        required_votes: requirement === 'human' ? 1 : policy.quorum_size,
        votes: [],
        rule: gate.rule,
        expires_at: addSeconds(ev.observed_at, policy.approval_ttl_s),
        partition: ctx.partition,
        intent,
        intent_hash: intentHash,
        decided_at: null,
      };
      ctx.audit('approval_requested', who, {
        action_class: actionClass,
        approval_id: approval.approval_id,
        expires_at: approval.expires_at,
        intent_hash: intentHash,
        intent_id: intent.intent_id,
        partition: ctx.partition,
        required_votes: approval.required_votes,
        requirement,
        rule: gate.rule,
      });
      ctx.put(stateKeys.approval(approval.approval_id), stateRecord('approval', approval));
      // An event observed so late that stream time is already past its expiry expires at once.
      if (ctx.streamTime !== null && approval.expires_at < ctx.streamTime) {
        expire(ctx, approval, 'stream_time');
      } else {
        ctx.addPending({ approval_id: approval.approval_id, expires_at: approval.expires_at });
      }
      return;
    }
  }
}
