/**
 * What the core decides with: the policy, the operator registry, and the facts about them the
 * shell computed (the config hash stamped on every record, whether the policy matches its pin).
 * Loading, merging, validation and hashing live in processor/config, which builds a CoreConfig
 * from the effective deployment config; brokers, topics and secrets never reach the core.
 */
import type { ActionClass, Severity } from './types.js';

export interface Policy {
  /** Confidence when attributes.confidence is not a number in [0,1]. */
  severity_confidence: Record<Severity, number>;
  /** event_type -> claim_type; an unmapped event_type is its own claim_type. */
  claim_types: Record<string, string>;
  belief_ttl_s: number;
  /** claim_type -> action class, overriding classification. */
  action_overrides: Record<string, ActionClass>;
  /** action class -> intent_type. */
  intent_types: Record<ActionClass, string>;
  /** cell_id -> trust in [0,1]. */
  trust: Record<string, number>;
  default_trust: number;
  quorum_size: number;
  approval_ttl_s: number;
  /**
   * Sensor admission for a cell that is not in `trust` (the cell registry): default_trust (absent =
   * this, the old behaviour) decides with default_trust; observe_only lets it reach A0 only (SG-105);
   * reject refuses its telemetry at receipt (reason unknown_cell). Absent unless set, so the policy
   * hash of a config without it is unchanged.
   */
  unknown_cell?: UnknownCellPolicy;
  /**
   * Guards (docs/guards.md), each off while its key is absent. An absent key is not in the
   * canonical config either, so a config without guards keeps its hash and its recorded meaning.
   */
  /** Exact subject values and `prefix*` patterns: any class above A0 on one needs a human (SG-150). */
  protected_subjects?: string[];
  /**
   * Retention in event time (core/retention.ts), defaults there while absent (absent keys keep the
   * hash, as the guards do): idempotency keys (7 days) and decided approvals (30 days).
   */
  dedupe_window_s?: number;
  approval_retention_s?: number;
  /**
   * Telemetry whose observed_at is more than this many seconds past its Kafka record timestamp is
   * refused at receipt (event_time_in_future, core/event-time.ts): one such event would otherwise
   * move stream time, expiring approvals and putting later events beyond the dedupe window.
   * Default there while absent (300 s); absent keys keep the hash.
   */
  max_future_skew_s?: number;
  /** SG-160: no second containment of the same or a weaker class while one is in force on a subject. */
  no_double_containment?: boolean;
  /** How long a released containment of a class stays in force (seconds of event time); absent: until lifted. */
  containment_ttl_s?: Partial<Record<'A1_soft_containment' | 'A2_hard_containment', number>>;
  /** The intent_type of the intent that reverts a containment of a class once its ttl has passed (self-revert, with containment_ttl_s). */
  revert_intent_types?: Partial<Record<'A1_soft_containment' | 'A2_hard_containment', string>>;
  /** More than max_releases releases of these classes within window_s (stream time, per partition and tenant) trip the tenant's kill switch. */
  circuit_breaker?: CircuitBreakerPolicy;
}

export interface CircuitBreakerPolicy {
  classes: ActionClass[];
  max_releases: number;
  window_s: number;
}

export type UnknownCellPolicy = 'default_trust' | 'observe_only' | 'reject';
export const UNKNOWN_CELL_POLICIES: readonly UnknownCellPolicy[] = ['default_trust', 'observe_only', 'reject'];

/** Operator registry: actor_id -> base64 SPKI DER Ed25519 public key. */
export type OperatorRegistry = Record<string, { public_key: string }>;

export interface CoreConfig {
  policy: Policy;
  operators: OperatorRegistry;
  /** SHA-256 of the canonical effective config: stamped on every audit, execute and dead-letter record. */
  config_hash: string;
  /** The deployment's pinned_policy_sha256 is null or equals the policy's hash (SG-201 fires when false). */
  policy_verified: boolean;
}
