/**
 * Validation of the guard settings of the policy (docs/guards.md). Each is optional: only the keys
 * a config gives are returned, so a config without guards has the canonical form, and the hash, it
 * had before guards existed.
 */
import type { Policy } from '../core/config-types.js';
import { bad, type Obj } from './checks.js';

export const GUARD_POLICY_KEYS = ['protected_subjects'] as const;

type Guards = Pick<Policy, (typeof GUARD_POLICY_KEYS)[number]>;

export function validateGuards(policy: Obj): Guards {
  const guards: Guards = {};
  if (policy['protected_subjects'] !== undefined) guards.protected_subjects = protectedSubjects(policy['protected_subjects']);
  return guards;
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
