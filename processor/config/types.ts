/**
 * The deployment configuration: what processor/config loads, merges, validates and hashes. The
 * core never sees it; the shell hands the core a CoreConfig (core/config-types.ts) built from it
 * by coreConfigOf, so brokers, topic names and SASL secrets stay in the shell.
 */
import type { OperatorRegistry, Policy } from '../core/config-types.js';

export interface BrokerAuth {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' | null;
  username: string | null;
  /** A secret: the effective (hashed) config holds `sha256:<hex>` here, never the password. */
  password: string | null;
}

export interface Topics {
  telemetry: string;
  operator_actions: string;
  config: string;
  audit: string;
  execute: string;
  state: string;
  dlq: string;
  /**
   * ExecutionResultV1 from the actuators (a co-partitioned input of the processor) and the
   * actuator's own compacted state. Optional so a config that does not name them keeps its hash;
   * absent means the default name (processor/config/defaults.ts).
   */
  results?: string;
  actuator_state?: string;
}

/** How one telemetry input topic's records are read (processor/codec/adapters). */
export interface InputSpec {
  /** exoarmur (native TelemetryEventV1) | suricata | falco | wazuh | ocsf | ecs. */
  format: string;
  /** The tenant of every record on the topic, for formats that carry none. */
  tenant_id: string | null;
  /** The sensor cell of every record on the topic; null = the format's own sensor name. */
  cell_id: string | null;
}

export interface ExoArmurConfig {
  app_id: string;
  brokers: string[];
  broker_auth: BrokerAuth;
  topics: Topics;
  partitions: number;
  processing_guarantee: 'exactly_once' | 'at_least_once';
  policy: Policy;
  /** SHA-256 hex of canonicalJson(policy) this deployment pins; null = no pin (policy verified). */
  pinned_policy_sha256: string | null;
  operators: OperatorRegistry;
  /**
   * Telemetry input topics by name, each with its format. Absent unless configured, so a config
   * without sensor inputs hashes exactly as before they existed.
   */
  inputs?: Record<string, InputSpec>;
  /**
   * Signed checkpoints (absent = none, and the config and its hash are exactly as before the
   * feature): the compacted topic they go to, the processor's Ed25519 private key file (PKCS#8
   * PEM, made by `exoarmur keygen`) and its public key (base64 SPKI DER), which the config hash pins.
   */
  checkpoints?: CheckpointConfig;
}

export interface CheckpointConfig {
  topic: string;
  key_file: string;
  public_key: string;
}

export interface EffectiveConfig {
  /** Canonical effective config, secrets replaced by `sha256:<hex>`. What is published and hashed. */
  config: ExoArmurConfig;
  /** canonicalJson(config), computed once. */
  canonical: string;
  /** sha256Hex(canonical): stamped on every audit record. */
  config_hash: string;
  /** sha256Hex(canonicalJson(config.policy)). */
  policy_sha256: string;
  /** pinned_policy_sha256 is null or equals policy_sha256 (SG-201 fires when false). */
  policy_verified: boolean;
  /** Unhashed secret values for the shell's own use (never published, never hashed). */
  secrets: { broker_password: string | null };
}
