/** The bench's own statistics: nearest-rank percentiles and rates, kept pure so they can be tested. */

/** Nearest-rank percentile (p in (0, 100]) of `values`; undefined for an empty sample. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)];
}

export interface LatencySummary {
  n: number;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  const round = (v: number | undefined): number | null => (v === undefined ? null : Math.round(v * 10) / 10);
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p95_ms: round(percentile(sorted, 95)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted.at(-1)),
  };
}

/** Events per second, rounded; null when no time elapsed. */
export function ratePerSecond(count: number, elapsedMs: number): number | null {
  return elapsedMs > 0 ? Math.round((count * 1000) / elapsedMs) : null;
}

/** a / b as a ratio with 3 decimals; null when either side is missing or b is zero. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return Math.round((a / b) * 1000) / 1000;
}
