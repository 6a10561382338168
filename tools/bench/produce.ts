/**
 * The benchmark's producers: a fast batched loader (acks=-1, several requests in flight) that is
 * also the kafkajs baseline, and a paced producer for the latency measurement.
 */
import kafkajs from 'kafkajs';
import type { Kafka, Message } from 'kafkajs';
import { encodeRecord } from '../../processor/codec/index.js';
import { IDEMPOTENCY_MARK, stateKeys } from '../../processor/core/index.js';
import { telemetryLines, telemetryMessage } from './telemetry.js';

const { Partitioners } = kafkajs;

export const LOAD_BATCH = 2_000;
export const LOAD_IN_FLIGHT = 4;
const GENERATE_CHUNK = 20_000;

export interface LoadResult {
  events: number;
  elapsedMs: number;
}

function loader(kafka: Kafka) {
  // Non-idempotent so several batches may be in flight; order within a partition does not matter to a bench.
  return kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: LOAD_IN_FLIGHT });
}

async function sendAll(kafka: Kafka, topic: string, batches: AsyncIterable<Message[]> | Iterable<Message[]>): Promise<number> {
  const producer = loader(kafka);
  await producer.connect();
  let sent = 0;
  try {
    const inFlight = new Set<Promise<void>>();
    for await (const messages of batches) {
      const sending: Promise<void> = producer.send({ topic, acks: -1, messages }).then(() => {
        sent += messages.length;
        inFlight.delete(sending);
      });
      inFlight.add(sending);
      if (inFlight.size >= LOAD_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  return sent;
}

function* batchesOf(messages: readonly Message[]): Iterable<Message[]> {
  for (let i = 0; i < messages.length; i += LOAD_BATCH) yield messages.slice(i, i + LOAD_BATCH);
}

/** Baseline: produce already-built messages; only the produce is timed. */
export async function produceMessages(kafka: Kafka, topic: string, messages: readonly Message[]): Promise<LoadResult> {
  const started = performance.now();
  const events = await sendAll(kafka, topic, batchesOf(messages));
  return { events, elapsedMs: performance.now() - started };
}

/** Pre-loads events `from` .. `from + count - 1`, generating them chunk by chunk (generation included in the time). */
export async function preload(kafka: Kafka, topic: string, from: number, count: number): Promise<LoadResult> {
  const started = performance.now();
  function* generate(): Iterable<Message[]> {
    for (let at = 0; at < count; at += GENERATE_CHUNK) {
      yield* batchesOf(telemetryLines(from + at, Math.min(GENERATE_CHUNK, count - at)).map(telemetryMessage));
    }
  }
  const events = await sendAll(kafka, topic, generate());
  return { events, elapsedMs: performance.now() - started };
}

export interface PacedResult {
  sent: number;
  elapsedMs: number;
  /** Wall-clock ms (Date.now) at which each line's batch was handed to the producer, by line index. */
  sentAtMs: number[];
}

/**
 * Offers `lines` at `ratePerSecond`: every tick sends the events that are due by then in one
 * request (acks=-1), stamping the send time in a `bench_sent_ms` header. A slow send delays the
 * next tick, which then sends more, so the offered rate holds on average.
 */
export async function producePaced(kafka: Kafka, topic: string, lines: readonly string[], ratePerSecond: number, tickMs = 10): Promise<PacedResult> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 1 });
  await producer.connect();
  const sentAtMs: number[] = [];
  const started = performance.now();
  try {
    let next = 0;
    while (next < lines.length) {
      const due = Math.min(lines.length, Math.floor(((performance.now() - started) * ratePerSecond) / 1000) + 1);
      if (due > next) {
        const now = Date.now();
        const messages = lines.slice(next, due).map((line) => ({ ...telemetryMessage(line), headers: { bench_sent_ms: String(now) } }));
        for (let i = next; i < due; i += 1) sentAtMs[i] = now;
        next = due;
        await producer.send({ topic, acks: -1, messages });
      }
      await new Promise((resolve) => setTimeout(resolve, tickMs));
    }
  } finally {
    await producer.disconnect();
  }
  return { sent: lines.length, elapsedMs: performance.now() - started, sentAtMs };
}

/**
 * Writes `keys` idempotency marks round-robin over the state topic's partitions, as the processor
 * writes them (key `idem/t/<tenant>:<event id>`, the mark's Avro bytes and schema headers), for the
 * recovery measurement on a machine too slow to fill the state through the processor.
 */
export async function fillStateDirect(kafka: Kafka, topic: string, partitions: number, keys: number): Promise<LoadResult> {
  const started = performance.now();
  const mark = encodeRecord('state', IDEMPOTENCY_MARK);
  const headers = Object.fromEntries(Object.entries(mark.headers).map(([name, value]) => [name, Buffer.from(value)]));
  function* generate(): Iterable<Message[]> {
    for (let at = 0; at < keys; at += LOAD_BATCH) {
      const batch: Message[] = [];
      for (let i = at; i < Math.min(keys, at + LOAD_BATCH); i += 1) {
        const eventId = `01JBENCH${i.toString(36).toUpperCase().padStart(18, '0')}`;
        batch.push({ partition: i % partitions, key: stateKeys.telemetryIdem(`tenant-${i % 7}:${eventId}`), value: mark.value, headers });
      }
      yield batch;
    }
  }
  const events = await sendAll(kafka, topic, generate());
  return { events, elapsedMs: performance.now() - started };
}
