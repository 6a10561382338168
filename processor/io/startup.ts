/**
 * Start-up's broker steps (ensure topics, publish the config snapshot), each attempt bounded in
 * time and retried: a broker killed or restarted under a start-up request can leave kafkajs waiting
 * on an answer that never comes, and a processor that waits forever with nothing in its log is worse
 * than one that says what it is retrying. Usage and permanent failures (a topic with the wrong
 * partition count, bad credentials) are not retried.
 */
import type { Logger } from 'pino';
import { ExoArmurError } from '../errors.js';
import { logEvent } from '../log-events.js';
import { toShellError } from './kafka-errors.js';

export interface StartupRetry {
  /** What the step does, for the error and the log ("ensuring topics"). */
  what: string;
  logger: Logger;
  /** Attempts in all (default 8). */
  attempts?: number;
  /** One attempt's time limit (default 45 s: kafkajs's own request timeout is 30 s). */
  attemptMs?: number;
}

const DEFAULT_ATTEMPTS = 8;
const DEFAULT_ATTEMPT_MS = 45_000;
const BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000];

/** Runs `step` until it succeeds, a failure is not retriable, or the attempts run out (the last error is thrown). */
export async function retryStartupStep<T>(step: () => Promise<T>, options: StartupRetry): Promise<T> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const attemptMs = options.attemptMs ?? DEFAULT_ATTEMPT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await withDeadline(step(), attemptMs, options.what);
    } catch (caught) {
      const error = toShellError(caught, options.what, {});
      const retriable = error.recovery === 'retriable' || error.recovery === 'unclassified';
      if (!retriable || attempt >= attempts) throw error;
      const backoffMs = BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)]!;
      options.logger.warn(
        { ...logEvent('startup_retry'), step: options.what, attempt, of: attempts, backoff_ms: backoffMs, code: error.code, reason: error.message },
        `${options.what} failed; retrying`,
      );
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
    }
  }
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ExoArmurError('STARTUP_STEP_TIMEOUT', `${what} got no answer from the broker within ${Math.round(ms / 1000)} s`)), ms);
  });
  // A step abandoned at its deadline may still settle later; its outcome no longer matters.
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
