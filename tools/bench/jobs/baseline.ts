/** The raw-broker baselines: kafkajs batched produce and Kafka's ProducerPerformance on the same payload. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { row, sizeName, topicsFor, type Context } from '../context.js';
import { ensureRunTopics } from '../processor-run.js';
import { produceMessages, LOAD_BATCH, LOAD_IN_FLIGHT } from '../produce.js';
import { runProducerPerformance, type ProducerPerfResult } from '../producer-perf.js';
import { ratePerSecond } from '../stats.js';
import { telemetryLines, telemetryMessage } from '../telemetry.js';

export async function baseline(ctx: Context, topic: string, events: number) {
  const lines = telemetryLines(0, events);
  const payloadFile = join(ctx.dir, `telemetry-${sizeName(events)}.jsonl`);
  writeFileSync(payloadFile, `${lines.join('\n')}\n`);
  const messages = lines.map(telemetryMessage);
  const kafkajsRun = await produceMessages(ctx.kafka, topic, messages);
  const kafkajsRate = ratePerSecond(kafkajsRun.events, kafkajsRun.elapsedMs);
  row(ctx, {
    measurement: 'baseline',
    figure: 'kafkajs produce (acks=-1, batched)',
    value: kafkajsRate,
    unit: 'records/s',
    n: events,
    command: `kafkajs producer.send, ${LOAD_BATCH}/request, ${LOAD_IN_FLIGHT} in flight, acks=-1 → ${topic}`,
  });
  const javaTopics = topicsFor(ctx, 'baseline-java');
  await ensureRunTopics(ctx.kafka, javaTopics, ctx.options.partitions);
  let java: ProducerPerfResult | { error: string };
  try {
    java = await runProducerPerformance({ brokers: ctx.brokers, topic: javaTopics.telemetry, records: events, payloadFile });
    row(ctx, { measurement: 'baseline', figure: 'Kafka ProducerPerformance (acks=all)', value: java.recordsPerSecond, unit: 'records/s', n: events, command: java.command });
  } catch (error) {
    java = { error: error instanceof Error ? error.message : String(error) };
    ctx.options.log(`  baseline · ProducerPerformance failed: ${java.error}`);
  }
  const avgBytes = Math.round(messages.reduce((sum, m) => sum + (m.value as Buffer).length, 0) / messages.length);
  return { events, avg_record_bytes: avgBytes, kafkajs: { elapsed_ms: Math.round(kafkajsRun.elapsedMs), records_per_s: kafkajsRate }, producer_performance: java };
}
