/**
 * Validation of the event-time settings of the policy (docs/state-store.md): retention and the
 * bound on future event times. Each is optional, with its default in processor/core (retention.ts,
 * event-time.ts): only the keys a config gives are returned, so a config without them has the
 * canonical form, and the hash, it had before these settings existed.
 */
import type { Policy } from '../core/config-types.js';
import { positiveInt, type Obj } from './checks.js';

export const RETENTION_POLICY_KEYS = ['dedupe_window_s', 'approval_retention_s', 'max_future_skew_s'] as const;

type Retention = Pick<Policy, (typeof RETENTION_POLICY_KEYS)[number]>;

export function validateRetention(policy: Obj): Retention {
  const retention: Retention = {};
  for (const key of RETENTION_POLICY_KEYS) if (policy[key] !== undefined) retention[key] = positiveInt(policy[key], `policy.${key}`);
  return retention;
}
