/**
 * Validation of the guard settings of the policy (docs/guards.md). Each is optional: only the keys
 * a config gives are returned, so a config without guards has the canonical form, and the hash, it
 * had before guards existed.
 */
import type { CircuitBreakerPolicy, Policy } from '../core/config-types.js';
import type { ActionClass } from '../core/types.js';
import { bad, obj, onlyKeys, positiveInt, type Obj } from './checks.js';

export const GUARD_POLICY_KEYS = ['protected_subjects', 'no_double_containment', 'containment_ttl_s', 'revert_intent_types', 'circuit_breaker'] as const;

const ACTION_CLASSES: readonly ActionClass[] = ['A0_observe', 'A1_soft_containment', 'A2_hard_containment', 'A3_irreversible'];
/** A3 is irreversible by definition, so it has no containment ttl. */
const REVERSIBLE = ['A1_soft_containment', 'A2_hard_containment'] as const;

type Guards = Pick<Policy, (typeof GUARD_POLICY_KEYS)[number]>;

export function validateGuards(policy: Obj): Guards {
  const guards: Guards = {};
  if (policy['protected_subjects'] !== undefined) guards.protected_subjects = protectedSubjects(policy['protected_subjects']);
  if (policy['no_double_containment'] !== undefined) {
    if (typeof policy['no_double_containment'] !== 'boolean')
      bad('policy.no_double_containment', `must be true or false, got ${JSON.stringify(policy['no_double_containment'])}`, 'give true to turn SG-160 on');
    guards.no_double_containment = policy['no_double_containment'];
  }
  if (policy['containment_ttl_s'] !== undefined) guards.containment_ttl_s = containmentTtl(policy['containment_ttl_s']);
  if (policy['revert_intent_types'] !== undefined) guards.revert_intent_types = revertTypes(policy['revert_intent_types']);
  if (policy['circuit_breaker'] !== undefined) guards.circuit_breaker = circuitBreaker(policy['circuit_breaker']);
  return guards;
}

function containmentTtl(v: unknown): NonNullable<Policy['containment_ttl_s']> {
  const key = 'policy.containment_ttl_s';
  const given = obj(v, key);
  onlyKeys(given, REVERSIBLE, key);
  const ttl: NonNullable<Policy['containment_ttl_s']> = {};
  for (const c of REVERSIBLE) if (given[c] !== undefined) ttl[c] = positiveInt(given[c], `${key}.${c}`);
  return ttl;
}

function revertTypes(v: unknown): NonNullable<Policy['revert_intent_types']> {
  const key = 'policy.revert_intent_types';
  const given = obj(v, key);
  onlyKeys(given, REVERSIBLE, key);
  const types: NonNullable<Policy['revert_intent_types']> = {};
  for (const c of REVERSIBLE) {
    const t = given[c];
    if (t === undefined) continue;
    if (typeof t !== 'string' || t.length === 0) bad(`${key}.${c}`, `must be a non-empty intent type, got ${JSON.stringify(t)}`, 'give e.g. "release_host"');
    types[c] = t;
  }
  return types;
}

function circuitBreaker(v: unknown): CircuitBreakerPolicy {
  const key = 'policy.circuit_breaker';
  const given = obj(v, key);
  onlyKeys(given, ['classes', 'max_releases', 'window_s'], key);
  const classes = given['classes'];
  if (!Array.isArray(classes) || classes.length === 0)
    bad(`${key}.classes`, `must be a non-empty list of action classes, got ${JSON.stringify(classes)}`, 'give e.g. ["A2_hard_containment"]');
  for (const c of classes) {
    if (!ACTION_CLASSES.includes(c as ActionClass) || c === 'A0_observe')
      bad(`${key}.classes`, `${JSON.stringify(c)} is not a containment class`, `use ${ACTION_CLASSES.slice(1).join(', ')}`);
  }
  return {
    classes: [...new Set(classes as ActionClass[])].sort(),
    max_releases: positiveInt(given['max_releases'], `${key}.max_releases`),
    window_s: positiveInt(given['window_s'], `${key}.window_s`),
  };
}

function protectedSubjects(v: unknown): string[] {
  const key = 'policy.protected_subjects';
  if (!Array.isArray(v)) bad(key, `must be a list of subjects, got ${JSON.stringify(v)}`, 'give e.g. ["dc-01", "prod-db-*"]');
  return v.map((entry, i) => {
    const at = `${key}[${i}]`;
    if (typeof entry !== 'string' || entry.length === 0) bad(at, `must be a non-empty string, got ${JSON.stringify(entry)}`, 'give a subject value or a prefix ending in *');
    if (entry.indexOf('*') !== -1 && entry.indexOf('*') !== entry.length - 1)
      bad(at, `has a * that is not at its end: ${JSON.stringify(entry)}`, 'only a trailing * is a pattern (a prefix match)');
    return entry;
  });
}
