/** Every default of the effective configuration (DESIGN §1 topic names, §2 policy tables). */
import type { ExoArmurConfig, Topics } from './types.js';

export const DEFAULT_CONFIG: ExoArmurConfig = Object.freeze({
  app_id: 'exoarmur',
  // No default: the broker rule (brokers.ts) requires one to be named.
  brokers: [],
  broker_auth: { mechanism: null, username: null, password: null },
  topics: {
    telemetry: 'exoarmur.telemetry.v1',
    operator_actions: 'exoarmur.operator-actions.v1',
    config: 'exoarmur.config.v1',
    audit: 'exoarmur.audit.v1',
    execute: 'exoarmur.intents.execute.v1',
    state: 'exoarmur.state.v1',
    dlq: 'exoarmur.dlq.v1',
  },
  partitions: 3,
  processing_guarantee: 'exactly_once',
  policy: {
    severity_confidence: { low: 0.2, medium: 0.5, high: 0.8, critical: 0.95 },
    claim_types: {},
    belief_ttl_s: 3600,
    action_overrides: {},
    intent_types: {
      A0_observe: 'observe',
      A1_soft_containment: 'soft_contain',
      A2_hard_containment: 'isolate',
      A3_irreversible: 'irreversible_action',
    },
    trust: {},
    default_trust: 0.85,
    quorum_size: 2,
    approval_ttl_s: 900,
  },
  pinned_policy_sha256: null,
  operators: {},
}) as ExoArmurConfig;

/** Topics added after the first release: absent from DEFAULT_CONFIG (its hash stays), named here. */
export const OPTIONAL_TOPIC_DEFAULTS: Readonly<Required<Pick<Topics, 'results' | 'actuator_state'>>> = Object.freeze({
  results: 'exoarmur.execution-results.v1',
  actuator_state: 'exoarmur.actuator-state.v1',
});

/** Every topic's default name, the optional ones included. */
export const DEFAULT_TOPIC_NAMES: Readonly<Required<Topics>> = Object.freeze({ ...DEFAULT_CONFIG.topics, ...OPTIONAL_TOPIC_DEFAULTS });

/** A config's results topic: its own name for it, else the default. */
export function resultsTopic(topics: Topics): string {
  return topics.results ?? OPTIONAL_TOPIC_DEFAULTS.results;
}

/** A config's actuator state topic: its own name for it, else the default. */
export function actuatorStateTopic(topics: Topics): string {
  return topics.actuator_state ?? OPTIONAL_TOPIC_DEFAULTS.actuator_state;
}
