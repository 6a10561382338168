/**
 * The configuration model: deep merge of partial configs over the defaults, validation whose
 * errors name the bad key and the fix, and the effective (canonical, hashed, secret-free) form.
 */
import { canonicalJson } from '../core/canonical.js';
import { UNKNOWN_CELL_POLICIES, type CoreConfig } from '../core/config-types.js';
import { ACTION_CLASSES, SEVERITIES, type ConfigSnapshotV1 } from '../core/types.js';
import { INPUT_FORMATS } from '../codec/adapters/adapter.js';
import { UsageError } from '../errors.js';
import { nodePrimitives, parseEd25519PublicKey } from '../primitives.js';
import { DEFAULT_CONFIG, DEFAULT_TOPIC_NAMES } from './defaults.js';
import { bad, fraction, isObj, mapOf, nonEmpty, nullableString, obj, oneOf, onlyKeys, positiveInt, type Obj } from './checks.js';
import { GUARD_POLICY_KEYS, validateGuards } from './guards.js';
import { RETENTION_POLICY_KEYS, validateRetention } from './retention.js';
import type { CheckpointConfig, EffectiveConfig, ExoArmurConfig, InputSpec } from './types.js';

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Objects merge key by key; anything else (arrays, scalars, null) replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over === undefined ? clone(base) : clone(over);
  const out: Obj = clone(base);
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = k in out ? deepMerge(out[k], v) : clone(v);
  }
  return out;
}

/** `{ "policy.default_trust": 0.7 }` → `{ policy: { default_trust: 0.7 } }`; nested objects pass through. */
export function expandDotted(flat: Obj): Obj {
  const out: Obj = {};
  for (const [path, value] of Object.entries(flat)) {
    if (value === undefined) continue;
    const parts = path.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) {
      if (!isObj(node[p])) node[p] = {};
      node = node[p] as Obj;
    }
    const last = parts[parts.length - 1]!;
    node[last] = isObj(value) && isObj(node[last]) ? deepMerge(node[last], value) : value;
  }
  return out;
}

/** Validates a complete config object (e.g. the result of merging over the defaults). */
export function validateConfig(input: unknown): ExoArmurConfig {
  const c = obj(input, '(root)');
  // Optional top-level sections have no default, so a config without them hashes as it always did.
  onlyKeys(c, [...Object.keys(DEFAULT_CONFIG), ...OPTIONAL_KEYS], '');
  const brokers = c['brokers'];
  if (!Array.isArray(brokers)) bad('brokers', `must be a list of host:port, got ${JSON.stringify(brokers)}`, 'give e.g. ["localhost:9092"] or KAFKA_BROKERS=host:port,host:port');
  brokers.forEach((b, i) => {
    if (typeof b !== 'string' || !/^[^\s:]+:\d{1,5}$/.test(b)) bad(`brokers[${i}]`, `must be host:port, got ${JSON.stringify(b)}`, 'give e.g. localhost:9092');
  });
  const auth = obj(c['broker_auth'], 'broker_auth');
  onlyKeys(auth, ['mechanism', 'username', 'password'], 'broker_auth');
  const topics = obj(c['topics'], 'topics');
  onlyKeys(topics, Object.keys(DEFAULT_TOPIC_NAMES), 'topics');
  const policy = obj(c['policy'], 'policy');
  onlyKeys(policy, [...Object.keys(DEFAULT_CONFIG.policy), 'unknown_cell', ...GUARD_POLICY_KEYS, ...RETENTION_POLICY_KEYS], 'policy');
  const sc = obj(policy['severity_confidence'], 'policy.severity_confidence');
  onlyKeys(sc, SEVERITIES, 'policy.severity_confidence');
  const it = obj(policy['intent_types'], 'policy.intent_types');
  onlyKeys(it, ACTION_CLASSES, 'policy.intent_types');
  const pin = c['pinned_policy_sha256'];
  if (pin !== null && (typeof pin !== 'string' || !/^[0-9a-f]{64}$/.test(pin))) {
    bad('pinned_policy_sha256', `must be null or 64 lower-case hex digits, got ${JSON.stringify(pin)}`, 'give the sha256 of the canonical policy, or null');
  }
  const config: ExoArmurConfig = {
    app_id: nonEmpty(c['app_id'], 'app_id'),
    brokers: brokers as string[],
    broker_auth: {
      mechanism: auth['mechanism'] === null ? null : oneOf(auth['mechanism'], ['plain', 'scram-sha-256', 'scram-sha-512'] as const, 'broker_auth.mechanism'),
      username: nullableString(auth['username'], 'broker_auth.username'),
      password: nullableString(auth['password'], 'broker_auth.password'),
    },
    topics: {
      telemetry: nonEmpty(topics['telemetry'], 'topics.telemetry'),
      operator_actions: nonEmpty(topics['operator_actions'], 'topics.operator_actions'),
      config: nonEmpty(topics['config'], 'topics.config'),
      audit: nonEmpty(topics['audit'], 'topics.audit'),
      execute: nonEmpty(topics['execute'], 'topics.execute'),
      state: nonEmpty(topics['state'], 'topics.state'),
      dlq: nonEmpty(topics['dlq'], 'topics.dlq'),
      // Named only when given, so a config without them keeps its hash.
      ...(topics['results'] === undefined ? {} : { results: nonEmpty(topics['results'], 'topics.results') }),
      ...(topics['actuator_state'] === undefined ? {} : { actuator_state: nonEmpty(topics['actuator_state'], 'topics.actuator_state') }),
    },
    partitions: positiveInt(c['partitions'], 'partitions'),
    processing_guarantee: oneOf(c['processing_guarantee'], ['exactly_once', 'at_least_once'] as const, 'processing_guarantee'),
    policy: {
      severity_confidence: {
        low: fraction(sc['low'], 'policy.severity_confidence.low'),
        medium: fraction(sc['medium'], 'policy.severity_confidence.medium'),
        high: fraction(sc['high'], 'policy.severity_confidence.high'),
        critical: fraction(sc['critical'], 'policy.severity_confidence.critical'),
      },
      claim_types: mapOf(policy['claim_types'], 'policy.claim_types', nonEmpty),
      belief_ttl_s: positiveInt(policy['belief_ttl_s'], 'policy.belief_ttl_s'),
      action_overrides: mapOf(policy['action_overrides'], 'policy.action_overrides', (x, k) => oneOf(x, ACTION_CLASSES, k)),
      intent_types: {
        A0_observe: nonEmpty(it['A0_observe'], 'policy.intent_types.A0_observe'),
        A1_soft_containment: nonEmpty(it['A1_soft_containment'], 'policy.intent_types.A1_soft_containment'),
        A2_hard_containment: nonEmpty(it['A2_hard_containment'], 'policy.intent_types.A2_hard_containment'),
        A3_irreversible: nonEmpty(it['A3_irreversible'], 'policy.intent_types.A3_irreversible'),
      },
      trust: mapOf(policy['trust'], 'policy.trust', fraction),
      default_trust: fraction(policy['default_trust'], 'policy.default_trust'),
      quorum_size: positiveInt(policy['quorum_size'], 'policy.quorum_size'),
      approval_ttl_s: positiveInt(policy['approval_ttl_s'], 'policy.approval_ttl_s'),
      // Present only when set: a policy without it keeps its hash (and its pin).
      ...(policy['unknown_cell'] === undefined ? {} : { unknown_cell: oneOf(policy['unknown_cell'], UNKNOWN_CELL_POLICIES, 'policy.unknown_cell') }),
      ...validateGuards(policy),
      ...validateRetention(policy),
    },
    pinned_policy_sha256: pin as string | null,
    operators: mapOf(c['operators'], 'operators', (x, k) => {
      const entry = obj(x, k);
      onlyKeys(entry, ['public_key'], k);
      const key = nonEmpty(entry['public_key'], `${k}.public_key`);
      if (parseEd25519PublicKey(key) === null) bad(`${k}.public_key`, 'is not an Ed25519 public key (base64 of SPKI DER)', 'use the entry printed by `exoarmur operator keygen`');
      return { public_key: key };
    }),
    ...checkpointConfig(c['checkpoints']),
  };
  // Optional sections appear only when set: a config without them keeps its hash.
  if (c['inputs'] !== undefined) config.inputs = inputsOf(c['inputs'], { ...config.topics, ...(config.checkpoints ? { checkpoints: config.checkpoints.topic } : {}) });
  return config;
}

/** Top-level settings with no default: absent from the effective config unless given. */
const OPTIONAL_KEYS = ['inputs', 'checkpoints'] as const;

function inputsOf(v: unknown, topics: Record<string, string | undefined>): Record<string, InputSpec> {
  return mapOf(v, 'inputs', (x, k) => {
    const entry = obj(x, k);
    onlyKeys(entry, ['format', 'tenant_id', 'cell_id'], k);
    const topic = k.slice('inputs.'.length);
    const reserved = Object.keys(topics).find((key) => key !== 'telemetry' && topics[key] === topic);
    if (reserved !== undefined) bad(k, `names the ${reserved} topic`, 'list only telemetry input topics under "inputs"');
    const tenant = entry['tenant_id'] === undefined ? null : nullableString(entry['tenant_id'], `${k}.tenant_id`);
    if (tenant !== null && tenant.includes(':')) bad(`${k}.tenant_id`, 'contains ":"', 'keys are tenant_id:correlation_id; pick a tenant id without ":"');
    return {
      format: oneOf(entry['format'], INPUT_FORMATS, `${k}.format`),
      tenant_id: tenant,
      cell_id: entry['cell_id'] === undefined ? null : nullableString(entry['cell_id'], `${k}.cell_id`),
    };
  });
}

function checkpointConfig(v: unknown): { checkpoints?: CheckpointConfig } {
  if (v === undefined || v === null) return {};
  const entry = obj(v, 'checkpoints');
  onlyKeys(entry, ['topic', 'key_file', 'public_key'], 'checkpoints');
  const publicKey = nonEmpty(entry['public_key'], 'checkpoints.public_key');
  if (parseEd25519PublicKey(publicKey) === null) bad('checkpoints.public_key', 'is not an Ed25519 public key (base64 of SPKI DER)', 'use the entry printed by `exoarmur keygen`');
  return { checkpoints: { topic: nonEmpty(entry['topic'], 'checkpoints.topic'), key_file: nonEmpty(entry['key_file'], 'checkpoints.key_file'), public_key: publicKey } };
}

/** A partial config (e.g. a scenario's config.json) merged over a base (the defaults) and validated. */
export function mergeConfig(partial: unknown, base: ExoArmurConfig = DEFAULT_CONFIG): ExoArmurConfig {
  if (partial !== undefined && partial !== null && !isObj(partial)) bad('(root)', 'must be a JSON object', 'give a partial config object');
  return validateConfig(deepMerge(base, partial ?? {}));
}

export const SECRET_PREFIX = 'sha256:';

/** Canonicalises and hashes a validated config; secrets become `sha256:<hex>` before hashing. */
export function buildEffectiveConfig(config: ExoArmurConfig): EffectiveConfig {
  const sha = nodePrimitives.sha256Hex;
  const password = config.broker_auth.password;
  const alreadyHashed = password !== null && /^sha256:[0-9a-f]{64}$/.test(password);
  const published: ExoArmurConfig = {
    ...clone(config),
    broker_auth: { ...config.broker_auth, password: password === null || alreadyHashed ? password : `${SECRET_PREFIX}${sha(password)}` },
  };
  const canonical = canonicalJson(published);
  const policySha = sha(canonicalJson(published.policy));
  return {
    config: published,
    canonical,
    config_hash: sha(canonical),
    policy_sha256: policySha,
    policy_verified: published.pinned_policy_sha256 === null || published.pinned_policy_sha256 === policySha,
    secrets: { broker_password: alreadyHashed ? null : password },
  };
}

/**
 * What the core decides with, taken from an effective config: its policy, operator registry, hash
 * and pin check. Build it once per config (every input of a batch shares it).
 */
export function coreConfigOf(effective: EffectiveConfig): CoreConfig {
  return { policy: effective.config.policy, operators: effective.config.operators, config_hash: effective.config_hash, policy_verified: effective.policy_verified };
}

/** SHA-256 of the canonical policy: the value to pin in pinned_policy_sha256. */
export function policySha256(config: ExoArmurConfig): string {
  return nodePrimitives.sha256Hex(canonicalJson(config.policy));
}

export function configSnapshot(effective: EffectiveConfig, capturedAt: string): ConfigSnapshotV1 {
  return { config_hash: effective.config_hash, config: effective.canonical, captured_at: capturedAt };
}

/** Rebuilds an EffectiveConfig from a published snapshot (replay): the hash must match. */
export function effectiveFromSnapshot(snapshot: ConfigSnapshotV1): EffectiveConfig {
  const effective = buildEffectiveConfig(validateConfig(JSON.parse(snapshot.config)));
  if (effective.config_hash !== snapshot.config_hash) {
    throw new UsageError('CONFIG_HASH_MISMATCH', `config snapshot ${snapshot.config_hash} does not hash to itself (got ${effective.config_hash}); the snapshot was altered`);
  }
  return effective;
}
