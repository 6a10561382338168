/**
 * Waiting on something outside this process (a broker, a child, a committed record) by asking
 * again, never by sleeping a guessed time: the harness and the tests share this one loop.
 */
import { ExoArmurError } from '../../processor/errors.js';

export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the timeout error. */
  what?: string;
  /** Asked before every probe: an error it returns ends the wait at once (a child that exited will never get there). */
  giveUp?: () => Error | undefined;
}

/**
 * Calls `probe` until it returns something other than undefined/false, and returns that.
 * Throws after timeoutMs with the last probe error, if any.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, options: PollOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const reason = options.giveUp?.();
    if (reason !== undefined) throw reason;
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new ExoArmurError('WAIT_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${options.what ?? 'condition'}`, lastError === undefined ? {} : { cause: lastError });
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, intervalMs));
  }
}

/**
 * Waits until every one of `work` has settled (resolved or rejected), but at most `ms`: what is still
 * pending then is abandoned, its outcome ignored. For clean-up that must go on when the thing waited
 * for may never answer (kafkajs retries an idempotent send to a cluster without quorum forever).
 */
export async function settleWithin(work: ReadonlyArray<Promise<unknown> | undefined>, ms: number): Promise<'settled' | 'abandoned'> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'abandoned'>((resolvePromise) => {
    timer = setTimeout(() => resolvePromise('abandoned'), ms);
  });
  const settled = Promise.allSettled(work).then(() => 'settled' as const);
  return Promise.race([settled, deadline]).finally(() => clearTimeout(timer));
}
