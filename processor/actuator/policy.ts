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
