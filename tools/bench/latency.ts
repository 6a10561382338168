/**
 * End-to-end latency: a paced producer offers telemetry at a fixed rate while a read_committed
 * consumer of the audit topic notes when each event's receipt, and its final record, become
 * visible. Events are matched by idempotency key (`tenant_id:event_id`).
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from '../../processor/io/client.js';
import { decodeRecord } from '../../processor/codec/index.js';
import type { AuditRecordV1 } from '../../processor/core/index.js';
import { ExoArmurError } from '../../processor/errors.js';
import { topicWatermarks } from '../../processor/io/offsets.js';
import { RECEIPT_KINDS } from '../../processor/core/types.js';
import { machineCpuUse, sampleMachineCpu, type MachineCpuUse } from './machine-cpu.js';
import { producePaced } from './produce.js';
import { summarizeLatencies, type LatencySummary } from './stats.js';
import { idempotencyKey } from './telemetry.js';

/** The record that ends a telemetry event's trace: its outcome, or the receipt of a duplicate or rejected input. */
const FINAL_KINDS = new Set(['intent_released', 'intent_denied', 'approval_requested', 'telemetry_duplicate', 'telemetry_rejected']);

export interface LatencyResult {
  offeredPerSecond: number;
  achievedPerSecond: number;
  /** Events paced in all, warm-up included. */
  events: number;
  /** The first events, paced at the same rate and left out of the sample (JIT, connections, the first transactions). */
  warmUpEvents: number;
  receipt: LatencySummary;
  final: LatencySummary;
  /** The whole machine's CPU from the first paced event to the last receipt (broker, processor, this bench); null off Linux. */
  machine: MachineCpuUse | null;
  /** Median and maximum inject -> final record per second of pacing, warm-up included: where a tail comes from. */
  perSecond: Array<{ second: number; n: number; p50_ms: number | null; max_ms: number | null }>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function measureLatency(
  kafka: Kafka,
  options: { telemetryTopic: string; auditTopic: string; lines: readonly string[]; ratePerSecond: number; timeoutMs: number; warmUpEvents: number },
): Promise<LatencyResult> {
  const keys = options.lines.map(idempotencyKey);
  const index = new Map(keys.map((key, i) => [key, i]));
  const receiptAt: Array<number | undefined> = [];
  const finalAt: Array<number | undefined> = [];
  let seenReceipts = 0;
  const consumer = kafka.consumer({ groupId: `bench-latency-${randomBytes(6).toString('hex')}`, readUncommitted: false, maxWaitTimeInMs: 20, minBytes: 1 });
  // The audit topic's end before anything is paced: the reader starts exactly there, so records
  // already there (warm-up, an earlier rate) are not read and none of this sample is skipped, however
  // late a loaded machine lets the group's first fetch resolve "latest".
  const startAt = await topicWatermarks(kafka, options.auditTopic);
  let joined: () => void = () => undefined;
  const hasJoined = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const [partition, marks] of startAt) consumer.seek({ topic: options.auditTopic, partition, offset: marks.high.toString() });
    joined();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: options.auditTopic, fromBeginning: false });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const message of batch.messages) {
          const decoded = decodeRecord('audit', message.value, message.headers);
          if (!decoded.ok) continue;
          const record = decoded.value as AuditRecordV1;
          const i = index.get(record.idempotency_key);
          if (i === undefined) continue;
          if (RECEIPT_KINDS.has(record.event_kind) && receiptAt[i] === undefined) {
            receiptAt[i] = now;
            seenReceipts += 1;
          }
          if (FINAL_KINDS.has(record.event_kind) && finalAt[i] === undefined) finalAt[i] = now;
        }
      },
    });
    await hasJoined;
    const machineStart = sampleMachineCpu();
    const paced = await producePaced(kafka, options.telemetryTopic, options.lines, options.ratePerSecond);
    const deadline = Date.now() + options.timeoutMs;
    while (seenReceipts < keys.length) {
      if (Date.now() > deadline)
        throw new ExoArmurError('BENCH_TIMEOUT', `latency at ${options.ratePerSecond}/s: ${seenReceipts}/${keys.length} receipts seen after ${options.timeoutMs} ms`);
      await sleep(50);
    }
    const machine = machineCpuUse(machineStart, sampleMachineCpu());
    const latencies = (seen: Array<number | undefined>) => seen.flatMap((at, i) => (at === undefined || i < options.warmUpEvents ? [] : [at - paced.sentAtMs[i]!]));
    const bySecond = new Map<number, number[]>();
    for (const [i, at] of finalAt.entries()) {
      if (at === undefined) continue;
      const second = Math.floor((paced.sentAtMs[i]! - paced.sentAtMs[0]!) / 1000);
      const list = bySecond.get(second);
      if (list === undefined) bySecond.set(second, [at - paced.sentAtMs[i]!]);
      else list.push(at - paced.sentAtMs[i]!);
    }
    return {
      offeredPerSecond: options.ratePerSecond,
      achievedPerSecond: Math.round((paced.sent * 1000) / paced.elapsedMs),
      events: paced.sent,
      warmUpEvents: options.warmUpEvents,
      machine,
      receipt: summarizeLatencies(latencies(receiptAt)),
      final: summarizeLatencies(latencies(finalAt)),
      perSecond: [...bySecond.entries()]
        .sort(([a], [b]) => a - b)
        .map(([second, values]) => {
          const summary = summarizeLatencies(values);
          return { second, n: summary.n, p50_ms: summary.p50_ms, max_ms: summary.max_ms };
        }),
    };
  } finally {
    await consumer.disconnect();
  }
}
