/**
 * The set-up the retention tests share (processor/core/retention.test.ts, retention-edges.test.ts):
 * one operator, windows of whole minutes (BUCKET_S) so that due times are exactly event time +
 * retention for whole-minute event times, and a clock event that moves stream time.
 */
import type { OutputRecord } from '../core/api.js';
import { at, configWith, makeOperator, Run, telemetry } from './harness.js';

export const alice = makeOperator('alice');
export const window = 120;
export const retention = 1200;
export const config = (policy: Record<string, unknown> = {}) => configWith({ policy: { dedupe_window_s: window, approval_retention_s: retention, ...policy } }, [alice]);

/** Moves the partition's stream time with an event nobody else looks at. */
export function tick(run: Run, seconds: number): OutputRecord[] {
  return run.telemetry(telemetry({ cell_id: 'clock', correlation_id: `tick-${seconds}`, severity: 'low', observed_at: at(seconds) }));
}

/** The keys a step deleted (state tombstones), in order. */
export function tombstones(records: readonly OutputRecord[]): string[] {
  return records.filter((r) => r.role === 'state' && r.value === null).map((r) => r.key!);
}
