/**
 * The pure decision rules of DESIGN §2 stages 3–6: local confidence and classification, the
 * collective over the latest belief per emitter, the action class, and the ordered safety gate.
 */
import type { Policy } from './config-types.js';
import { canonicalJson } from './canonical.js';
import type { ActionClass, Classification, CollectiveMember, IgnoredConfidence, JsonValue, Severity, Verdict } from './types.js';

/** Scores are rounded to 6 decimals so that mean/spread boundaries (0.85, 0.92, 0.30) are exact. */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Longest canonical JSON of an ignored confidence kept in the belief record. */
export const IGNORED_CONFIDENCE_CHARS = 256;

/**
 * A valid attributes.confidence in [0, 1] is the belief's confidence; otherwise the severity's,
 * and an attribute that was present but not used is reported with why, so the audit trail shows
 * the value the sensor sent (the decision is the same as if it were absent).
 */
export function localConfidence(
  attributes: { [key: string]: JsonValue },
  severity: Severity,
  policy: Policy,
): { confidence: number; source: 'attribute' | 'severity'; ignored: IgnoredConfidence | null } {
  const c = attributes['confidence'];
  if (typeof c === 'number' && Number.isFinite(c) && c >= 0 && c <= 1) return { confidence: c, source: 'attribute', ignored: null };
  const ignored: IgnoredConfidence | null = c === undefined ? null : { reason: typeof c === 'number' ? 'out_of_range' : 'not_a_number', value: shownValue(c) };
  return { confidence: policy.severity_confidence[severity], source: 'severity', ignored };
}

/** The value as canonical JSON, cut to IGNORED_CONFIDENCE_CHARS without splitting a surrogate pair (Avro would write a lone one as U+FFFD). */
function shownValue(c: JsonValue): string {
  const text = typeof c === 'number' && !Number.isFinite(c) ? String(c) : canonicalJson(c);
  if (text.length <= IGNORED_CONFIDENCE_CHARS) return text;
  const cut = text.slice(0, IGNORED_CONFIDENCE_CHARS);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

export function classify(confidence: number): Classification {
  if (confidence >= 0.8) return 'malicious';
  if (confidence >= 0.5) return 'suspicious';
  return 'benign';
}

const CLASS_OF: Record<Classification, ActionClass> = {
  malicious: 'A2_hard_containment',
  suspicious: 'A1_soft_containment',
  benign: 'A0_observe',
};

export function actionClassFor(claimType: string, classification: Classification, policy: Policy): ActionClass {
  return Object.prototype.hasOwnProperty.call(policy.action_overrides, claimType) ? policy.action_overrides[claimType]! : CLASS_OF[classification];
}

export interface CollectiveResult {
  /** Latest belief per emitter after this one, sorted by emitter: the new stored state. */
  stored: CollectiveMember[];
  /** Those within ttl of this event's observed_at, either side. */
  members: CollectiveMember[];
  aggregate_score: number;
  quorum_count: number;
  spread: number;
  conflict: boolean;
}

/**
 * `stored` holds one belief per emitter (its greatest observed_at); the new belief replaces its
 * emitter's entry when its observed_at is greater or equal (equal: the one processed last wins).
 * Expired beliefs are dropped after that choice, so the result equals keeping them forever and
 * leaving them out of every collective.
 */
export function updateCollective(
  stored: readonly CollectiveMember[],
  belief: CollectiveMember,
  observedMs: number,
  ttlS: number,
  msOf: (iso: string) => number,
  /** Beliefs observed before this (ms) have expired (collective-expiry.ts) and neither count nor stay. */
  horizonMs = -Infinity,
): CollectiveResult {
  const next: CollectiveMember[] = [];
  let placed = false;
  for (const b of stored) {
    if (b.emitter === belief.emitter) {
      next.push(msOf(belief.observed_at) >= msOf(b.observed_at) ? belief : b);
      placed = true;
    } else {
      next.push(b);
    }
  }
  if (!placed) {
    next.push(belief);
    next.sort((a, b) => (a.emitter < b.emitter ? -1 : a.emitter > b.emitter ? 1 : 0));
  }
  const live = next.some((b) => msOf(b.observed_at) < horizonMs) ? next.filter((b) => msOf(b.observed_at) >= horizonMs) : next;
  const ttlMs = ttlS * 1000;
  const members = live.filter((b) => Math.abs(msOf(b.observed_at) - observedMs) <= ttlMs);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const m of members) {
    sum += m.confidence;
    if (m.confidence < min) min = m.confidence;
    if (m.confidence > max) max = m.confidence;
  }
  const aggregate = members.length === 0 ? 0 : round6(sum / members.length);
  const spread = members.length === 0 ? 0 : round6(max - min);
  return { stored: live, members, aggregate_score: aggregate, quorum_count: members.length, spread, conflict: spread > 0.3 };
}

export interface GateInput {
  action_class: ActionClass;
  /** The intent's subject matches policy.protected_subjects (SG-150). */
  protected_subject: boolean;
  /** A containment of the same or a stronger class is in force on the intent's subject (SG-160). */
  live_containment: boolean;
  trust: number;
  confidence: number;
  quorum_count: number;
  aggregate_score: number;
  policy_verified: boolean;
  kill_switch_global: boolean;
  kill_switch_tenant: boolean;
  /** The cell is not in policy.trust and policy.unknown_cell is observe_only. */
  unknown_cell_observe_only: boolean;
}

export interface GateDecision {
  rule: string;
  verdict: Verdict;
}

/** DESIGN §2 stage 6, in order; the first matching rule decides. */
export function evaluateGate(g: GateInput): GateDecision {
  const c = g.action_class;
  const a0 = c === 'A0_observe';
  const a1 = c === 'A1_soft_containment';
  const a2 = c === 'A2_hard_containment';
  const a3 = c === 'A3_irreversible';
  if (g.kill_switch_global && !a0) return { rule: 'SG-101', verdict: 'deny' };
  if (g.kill_switch_tenant && !a0) return { rule: 'SG-102', verdict: 'deny' };
  if (g.unknown_cell_observe_only && !a0) return { rule: 'SG-105', verdict: 'deny' };
  if (!g.policy_verified && !a0) return { rule: 'SG-201', verdict: 'require_quorum' };
  if (g.protected_subject && !a0) return { rule: 'SG-150', verdict: 'require_human' };
  if (g.live_containment && !a0) return { rule: 'SG-160', verdict: 'deny' };
  if (g.trust < 0.35 && (a2 || a3)) return { rule: 'SG-301', verdict: 'require_human' };
  if (g.trust < 0.5 && a2) return { rule: 'SG-302', verdict: 'require_quorum' };
  if (g.trust < 0.8 && a3) return { rule: 'SG-303', verdict: 'require_human' };
  if (a1 && g.confidence >= 0.8) return { rule: 'SG-401', verdict: 'allow' };
  if (a1) return { rule: 'SG-402', verdict: 'deny' };
  if (a2 && (g.confidence >= 0.9 || (g.quorum_count >= 2 && g.aggregate_score >= 0.85))) return { rule: 'SG-403', verdict: 'allow' };
  if (a2) return { rule: 'SG-404', verdict: 'require_quorum' };
  if (a3 && g.confidence >= 0.97 && g.quorum_count >= 3 && g.aggregate_score >= 0.92) return { rule: 'SG-405', verdict: 'allow' };
  if (a3) return { rule: 'SG-406', verdict: 'require_human' };
  if (a0) return { rule: 'SG-501', verdict: 'allow' };
  return { rule: 'SG-999', verdict: 'deny' };
}

/** Whether a subject is protected: equal to an entry, or starting with the prefix of an entry ending in `*`. */
export function isProtectedSubject(subject: string, protectedSubjects: readonly string[]): boolean {
  for (const entry of protectedSubjects) {
    if (entry.endsWith('*') ? subject.startsWith(entry.slice(0, -1)) : subject === entry) return true;
  }
  return false;
}

export function trustOf(cellId: string, policy: Policy): number {
  return Object.prototype.hasOwnProperty.call(policy.trust, cellId) ? policy.trust[cellId]! : policy.default_trust;
}

/** Whether a cell is in the registry (policy.trust); the admission rule applies only to those that are not. */
export function isKnownCell(cellId: string, policy: Policy): boolean {
  return Object.prototype.hasOwnProperty.call(policy.trust, cellId);
}
