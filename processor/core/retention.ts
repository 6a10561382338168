/**
 * Retention of idempotency keys and decided approvals in stream time (docs/state-store.md).
 *
 * A key is kept while the partition's stream time is at or before its due time, rounded up to a
 * whole minute (BUCKET_S), and deleted by a state tombstone in the step whose stream-time advance
 * passes it:
 * - an idempotency mark: the input's event time + `policy.dedupe_window_s`;
 * - a decided approval and its release guard: the decision's event time + `policy.approval_retention_s`;
 * - a reverted containment's record (contained/<intent_id>): its end + `policy.approval_retention_s`.
 * A key already past its due time when it would be written is not kept at all.
 *
 * The keys due in one minute are held by retention buckets, nodes of a sorted list in state (the
 * same kind as the pending-approval and collective-expiry lists), up to BUCKET_KEYS keys each: one
 * bucket record per minute of due time (rewritten once per transaction, as the shell coalesces
 * state records), not one list node per key. There are two lists, one per retention, so that the
 * due times of each arrive in event-time order: an insert walks back from the tail over buckets
 * only, and an input late by d minutes walks at most d buckets. Everything is a function of the recorded
 * inputs, so replay and restore reproduce it exactly.
 */
import type { StepContext } from './context.js';
import { stateKeys, type StateValue } from './state.js';
import { formatIsoMs, msOf } from './time.js';
import type { ApprovalState } from './types.js';

/** `policy.dedupe_window_s` when the config does not give it: 7 days. */
export const DEFAULT_DEDUPE_WINDOW_S = 604_800;
/** `policy.approval_retention_s` when the config does not give it: 30 days. */
export const DEFAULT_APPROVAL_RETENTION_S = 2_592_000;
/** Keys per bucket record: 256 keys of ~60 bytes keep a bucket near 16 KB. */
export const BUCKET_KEYS = 256;

const PAGE_DIGITS = 6;

/**
 * Due times are whole minutes: one bucket holds a minute's keys, so a stream with one event a
 * second (the bench data) writes one bucket record per 60 inputs rather than one per input.
 */
export const BUCKET_S = 60;

/** The due time of a key: its event time plus the retention, rounded up to a whole BUCKET_S. */
export function dueAt(eventTime: string, retentionS: number): string {
  const step = BUCKET_S * 1000;
  return formatIsoMs(Math.ceil((msOf(eventTime) + retentionS * 1000) / step) * step);
}

type RetentionList = 'idem' | 'decided';

function bucketId(list: RetentionList, due: string, page: number): string {
  return `${list}/${due}/${String(page).padStart(PAGE_DIGITS, '0')}`;
}

/**
 * Schedules the deletion of `key` once stream time passes `eventTime + retentionS`. When stream
 * time has already passed it, the key is not kept: deleted now if this step wrote it, and false
 * returned for a caller that has not written it yet.
 */
function retain(ctx: StepContext, list: RetentionList, key: string, eventTime: string, retentionS: number): boolean {
  return retainUntil(ctx, list, key, dueAt(eventTime, retentionS));
}

/** `retain` with the due time given (a whole minute). */
function retainUntil(ctx: StepContext, list: RetentionList, key: string, due: string): boolean {
  const now = ctx.streamTime;
  if (now !== null && due < now) {
    if (ctx.state.get(key) !== undefined) ctx.state.put(key, null);
    return false;
  }
  const buckets = ctx.retention[list];
  // The last bucket of this minute, if any: the walk stops at the first bucket due at or before it.
  const last = buckets.lastAtOrBefore(due, bucketId(list, due, 10 ** PAGE_DIGITS - 1));
  const sameMinute = last !== undefined && last.due_at === due;
  if (sameMinute && last.keys.length < BUCKET_KEYS) {
    buckets.replace({ ...last, keys: [...last.keys, key] });
    return true;
  }
  const page = sameMinute ? Number(last.bucket_id.slice(last.bucket_id.lastIndexOf('/') + 1)) + 1 : 0;
  buckets.insert(bucketId(list, due, page), due, { keys: [key] });
  return true;
}

/** Every idempotency mark is under this prefix (stateKeys.telemetryIdem, operatorIdem, resultIdem). */
const MARK_PREFIX = 'idem/';

/**
 * Marks written before retention existed sit in no bucket. Each mark is written with its bucket
 * and deleted with it, so while the idem list is empty no mark of this build is alive: every mark
 * found then is an older one. Their event times were never recorded, so they are kept a whole
 * window past the stream time of this step (this input's event time before any telemetry) and go
 * like any other. Called before an input's own mark; a partition born with retention finds none.
 * A partition never stepped (no meta record) is not looked at: a processor writes its meta with
 * its first mark, so marks there were written by something else (the bench's direct state fill).
 */
export function adoptUnbucketedMarks(ctx: StepContext, eventTime: string): void {
  const buckets = ctx.retention.idem;
  if (!ctx.resumed || !buckets.isEmpty()) return;
  const marks = ctx.state.keysUnder(MARK_PREFIX);
  if (marks.length === 0) return;
  const due = dueAt(ctx.streamTime ?? eventTime, ctx.config.policy.dedupe_window_s ?? DEFAULT_DEDUPE_WINDOW_S);
  for (let page = 0; page * BUCKET_KEYS < marks.length; page++) {
    buckets.insert(bucketId('idem', due, page), due, { keys: marks.slice(page * BUCKET_KEYS, (page + 1) * BUCKET_KEYS) });
  }
}

/** Schedules an idempotency mark about to be written; false: already past its window, not to be kept. */
export function retainMark(ctx: StepContext, key: string, eventTime: string): boolean {
  return retain(ctx, 'idem', key, eventTime, ctx.config.policy.dedupe_window_s ?? DEFAULT_DEDUPE_WINDOW_S);
}

function approvalRetentionS(ctx: StepContext): number {
  return ctx.config.policy.approval_retention_s ?? DEFAULT_APPROVAL_RETENTION_S;
}

/** Schedules a just-decided approval for deletion. */
export function retainDecided(ctx: StepContext, approval: ApprovalState): void {
  retain(ctx, 'decided', stateKeys.approval(approval.approval_id), approval.decided_at ?? approval.expires_at, approvalRetentionS(ctx));
}

/** Schedules the release guard an approval release wrote, with the approval it belongs to. */
export function retainReleaseGuard(ctx: StepContext, guardKey: string, releasedAt: string): void {
  retain(ctx, 'decided', guardKey, releasedAt, approvalRetentionS(ctx));
}

/** Schedules the record of a reverted containment (contained/<intent_id>) like a decided approval, from its end. */
export function retainReverted(ctx: StepContext, key: string, endsAt: string): void {
  retain(ctx, 'decided', key, endsAt, approvalRetentionS(ctx));
}

/**
 * The due time of a stored approval or release guard as it is now, or null for one that is not
 * due at all (a pending approval); idempotency marks carry no time and are due with their bucket.
 */
function storedDue(ctx: StepContext, value: StateValue): string | null | undefined {
  if (value.approval !== null) {
    const a = value.approval;
    return a.status === 'pending' ? null : dueAt(a.decided_at ?? a.expires_at, approvalRetentionS(ctx));
  }
  if (value.released !== null) return dueAt(value.released.event_time, approvalRetentionS(ctx));
  if (value.contained !== null) {
    const c = value.contained;
    return c.status === 'kept' || c.ends_at === null ? null : dueAt(c.ends_at, approvalRetentionS(ctx));
  }
  return undefined;
}

/**
 * Deletes, in bucket order, every key of every bucket the stream time has passed. An approval or
 * release guard is deleted only if it is not due later than this bucket: one due later (its
 * retention was lengthened between runs) moves to the bucket of its due time, or it would never
 * be deleted; one not due at all (an approval id that came back, pending, when its telemetry was
 * delivered again after the dedupe window) is scheduled again by its next decision.
 */
export function expireRetained(ctx: StepContext): void {
  expireList(ctx, 'idem');
  expireList(ctx, 'decided');
}

function expireList(ctx: StepContext, list: RetentionList): void {
  const now = ctx.streamTime;
  if (now === null) return;
  const { state } = ctx;
  const buckets = ctx.retention[list];
  for (;;) {
    const head = buckets.firstDue(now);
    if (head === undefined) return;
    for (const key of head.keys) {
      const value = state.get(key);
      if (value === undefined) continue;
      const due = storedDue(ctx, value);
      if (due === null) continue;
      if (due !== undefined && due > head.due_at) retainUntil(ctx, list, key, due);
      else state.put(key, null);
    }
    buckets.remove(head.bucket_id);
  }
}
