/** Scaling: the same exactly_once catch-up on 6 partitions with 1 and then 2 instances in one group. */
import { catchUpTimeoutMs, row, spec, topicsFor, type Context } from '../context.js';
import { catchUp, ensureRunTopics, processorCommand } from '../processor-run.js';
import { preload } from '../produce.js';
import { ratio } from '../stats.js';
import { catchUpSummary, machineRow } from './catch-up.js';

export async function scaling(ctx: Context, events: number) {
  const partitions = 6;
  const source = topicsFor(ctx, 'scale');
  await ensureRunTopics(ctx.kafka, source, partitions);
  await preload(ctx.kafka, source.telemetry, 0, events);
  const results: Record<string, ReturnType<typeof catchUpSummary>> = {};
  for (const instances of [1, 2]) {
    const name = `scale-${instances}x`;
    const run = spec(ctx, name, topicsFor(ctx, name, { telemetry: source.telemetry }), partitions, 'exactly_once');
    const result = catchUpSummary(await catchUp(ctx.kafka, run, instances, catchUpTimeoutMs(events)));
    results[`${instances}`] = result;
    const measurement = `scaling ${instances} instance${instances > 1 ? 's' : ''}, 6 partitions`;
    const command = `${instances} × ${processorCommand(run)}`;
    row(ctx, { measurement, figure: 'exactly_once catch-up events/s', value: result.events_per_s, unit: 'events/s', n: events, command });
    row(ctx, { measurement, figure: 'processor CPU per 1k events, all instances (user+sys)', value: result.processor_cpu_ms_per_1k_events, unit: 'ms', n: events, command });
    machineRow(ctx, measurement, result.machine_cpu, events, command);
  }
  row(ctx, {
    measurement: 'scaling',
    figure: '2 instances ÷ 1 instance',
    value: ratio(results['2']?.events_per_s, results['1']?.events_per_s),
    unit: '×',
    n: events,
    command: 'ratio of the two rows above',
  });
  return { partitions, events, instances: results };
}
