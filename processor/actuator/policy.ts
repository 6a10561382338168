/**
 * The actuator's decisions, pure: what to do with an intent given its durable state, how a driver's
 * answer classifies, and how long to wait before the next attempt. Table-tested without a broker.
 */
import type { ActuatorStateV1, ExecutionOutcome } from '../core/types.js';

export type NextStep = { kind: 'skip'; outcome: ExecutionOutcome } | { kind: 'give_up'; attempts: number } | { kind: 'attempt'; attempt: number };

/**
 * A final state means the intent was performed (or given up) by this group: skip it, whatever
 * redelivered it. Otherwise the next attempt is one past those already begun (an in_flight entry
 * counts the attempt a crash interrupted), unless that exceeds the budget.
 */
export function nextStep(state: ActuatorStateV1 | undefined, maxAttempts: number): NextStep {
  if (state !== undefined && state.status !== 'in_flight') return { kind: 'skip', outcome: state.status };
  const begun = state?.attempts ?? 0;
  if (begun >= maxAttempts) return { kind: 'give_up', attempts: begun };
  return { kind: 'attempt', attempt: begun + 1 };
}

/** What one attempt's answer means for the intent. */
export type AttemptVerdict = 'succeeded' | 'failed' | 'retry';

/**
 * HTTP: 2xx succeeded; 408, 425, 429 and 5xx are transient (retry with the same Idempotency-Key);
 * any other status is a refusal that retrying cannot change (failed).
 */
export function httpVerdict(status: number): AttemptVerdict {
  if (status >= 200 && status < 300) return 'succeeded';
  if (status === 408 || status === 425 || status === 429 || status >= 500) return 'retry';
  return 'failed';
}

/** The exec driver's exit status that asks for a retry (sysexits.h EX_TEMPFAIL). */
export const EXIT_TEMPFAIL = 75;

/** exec: exit 0 succeeded; EX_TEMPFAIL (75) or death by signal (timeout) transient; any other code failed. */
export function exitVerdict(code: number | null): AttemptVerdict {
  if (code === 0) return 'succeeded';
  if (code === null || code === EXIT_TEMPFAIL) return 'retry';
  return 'failed';
}

/** Exponential backoff from `baseMs`, doubling per attempt, capped at `capMs`. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** One fetched execute record as chunking sees it: null when it performs nothing (unreadable, already final, out of attempts). */
export type ChunkCandidate = { intentId: string; subject: string; interrupted: boolean } | null;

/**
 * How many of the next records (in log order) form one chunk: their `in_flight` entries commit in
 * one transaction and their requests start together, so an entry means its request was sent, and
 * their results commit in one more. A chunk holds at most `limit` records and ends before
 *  - a second record of a subject or an intent already in it: one subject's intents keep log order;
 *  - an interrupted intent (its last attempt was begun by an owner that died before its result),
 *    which is performed alone: whatever killed that owner may be this intent, and alone it charges
 *    an attempt to nothing else. Records that perform nothing never end a chunk.
 */
export function chunkLength(candidates: readonly ChunkCandidate[], limit: number): number {
  const seen = new Set<string>();
  let performs = 0;
  let length = 0;
  for (const c of candidates.slice(0, Math.max(1, limit))) {
    if (c !== null) {
      if (c.interrupted && performs > 0) break;
      if (seen.has(`s:${c.subject}`) || seen.has(`i:${c.intentId}`)) break;
      seen.add(`s:${c.subject}`).add(`i:${c.intentId}`);
      performs += 1;
    }
    length += 1;
    if (c?.interrupted === true) break;
  }
  return length;
}

/**
 * Slow start: a partition's first chunk after it starts (or is rebuilt) holds one record and each
 * committed chunk doubles the next, up to `max`. A crash soon after a start, perhaps the same
 * crash again, then charges an attempt to few intents, not to a whole fetch.
 */
export function nextChunkLimit(current: number, max: number): number {
  return Math.max(1, Math.min(max, current * 2));
}
