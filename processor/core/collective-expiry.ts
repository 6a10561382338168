/**
 * Deterministic expiry of collective beliefs in stream time (DESIGN §2 stage 4).
 *
 * A belief counts for an event observed within ttl of it, either side, so an event up to ttl late
 * can still use it. A belief expires once the partition's stream time is more than 2 × ttl past its
 * observed_at: from then on it is left out of every collective (gate.ts), so dropping it from state
 * changes no output. A collective whose beliefs have all expired is deleted (a state tombstone).
 *
 * Which collectives to look at is a doubly linked list of collective keys sorted by
 * (check_at, key), one node per collective, like the pending approvals list: a node is inserted
 * when its collective is created (walking back from the tail, usually O(1)), and when stream time
 * passes its check_at the collective is pruned, then deleted or re-scheduled at its real expiry.
 * check_at never exceeds the real expiry (greatest observed_at only grows), so deletion happens at
 * the first stream-time advance past it. Everything is a function of the recorded inputs, so replay
 * and restore reproduce it exactly.
 */
import type { StepContext } from './context.js';
import { stateKeys, stateRecord } from './state.js';
import { formatIsoMs, msOf } from './time.js';
import type { CollectiveExpiryNode, CollectiveMember } from './types.js';

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

function compareNodes(a: { check_at: string; collective_key: string }, b: { check_at: string; collective_key: string }): number {
  if (a.check_at !== b.check_at) return a.check_at < b.check_at ? -1 : 1;
  return a.collective_key < b.collective_key ? -1 : a.collective_key > b.collective_key ? 1 : 0;
}

function node(ctx: StepContext, collectiveKey: string | null): CollectiveExpiryNode | undefined {
  return collectiveKey === null ? undefined : (ctx.get(stateKeys.collectiveExpiry(collectiveKey))?.collective_expiry ?? undefined);
}

function putNode(ctx: StepContext, n: CollectiveExpiryNode): void {
  ctx.put(stateKeys.collectiveExpiry(n.collective_key), stateRecord('collective_expiry', n));
}

function insert(ctx: StepContext, collectiveKey: string, checkAt: string): void {
  const entry = { collective_key: collectiveKey, check_at: checkAt };
  let after = node(ctx, ctx.collectiveTail);
  while (after !== undefined && compareNodes(after, entry) > 0) after = node(ctx, after.prev);
  const nextKey = after === undefined ? ctx.collectiveHead : after.next;
  putNode(ctx, { collective_key: collectiveKey, check_at: checkAt, prev: after?.collective_key ?? null, next: nextKey });
  if (after === undefined) ctx.collectiveHead = collectiveKey;
  else putNode(ctx, { ...after, next: collectiveKey });
  const next = node(ctx, nextKey);
  if (next === undefined) ctx.collectiveTail = collectiveKey;
  else putNode(ctx, { ...next, prev: collectiveKey });
}

function remove(ctx: StepContext, collectiveKey: string): void {
  const n = node(ctx, collectiveKey);
  if (n === undefined) return;
  const prev = node(ctx, n.prev);
  const next = node(ctx, n.next);
  if (prev === undefined) ctx.collectiveHead = n.next;
  else putNode(ctx, { ...prev, next: n.next });
  if (next === undefined) ctx.collectiveTail = n.prev;
  else putNode(ctx, { ...next, prev: n.prev });
  ctx.put(stateKeys.collectiveExpiry(collectiveKey), null);
}

/**
 * Stores a collective's beliefs (already pruned of expired ones): an empty collective is deleted
 * with its node; a new one gets a node at its expiry; an existing node stays where it is (its
 * check_at is still a lower bound, and moving it on every event would rewrite neighbours).
 */
export function storeCollective(ctx: StepContext, collectiveKey: string, beliefs: CollectiveMember[], ttlS: number): void {
  if (beliefs.length === 0) {
    if (ctx.get(collectiveKey) !== undefined) ctx.put(collectiveKey, null);
    remove(ctx, collectiveKey);
    return;
  }
  ctx.put(collectiveKey, stateRecord('collective', { beliefs }));
  if (node(ctx, collectiveKey) === undefined) insert(ctx, collectiveKey, collectiveExpiresAt(beliefs, ttlS));
}

/** Prunes or deletes, in list order, every collective whose check_at the stream time has passed. */
export function expireCollectives(ctx: StepContext): void {
  const now = ctx.streamTime;
  if (now === null) return;
  const ttlS = ctx.config.config.policy.belief_ttl_s;
  const horizon = beliefHorizonMs(msOf(now), ttlS);
  for (;;) {
    const head = node(ctx, ctx.collectiveHead);
    if (head === undefined || !(head.check_at < now)) return;
    const key = head.collective_key;
    const stored = ctx.get(key)?.collective?.beliefs ?? [];
    const kept = stored.filter((b) => msOf(b.observed_at) >= horizon);
    remove(ctx, key);
    if (kept.length === 0) {
      if (ctx.get(key) !== undefined) ctx.put(key, null);
      continue;
    }
    if (kept.length !== stored.length) ctx.put(key, stateRecord('collective', { beliefs: kept }));
    insert(ctx, key, collectiveExpiresAt(kept, ttlS));
  }
}
