/**
 * Deterministic expiry of collective beliefs in stream time (DESIGN §2 stage 4).
 *
 * A belief counts for an event observed within ttl of it, either side, so an event up to ttl late
 * can still use it. A belief expires once the partition's stream time is more than 2 × ttl past its
 * observed_at: from then on it is left out of every collective (gate.ts), so dropping it from state
 * changes no output. A collective whose beliefs have all expired is deleted (a state tombstone).
 *
 * Which collectives to look at is a list of collective keys sorted by (check_at, key), one node
 * per collective (sorted-list.ts, the same kind of list as the pending approvals): a node is
 * inserted when its collective is created (walking back from the tail, usually O(1)), and when stream time
 * passes its check_at the collective is pruned, then deleted or re-scheduled at its real expiry.
 * check_at never exceeds the real expiry (greatest observed_at only grows), so deletion happens at
 * the first stream-time advance past it. Everything is a function of the recorded inputs, so replay
 * and restore reproduce it exactly.
 */
import type { StepContext } from './context.js';
import { stateRecord } from './state.js';
import { formatIsoMs, msOf } from './time.js';
import type { CollectiveMember } from './types.js';

/** Beliefs observed before this time (ms) have expired at stream time `streamMs`. */
export function beliefHorizonMs(streamMs: number, ttlS: number): number {
  return streamMs - 2 * ttlS * 1000;
}

/** When a collective holding these (unexpired, non-empty) beliefs expires as a whole. */
export function collectiveExpiresAt(beliefs: readonly CollectiveMember[], ttlS: number): string {
  let latest = -Infinity;
  for (const b of beliefs) latest = Math.max(latest, msOf(b.observed_at));
  return formatIsoMs(latest + 2 * ttlS * 1000);
}

/**
 * Stores a collective's beliefs (already pruned of expired ones): an empty collective is deleted
 * with its node; a new one gets a node at its expiry; an existing node stays where it is (its
 * check_at is still a lower bound, and moving it on every event would rewrite neighbours).
 */
export function storeCollective(ctx: StepContext, collectiveKey: string, beliefs: CollectiveMember[], ttlS: number): void {
  const { state, collectiveExpiry } = ctx;
  if (beliefs.length === 0) {
    if (state.get(collectiveKey) !== undefined) state.put(collectiveKey, null);
    collectiveExpiry.remove(collectiveKey);
    return;
  }
  state.put(collectiveKey, stateRecord('collective', { beliefs }));
  if (collectiveExpiry.get(collectiveKey) === undefined) collectiveExpiry.insert(collectiveKey, collectiveExpiresAt(beliefs, ttlS));
}

/** Prunes or deletes, in list order, every collective whose check_at the stream time has passed. */
export function expireCollectives(ctx: StepContext): void {
  const now = ctx.streamTime;
  if (now === null) return;
  const ttlS = ctx.config.policy.belief_ttl_s;
  const horizon = beliefHorizonMs(msOf(now), ttlS);
  const { state, collectiveExpiry } = ctx;
  for (;;) {
    const head = collectiveExpiry.first();
    if (head === undefined || !(head.check_at < now)) return;
    const key = head.collective_key;
    const stored = state.get(key)?.collective?.beliefs ?? [];
    const kept = stored.filter((b) => msOf(b.observed_at) >= horizon);
    collectiveExpiry.remove(key);
    if (kept.length === 0) {
      if (state.get(key) !== undefined) state.put(key, null);
      continue;
    }
    if (kept.length !== stored.length) state.put(key, stateRecord('collective', { beliefs: kept }));
    collectiveExpiry.insert(key, collectiveExpiresAt(kept, ttlS));
  }
}
