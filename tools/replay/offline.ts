/**
 * Replay of an already-read run: drive the core, compare, and assemble the report. Separate from
 * the broker reading so the same path runs over records built in memory by a pure test.
 */
import { canonicalJson } from '../../processor/core/canonical.js';
import type { EffectiveConfig } from '../../processor/config/types.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { compareCheckpoints } from './checkpoints.js';
import { compareRun } from './compare.js';
import { driveReplay, type RecordedRun } from './drive.js';
import { MAX_LISTED_MISMATCHES, type ReplayReport } from './report.js';

export interface OfflineReplayOptions {
  runId: string;
  telemetryTopic: string;
  operatorTopic: string;
  /** The actuators' results topic (absent: the run has no result receipts). */
  resultsTopic?: string;
  configOverride?: (recorded: EffectiveConfig) => EffectiveConfig;
  /** Time already spent reading the run, counted into throughput. */
  readMs?: number;
}

export function replayRecorded(recorded: RecordedRun, options: OfflineReplayOptions): ReplayReport {
  const readMs = options.readMs ?? 0;
  const started = performance.now();
  const driven = driveReplay(recorded, {
    telemetryTopic: options.telemetryTopic,
    operatorTopic: options.operatorTopic,
    ...(options.resultsTopic === undefined ? {} : { resultsTopic: options.resultsTopic }),
    primitives: nodePrimitives,
    configOverride: options.configOverride,
  });
  const driveDone = performance.now();
  const compared = compareRun(recorded.outputs, driven.outputs);
  const signed = compareCheckpoints(recorded.checkpoints ?? new Map(), new Map([...driven.outputs].map(([p, o]) => [p, o.audit])), recorded.snapshots);
  const comparison = {
    ...compared,
    mismatched: compared.mismatched + signed.mismatches.length,
    // The listed mismatches stay capped; `mismatched` counts them all.
    mismatches: [...compared.mismatches, ...signed.mismatches].slice(0, MAX_LISTED_MISMATCHES),
    mismatches_truncated: compared.mismatches_truncated || compared.mismatches.length + signed.mismatches.length > MAX_LISTED_MISMATCHES,
    pass: compared.pass && signed.mismatches.length === 0,
    checkpoints_compared: signed.compared,
    checkpoints_equal: signed.mismatches.length === 0,
  };
  const done = performance.now();
  const totalMs = readMs + (done - started);
  const configHashes = [...new Set([...recorded.outputs.values()].flatMap((o) => o.audit.map((r) => r.config_hash)))].sort();
  return {
    run_id: options.runId,
    ...comparison,
    replay_order: driven.order,
    replay_order_length: driven.order.length,
    replay_order_sha256: nodePrimitives.sha256Hex(canonicalJson(driven.order)),
    config_hashes: configHashes,
    config_overridden: options.configOverride !== undefined,
    inputs_replayed: driven.order.length,
    events_per_second: totalMs > 0 ? Math.round((driven.order.length / totalMs) * 1000) : 0,
    timing_ms: { read: Math.round(readMs), drive: Math.round(driveDone - started), compare: Math.round(done - driveDone), total: Math.round(totalMs) },
  };
}
