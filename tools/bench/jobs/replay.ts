/** Replay: `exoarmur replay` re-drives the core over the exactly_once catch-up run and compares its outputs. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExoArmurError } from '../../../processor/errors.js';
import { CliChild, CLI_PATH } from '../../lib/children.js';
import { row, sizeName, type Context } from '../context.js';
import { ratePerSecond } from '../stats.js';
import type { CatchUpPair } from './catch-up.js';

/** Replays the run with one thread (`--workers 1`, the before) and with the default worker threads, side by side. */
export async function replay(ctx: Context, pair: CatchUpPair) {
  const single = await replayOnce(ctx, pair, 1);
  const parallel = await replayOnce(ctx, pair, undefined);
  return { single_thread: single, parallel };
}

async function replayOnce(ctx: Context, pair: CatchUpPair, workers: number | undefined) {
  const prefix = `bench.${ctx.runId.toLowerCase()}.cu-${sizeName(pair.size)}.`;
  const name = workers === undefined ? 'parallel' : `workers-${workers}`;
  const out = join(ctx.dir, `replay-${sizeName(pair.size)}-${name}.json`);
  const args = ['replay', '--topic-prefix', prefix, '--brokers', ctx.brokers, '--out', out, ...(workers === undefined ? [] : ['--workers', String(workers)])];
  const started = performance.now();
  const run = await new CliChild(args).exited;
  const wallMs = performance.now() - started;
  if (!existsSync(out)) throw new ExoArmurError('BENCH_REPLAY_FAILED', `exoarmur replay exited ${run.code}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const report = JSON.parse(readFileSync(out, 'utf8')) as {
    pass: boolean;
    inputs_replayed: number;
    events_per_second: number;
    compared: number;
    mismatched: number;
    timing_ms: { cpu?: number };
  };
  const command = `node ${CLI_PATH} ${args.join(' ')}`;
  const wallRate = ratePerSecond(report.inputs_replayed, wallMs);
  row(ctx, {
    measurement: `replay (${workers === undefined ? 'worker thread per partition' : 'one thread'})`,
    figure: 'events/s (as reported: read-back + re-drive + compare)',
    value: report.events_per_second,
    unit: 'events/s',
    n: report.inputs_replayed,
    command,
  });
  const cpuPer1k = report.timing_ms.cpu === undefined || report.inputs_replayed === 0 ? null : Math.round((report.timing_ms.cpu / report.inputs_replayed) * 1000);
  row(ctx, {
    measurement: `replay (${workers === undefined ? 'worker thread per partition' : 'one thread'})`,
    figure: 'CPU per 1k events (user+sys, all threads)',
    value: cpuPer1k,
    unit: 'ms',
    n: report.inputs_replayed,
    command,
  });
  row(ctx, {
    measurement: `replay (${workers === undefined ? 'worker thread per partition' : 'one thread'})`,
    figure: 'events/s (wall clock of the command)',
    value: wallRate,
    unit: 'events/s',
    n: report.inputs_replayed,
    command,
  });
  return {
    pass: report.pass,
    inputs_replayed: report.inputs_replayed,
    compared: report.compared,
    mismatched: report.mismatched,
    events_per_s_reported: report.events_per_second,
    wall_ms: Math.round(wallMs),
    cpu_ms_per_1k_events: cpuPer1k,
    wall_events_per_s: wallRate,
  };
}
