/** Catch-up: one processor from a standing start over N pre-loaded events, at_least_once then exactly_once. */
import { catchUpTimeoutMs, MB, row, sizeName, spec, topicsFor, type Context } from '../context.js';
import { catchUp, ensureRunTopics, processorCommand, type CatchUpResult, type ProcessorSpec } from '../processor-run.js';
import { preload } from '../produce.js';
import { ratePerSecond, ratio } from '../stats.js';
import type { MachineCpuUse } from '../machine-cpu.js';
import { availableParallelism } from 'node:os';

export function catchUpSummary(result: CatchUpResult) {
  const steadyMs = result.elapsedMs - result.firstProgressMs;
  return {
    events: result.events,
    instances: result.instances,
    elapsed_ms: result.elapsedMs,
    events_per_s: ratePerSecond(result.events, result.elapsedMs),
    steady_events_per_s: ratePerSecond(result.events - result.committedAtFirstProgress, steadyMs),
    startup_ms: result.firstProgressMs,
    output_records: result.outputs,
    output_records_per_s: ratePerSecond(result.outputs, result.elapsedMs),
    transactions_or_batches: result.batches,
    peak_rss_mb: Math.round(result.peakRssBytes / MB),
    processor_cpu_ms_per_1k_events: Math.round((result.cpuMs / result.events) * 1000),
    vm_hwm_mb: Math.round(result.hwmBytes / MB),
    machine_cpu: result.machine,
  };
}

/** How busy the whole machine was over a run (broker and bench included): a run at every core is bound by the machine. */
export function machineRow(ctx: Context, measurement: string, use: MachineCpuUse | null, n: number, command: string): void {
  row(ctx, {
    measurement,
    figure: `machine CPU busy over the run, all processes (of ${use?.cores ?? availableParallelism()} cores)`,
    value: use?.busy_cores ?? null,
    unit: 'cores',
    n,
    command: `${command}; /proc/stat before and after`,
  });
}

export interface CatchUpPair {
  size: number;
  eos: ProcessorSpec;
  results: Record<'at_least_once' | 'exactly_once', ReturnType<typeof catchUpSummary>>;
}

/** ALOS first, then EOS, on the same pre-loaded telemetry topic; the EOS run's state topic is reused for recovery, its output shape by the ceiling. */
export async function catchUpPair(ctx: Context, size: number, preloaded: boolean): Promise<CatchUpPair> {
  const name = `cu-${sizeName(size)}`;
  const eosTopics = topicsFor(ctx, name);
  await ensureRunTopics(ctx.kafka, eosTopics, ctx.options.partitions);
  if (!preloaded) {
    const loaded = await preload(ctx.kafka, eosTopics.telemetry, 0, size);
    ctx.options.log(`  preloaded ${size} events in ${Math.round(loaded.elapsedMs)} ms (${ratePerSecond(loaded.events, loaded.elapsedMs)}/s)`);
  }
  const alos = spec(ctx, `${name}-alos`, topicsFor(ctx, `${name}-alos`, { telemetry: eosTopics.telemetry }), ctx.options.partitions, 'at_least_once');
  const eos = spec(ctx, name, eosTopics, ctx.options.partitions, 'exactly_once');
  const results = {} as CatchUpPair['results'];
  for (const run of [alos, eos]) {
    const result = catchUpSummary(await catchUp(ctx.kafka, run, 1, catchUpTimeoutMs(size)));
    results[run.guarantee] = result;
    const measurement = `catch-up ${run.guarantee}`;
    row(ctx, { measurement, figure: 'telemetry events/s (start → all committed)', value: result.events_per_s, unit: 'events/s', n: size, command: processorCommand(run) });
    row(ctx, { measurement, figure: 'steady-state events/s (after first commit)', value: result.steady_events_per_s, unit: 'events/s', n: size, command: processorCommand(run) });
    row(ctx, { measurement, figure: 'output records/s', value: result.output_records_per_s, unit: 'records/s', n: result.output_records, command: processorCommand(run) });
    row(ctx, { measurement, figure: 'processor CPU per 1k events (user+sys)', value: result.processor_cpu_ms_per_1k_events, unit: 'ms', n: size, command: processorCommand(run) });
    machineRow(ctx, measurement, result.machine_cpu, size, processorCommand(run));
  }
  row(ctx, {
    measurement: 'catch-up',
    figure: 'exactly_once ÷ at_least_once',
    value: ratio(results.exactly_once.events_per_s, results.at_least_once.events_per_s),
    unit: '×',
    n: size,
    command: 'ratio of the two rows above',
  });
  return { size, eos, results };
}
