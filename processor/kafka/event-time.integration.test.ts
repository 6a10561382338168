/**
 * Event-time bounds on the real broker (KAFKA_BROKERS) through a real `exoarmur process` child: a
 * far-future observed_at is refused (event_time_in_future) and moves no stream time, so the pending
 * approval before it does not expire and the next normal event is decided; an event beyond the
 * dedupe window is refused (beyond_dedupe_window), and so is its redelivery: its idempotency key is
 * never kept, and it is never decided (no outcome, no execute record). Random topics and group.
 */
import test from 'ava';
import kafkajs from 'kafkajs';
import { createHash } from 'node:crypto';
import type { AuditRecordV1, DeadLetterV1 } from '../core/index.js';
import { readDecoded } from '../../tools/process/outcomes.js';
import { testBrokers } from '../../tools/testing/broker.js';
import { newUlid, telemetry } from '../testing/harness.js';
import { processorFixture, readFixtureOutcomes, startProcessorChild, stopCleanly, track, waitAllCommitted } from '../../tools/testing/processor.js';

const { Partitioners } = kafkajs;
const WINDOW_S = 3600;
const PARTITION = 0;

test.serial('a far-future event is refused without moving stream time; an event beyond the dedupe window is refused at every delivery, never decided', async (t) => {
  const fixture = await processorFixture('event-time', testBrokers().join(','), { policy: { dedupe_window_s: WINDOW_S } });
  // Event times an hour behind the record time, on whole minutes: the record's own timestamp is the sender's clock.
  const recordMs = Date.now();
  const t0 = Math.floor((recordMs - 3_600_000) / 60_000) * 60_000;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const event = (name: string, observedMs: number, severity: string) =>
    telemetry({
      event_id: newUlid(observedMs),
      tenant_id: 'tenant-et',
      correlation_id: `corr-${name}`,
      trace_id: `trace-${name}`,
      severity,
      observed_at: iso(observedMs),
      received_at: iso(observedMs),
    });
  const held = event('held', t0, 'high'); // A2 at default trust and confidence .80: held for a quorum (SG-404), expiring 900 s later
  const future = event('future', recordMs + 86_400_000, 'low');
  const next = event('next', t0 + 60_000, 'low'); // A0: released, with an execute record
  const old = event('old', t0 - 2 * WINDOW_S * 1000, 'low');
  const deliveries = [held, future, next, old, old, future, next];

  const producer = fixture.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({
      topic: fixture.topics.telemetry,
      acks: -1,
      messages: deliveries.map((e) => ({ partition: PARTITION, key: `tenant-et:${String(e['correlation_id'])}`, value: JSON.stringify(e), timestamp: String(recordMs) })),
    });
  } finally {
    await producer.disconnect();
  }

  const processor = track(t, startProcessorChild(fixture, 'p1'));
  await waitAllCommitted(fixture);
  await stopCleanly(t, processor);

  const outcomes = await readFixtureOutcomes(fixture);
  const letters = await readDecoded<DeadLetterV1>(fixture.kafka, fixture.topics.dlq, 'dlq');
  const receiptAt = (offset: number): AuditRecordV1 => {
    const found = outcomes.audit.filter((r) => r.input.offset === String(offset) && /^telemetry_(received|rejected|duplicate)$/.test(r.event_kind));
    if (found.length !== 1) throw new Error(`offset ${offset}: ${found.length} receipts`);
    return found[0]!;
  };
  t.deepEqual(
    deliveries.map((_, offset) => receiptAt(offset).event_kind),
    ['telemetry_received', 'telemetry_rejected', 'telemetry_received', 'telemetry_rejected', 'telemetry_rejected', 'telemetry_rejected', 'telemetry_duplicate'],
  );

  const refusal = (offset: number, reason_code: string, reason: string): void => {
    const value = Buffer.from(JSON.stringify(deliveries[offset]));
    const e = deliveries[offset]!;
    const letter = letters.find((l) => l.source_offset === String(offset));
    t.like(letter, { source_topic: fixture.topics.telemetry, source_partition: PARTITION, reason_code, reason, kafka_timestamp: iso(recordMs), value_size: value.length });
    t.deepEqual(receiptAt(offset).payload, {
      dead_letter_id: letter!.dead_letter_id,
      identifiers: { action_id: null, cell_id: 'cell-a', correlation_id: String(e['correlation_id']), event_id: String(e['event_id']), tenant_id: 'tenant-et' },
      reason,
      reason_code,
      value_sha256: createHash('sha256').update(value).digest('hex'),
      value_size: value.length,
    });
  };
  const futureReason = `observed_at ${String(future['observed_at'])} is more than policy.max_future_skew_s (300 s) after the record's Kafka timestamp ${iso(recordMs)}`;
  const oldReason = `event time ${String(old['observed_at'])} is more than policy.dedupe_window_s (${WINDOW_S} s) before the partition's stream time ${String(next['observed_at'])}: its idempotency key could not be kept, so it is not decided`;
  refusal(1, 'event_time_in_future', futureReason);
  refusal(3, 'beyond_dedupe_window', oldReason);
  refusal(4, 'beyond_dedupe_window', oldReason);
  refusal(5, 'event_time_in_future', futureReason);
  t.is(letters.length, 4);

  // One outcome set in all: the old and future events have their refusals only; the held approval never expired.
  const kindsOf = (e: Record<string, unknown>): string[] => outcomes.audit.filter((r) => r.correlation_id === e['correlation_id']).map((r) => r.event_kind);
  t.deepEqual(kindsOf(old), ['telemetry_rejected', 'telemetry_rejected']);
  t.deepEqual(kindsOf(future), ['telemetry_rejected', 'telemetry_rejected']);
  t.deepEqual(kindsOf(held), ['telemetry_received', 'facts_derived', 'belief_emitted', 'collective_updated', 'intent_proposed', 'safety_evaluated', 'approval_requested']);
  t.deepEqual(
    outcomes.execute.map((x) => x.correlation_id),
    ['corr-next'],
  );
  t.deepEqual(outcomes.chainBreaks, []);
});
