/**
 * What a long command says while it waits: a phase line when a phase starts, then, while one wait
 * lasts longer than a few seconds, a line every few seconds with how long it has waited and, when
 * the wait can count, how far it has got ("82/322 inputs committed"). Lines go to the command's
 * own `log` (stderr for people); the processor's service log is separate and unaffected.
 */

export type ProgressLog = (line: string) => void;

/** Seconds between progress lines of one wait; the first comes after the same interval. */
export const PROGRESS_INTERVAL_MS = 5_000;

export interface WaitProgress {
  /** What is being waited for, e.g. "the processor to commit every input". */
  what: string;
  /** The counter, e.g. "82/322 inputs committed"; called only when a line is due. */
  status?: () => string | undefined;
  intervalMs?: number;
}

/** Runs `work`, printing a progress line every interval while it lasts; nothing for a short wait. */
export async function withProgress<T>(log: ProgressLog, progress: WaitProgress, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const interval = progress.intervalMs ?? PROGRESS_INTERVAL_MS;
  const timer = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    const status = progress.status?.();
    log(`  waiting for ${progress.what}: ${status === undefined ? '' : `${status}, `}${seconds} s`);
  }, interval);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** "phase 2/5: playing the scenario (41 steps)". */
export function phaseLine(index: number, total: number, text: string): string {
  return `phase ${index}/${total}: ${text}`;
}
