/** Replay: `exoarmur replay` re-drives the core over the exactly_once catch-up run and compares its outputs. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExoArmurError } from '../../../processor/errors.js';
import { CliChild, CLI_PATH } from '../../lib/children.js';
import { row, sizeName, type Context } from '../context.js';
import { ratePerSecond } from '../stats.js';
import type { CatchUpPair } from './catch-up.js';

export async function replay(ctx: Context, pair: CatchUpPair) {
  const prefix = `bench.${ctx.runId.toLowerCase()}.cu-${sizeName(pair.size)}.`;
  const out = join(ctx.dir, `replay-${sizeName(pair.size)}.json`);
  const args = ['replay', '--topic-prefix', prefix, '--brokers', ctx.brokers, '--out', out];
  const started = performance.now();
  const run = await new CliChild(args).exited;
  const wallMs = performance.now() - started;
  if (!existsSync(out)) throw new ExoArmurError('BENCH_REPLAY_FAILED', `exoarmur replay exited ${run.code}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const report = JSON.parse(readFileSync(out, 'utf8')) as { pass: boolean; inputs_replayed: number; events_per_second: number; compared: number; mismatched: number };
  const command = `node ${CLI_PATH} ${args.join(' ')}`;
  const wallRate = ratePerSecond(report.inputs_replayed, wallMs);
  row(ctx, {
    measurement: 'replay',
    figure: 'events/s (core re-drive + compare, as reported)',
    value: report.events_per_second,
    unit: 'events/s',
    n: report.inputs_replayed,
    command,
  });
  row(ctx, { measurement: 'replay', figure: 'events/s (wall clock incl. read-back)', value: wallRate, unit: 'events/s', n: report.inputs_replayed, command });
  return {
    pass: report.pass,
    inputs_replayed: report.inputs_replayed,
    compared: report.compared,
    mismatched: report.mismatched,
    events_per_s_reported: report.events_per_second,
    wall_ms: Math.round(wallMs),
    wall_events_per_s: wallRate,
  };
}
