/**
 * Robustness of `exoarmur process` on the real broker (KAFKA_BROKERS), with real child processes:
 * inputs no sensor should send (a 2 MB value, an Avro schema nobody knows) become a receipt plus
 * a dead letter while the service keeps going; an output the broker can never accept halts the
 * processor loudly (exit 2) instead of retrying the same batch forever, and a restart after the
 * fix resumes exactly there. Serial: each test runs processor children, and the machine is shared.
 */
import test from 'ava';
import kafkajs from 'kafkajs';
import { createHash } from 'node:crypto';
import type { AuditRecordV1, DeadLetterV1 } from '../core/index.js';
import { exactlyOnceViolations, readDecoded } from '../../tools/process/outcomes.js';
import { syntheticTelemetry } from '../../tools/process/synthetic.js';
import { pollUntil } from '../../tools/lib/poll.js';
import { testBrokers } from '../../tools/testing/broker.js';
import {
  inputCoordinates,
  inputProgress,
  processorFixture,
  readFixtureOutcomes,
  startProcessorChild,
  uniqueEventKeys,
  waitAllCommitted,
  type ProcessorFixture,
  stopCleanly,
  track,
} from '../../tools/testing/processor.js';
import { OUTPUT_MAX_MESSAGE_BYTES } from '../io/topics.js';

const { Partitioners, ConfigResourceTypes } = kafkajs;
const brokers = () => testBrokers().join(',');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Sends keyed telemetry lines (key `tenant_id:correlation_id`, as DESIGN §1) with a plain producer. */
async function sendLines(fixture: ProcessorFixture, lines: readonly string[]): Promise<void> {
  // Idempotent, so a send retried under load cannot land twice and the counts below are exact.
  const producer = fixture.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const messages = lines.map((line) => {
      const event = JSON.parse(line) as { tenant_id: string; correlation_id: string };
      return { key: `${event.tenant_id}:${event.correlation_id}`, value: line };
    });
    await producer.send({ topic: fixture.topics.telemetry, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Sends one record to an explicit partition and returns its offset. */
async function sendOne(fixture: ProcessorFixture, topic: string, message: { partition: number; key: string; value: Buffer; headers?: Record<string, string> }): Promise<string> {
  const producer = fixture.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const [sent] = await producer.send({ topic, acks: -1, messages: [message] });
    return sent!.baseOffset!;
  } finally {
    await producer.disconnect();
  }
}

/** The dead letter of one input with its raw value as a Buffer (avsc decodes bytes as Buffer, the core emits Uint8Array). */
function deadLetterOf(letters: DeadLetterV1[], topic: string, partition: number, offset: string): DeadLetterV1 & { value: Buffer | null } {
  const letter = letters.find((l) => l.source_topic === topic && l.source_partition === partition && l.source_offset === offset);
  if (!letter) throw new Error(`no dead letter for ${topic}/${partition}/${offset}`);
  return { ...letter, value: letter.value === null ? null : Buffer.from(letter.value) };
}

function receiptOf(audit: AuditRecordV1[], topic: string, partition: number, offset: string): AuditRecordV1 {
  const receipts = audit.filter((r) => r.input.topic === topic && r.input.partition === partition && r.input.offset === offset && r.event_kind.endsWith('_rejected'));
  if (receipts.length !== 1) throw new Error(`expected one rejection receipt for ${topic}/${partition}/${offset}, found ${receipts.length}`);
  return receipts[0]!;
}

async function setMaxMessageBytes(fixture: ProcessorFixture, topic: string, bytes: number): Promise<void> {
  const admin = fixture.kafka.admin();
  await admin.connect();
  try {
    // AlterConfigs replaces the topic's overrides; the DLQ's only other one is cleanup.policy=delete.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'max.message.bytes', value: String(bytes) },
          ],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

test.serial('a 2 MB telemetry value and an unknown operator schema each become a receipt and a dead letter; the service keeps processing', async (t) => {
  const fixture = await processorFixture('oversized', brokers());
  const events = syntheticTelemetry({ count: 60 });
  const [before, after] = [events.slice(0, 30), events.slice(30)];
  await sendLines(fixture, before);
  // 2 MiB of JSON-looking bytes: the broker accepts it (input topics allow 4 MiB), the codec refuses it (over 1 MiB).
  const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
  big.write('{"schema_version":"1","padding":"', 0, 'utf8');
  big.write('"}', big.length - 2, 'utf8');
  const bigOffset = await sendOne(fixture, fixture.topics.telemetry, { partition: 1, key: 'tenant-big:corr-big', value: big });
  const unknownSchema = Buffer.from('not an avro record of any schema we know');
  const operatorOffset = await sendOne(fixture, fixture.topics.operator_actions, {
    partition: 2,
    key: 'tenant-op:corr-op',
    value: unknownSchema,
    headers: { 'exoarmur-schema': 'exoarmur.NoSuchRecordV9', 'exoarmur-schema-fingerprint': 'ff' },
  });

  const processor = track(t, startProcessorChild(fixture, 'p1'));
  await waitAllCommitted(fixture);
  // The same process takes events sent after the oversized one.
  await sendLines(fixture, after);
  await waitAllCommitted(fixture);
  t.true(processor.running);
  await stopCleanly(t, processor);

  const outcomes = await readFixtureOutcomes(fixture);
  t.deepEqual(outcomes.receiptsByKind, { telemetry_received: 60, telemetry_rejected: 1, action_rejected: 1 });
  t.is(outcomes.dlqCount, 2);
  t.deepEqual(exactlyOnceViolations(outcomes, { uniqueKeys: uniqueEventKeys(events), inputs: await inputCoordinates(fixture) }), []);
  t.is(outcomes.outcomeKindsByKey.size, 60, 'every valid event before and after has its outcome set');

  const letters = await readDecoded<DeadLetterV1>(fixture.kafka, fixture.topics.dlq, 'dlq');
  const bigReceipt = receiptOf(outcomes.audit, fixture.topics.telemetry, 1, bigOffset);
  const bigLetter = deadLetterOf(letters, fixture.topics.telemetry, 1, bigOffset);
  const tooLargeReason = 'the value is 2097152 bytes; telemetry is limited to 1048576 bytes (1 MiB)';
  t.like(bigReceipt, { event_kind: 'telemetry_rejected', tenant_id: 'tenant-big', correlation_id: 'corr-big', idempotency_key: `tenant-big:raw-sha256:${sha256(big)}` });
  t.deepEqual(bigReceipt.payload, {
    dead_letter_id: bigLetter.dead_letter_id,
    // Too large to read: no id of the value itself is named (tenant and correlation come from the key).
    identifiers: { event_id: null, action_id: null, tenant_id: null, correlation_id: null, cell_id: null },
    reason: tooLargeReason,
    reason_code: 'too_large',
    value_sha256: sha256(big),
    value_size: big.length,
  });
  t.deepEqual(bigLetter, {
    dead_letter_id: bigLetter.dead_letter_id,
    source_topic: fixture.topics.telemetry,
    source_partition: 1,
    source_offset: bigOffset,
    key: 'tenant-big:corr-big',
    // Over 768 KiB: a 64 KiB prefix, with the size and digest of the whole.
    value: big.subarray(0, 64 * 1024),
    value_size: 2 * 1024 * 1024,
    value_sha256: sha256(big),
    value_truncated: true,
    reason_code: 'too_large',
    reason: tooLargeReason,
    kafka_timestamp: bigLetter.kafka_timestamp,
    process_time: bigLetter.process_time,
    config_hash: bigReceipt.config_hash,
    receipt_audit_id: bigReceipt.audit_id,
  });

  const operatorReceipt = receiptOf(outcomes.audit, fixture.topics.operator_actions, 2, operatorOffset);
  const operatorLetter = deadLetterOf(letters, fixture.topics.operator_actions, 2, operatorOffset);
  t.like(operatorReceipt, { event_kind: 'action_rejected', tenant_id: 'tenant-op', correlation_id: 'corr-op' });
  t.deepEqual(operatorLetter, {
    dead_letter_id: (operatorReceipt.payload as { dead_letter_id: string }).dead_letter_id,
    source_topic: fixture.topics.operator_actions,
    source_partition: 2,
    source_offset: operatorOffset,
    key: 'tenant-op:corr-op',
    value: unknownSchema,
    value_size: unknownSchema.length,
    value_sha256: sha256(unknownSchema),
    value_truncated: false,
    reason_code: operatorLetter.reason_code,
    reason: operatorLetter.reason,
    kafka_timestamp: operatorLetter.kafka_timestamp,
    process_time: operatorLetter.process_time,
    config_hash: operatorReceipt.config_hash,
    receipt_audit_id: operatorReceipt.audit_id,
  });
  t.regex(operatorLetter.reason, /exoarmur\.NoSuchRecordV9/);
});

test.serial('an output the broker can never accept halts the processor with exit 2 after 5 attempts; after the fix a restart resumes at that input', async (t) => {
  const fixture = await processorFixture('halt', brokers());
  const events = syntheticTelemetry({ count: 20 });
  await sendLines(fixture, events);
  const first = track(t, startProcessorChild(fixture, 'p1'));
  await waitAllCommitted(fixture);
  // The sensor side is at-least-once (a retried send may land twice under load): count what is there.
  const before = await inputProgress(fixture);
  t.is(before.committed, before.total);

  // The dead letter of a 10 KB non-JSON value cannot fit a 2,000-byte DLQ limit: MESSAGE_TOO_LARGE on every attempt.
  await setMaxMessageBytes(fixture, fixture.topics.dlq, 2_000);
  const poison = Buffer.alloc(10_000, 0x7a);
  const poisonOffset = await sendOne(fixture, fixture.topics.telemetry, { partition: 1, key: 'tenant-x:corr-x', value: poison });
  const exit = await pollUntil(async () => (first.running ? undefined : first.exited), { what: 'the processor to halt', timeoutMs: 120_000, intervalMs: 250 });
  const stderrLines = exit.stderr.trim().split('\n');
  t.deepEqual({ code: exit.code, signal: exit.signal }, { code: 2, signal: null }, exit.stderr);
  t.regex(
    stderrLines[stderrLines.length - 1]!,
    new RegExp(
      `^exoarmur: partition 1: ${fixture.topics.telemetry.replace(/\./g, '\\.')}@${poisonOffset} failed 5 times in a row with an error retrying cannot fix \\(MESSAGE_TOO_LARGE: .+\\); nothing of it was committed: fix the cause \\(e\\.g\\. the topic's max\\.message\\.bytes\\) and restart, processing resumes there \\[PROCESSING_HALTED\\]$`,
    ),
  );
  const failures = first.events('permanent_failure');
  t.deepEqual(
    failures.map((entry) => [entry['code'], entry['topic'], entry['partition'], entry['offset'], entry['consecutive_failures']]),
    [1, 2, 3, 4, 5].map((n) => ['MESSAGE_TOO_LARGE', fixture.topics.telemetry, 1, poisonOffset, n]),
  );
  t.is(first.events('processing_halted').length, 1);
  // Nothing of the failed batch is visible: the input is still uncommitted, no dead letter exists.
  t.deepEqual(await inputProgress(fixture), { committed: before.total, total: before.total + 1n });
  t.is((await readFixtureOutcomes(fixture)).dlqCount, 0);

  // A supervisor restarting it unchanged is refused at start, naming the topic and the fix.
  const refused = await startProcessorChild(fixture, 'p2').exited;
  t.is(refused.code, 2);
  t.is(
    refused.stderr.trim().split('\n').pop(),
    `exoarmur: topic ${fixture.topics.dlq} has max.message.bytes=2000 but ExoArmur expects max.message.bytes=>=${OUTPUT_MAX_MESSAGE_BYTES}: raise it with kafka-configs.sh --alter --entity-type topics --entity-name ${fixture.topics.dlq} --add-config max.message.bytes=${OUTPUT_MAX_MESSAGE_BYTES} [TOPIC_DRIFT]`,
  );

  await setMaxMessageBytes(fixture, fixture.topics.dlq, OUTPUT_MAX_MESSAGE_BYTES);
  const fixed = track(t, startProcessorChild(fixture, 'p3'));
  await waitAllCommitted(fixture);
  await stopCleanly(t, fixed);
  const outcomes = await readFixtureOutcomes(fixture);
  t.deepEqual(outcomes.receiptsByKind, { telemetry_received: 20, telemetry_rejected: 1 });
  t.deepEqual(exactlyOnceViolations(outcomes, { uniqueKeys: uniqueEventKeys(events), inputs: await inputCoordinates(fixture) }), []);
  const letter = deadLetterOf(await readDecoded<DeadLetterV1>(fixture.kafka, fixture.topics.dlq, 'dlq'), fixture.topics.telemetry, 1, poisonOffset);
  t.like(letter, { reason_code: 'not_json', value_size: 10_000, value_truncated: false });
  t.deepEqual(letter.value, poison);
});
