/** Latency: one warmed-up exactly_once processor under paced load, inject -> audit record visible. */
import { ExoArmurError } from '../../../processor/errors.js';
import { MAX_INPUTS_PER_TRANSACTION, MB, row, spec, topicsFor, type Context } from '../context.js';
import { measureLatency, type LatencyResult } from '../latency.js';
import { ensureRunTopics, groupProgress, processorCommand, startBenchProcessor } from '../processor-run.js';
import { preload } from '../produce.js';
import { telemetryLines } from '../telemetry.js';
import { machineRow } from './catch-up.js';

export const LATENCY_RATES = [500, 2_000] as const;

/**
 * Seconds each rate is paced before its sample starts. The steady-state figure is what the target
 * asks: the first seconds of a fresh process pay for JIT compilation and the first transactions to
 * each partition (bench.json's per-second series shows the difference, warm-up included).
 */
export const LATENCY_WARM_UP_SECONDS = 5;

export async function latency(ctx: Context) {
  const topics = topicsFor(ctx, 'latency');
  await ensureRunTopics(ctx.kafka, topics, ctx.options.partitions);
  const eos = spec(ctx, 'latency', topics, ctx.options.partitions, 'exactly_once');
  const seconds = ctx.options.quick ? 10 : 20;
  const { child, meter } = startBenchProcessor(eos);
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    // Warm-up: every partition's task is built (fence, restore, seek) before anything is timed.
    const warmUp = 30 * ctx.options.partitions;
    await preload(ctx.kafka, topics.telemetry, 0, warmUp);
    const deadline = Date.now() + 120_000;
    while ((await groupProgress(admin, eos.appId, [topics.telemetry, topics.operator_actions])).committed < warmUp) {
      child.assertRunning();
      if (Date.now() > deadline) throw new ExoArmurError('BENCH_TIMEOUT', 'latency warm-up: the processor did not commit the warm-up events in 120 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const results: Record<string, LatencyResult> = {};
    let from = warmUp;
    for (const rate of LATENCY_RATES) {
      const warmUpEvents = rate * LATENCY_WARM_UP_SECONDS;
      const count = warmUpEvents + rate * seconds;
      const lines = telemetryLines(from, count);
      from += count;
      const result = await measureLatency(ctx.kafka, { telemetryTopic: topics.telemetry, auditTopic: topics.audit, lines, ratePerSecond: rate, timeoutMs: 120_000, warmUpEvents });
      results[String(rate)] = result;
      const command = `${processorCommand(eos)}; paced kafkajs producer ${rate}/s for ${LATENCY_WARM_UP_SECONDS} s (warm-up, not sampled) then ${seconds} s (sampled) (acks=-1, 10 ms ticks); read_committed consumer of ${topics.audit}`;
      machineRow(ctx, `latency @${rate}/s`, result.machine, result.events, command);
      for (const [which, summary] of [
        ['receipt', result.receipt],
        ['final record', result.final],
      ] as const) {
        for (const p of ['p50_ms', 'p95_ms', 'p99_ms'] as const) {
          row(ctx, { measurement: `latency @${rate}/s`, figure: `inject → ${which} visible ${p.replace('_ms', '')}`, value: summary[p], unit: 'ms', n: summary.n, command });
        }
      }
    }
    child.sampleNow();
    return {
      seconds_per_rate: seconds,
      warm_up_seconds_per_rate: LATENCY_WARM_UP_SECONDS,
      settings: {
        max_inputs_per_transaction: MAX_INPUTS_PER_TRANSACTION,
        consumer_max_wait_ms: 200,
        partitions_consumed_concurrently: ctx.options.partitions,
        audit_consumer_max_wait_ms: 20,
      },
      peak_rss_mb: Math.round(meter.memory.hwmBytes / MB),
      rates: results,
    };
  } finally {
    await admin.disconnect();
    await child.stop().catch(() => undefined);
  }
}
