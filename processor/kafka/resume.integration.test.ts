/**
 * A group offset the broker lost does not make a task re-read committed input (resume.ts), on the
 * real broker (KAFKA_BROKERS) through real `exoarmur process` children. The 3-node soak saw a group
 * coordinator, just moved by a preferred-leader election, answer "never committed" for a partition
 * with 1,377 committed records; the task read them all again and wrote a second receipt for each.
 * Here the group is deleted between two runs, which gives exactly that answer for every input: the
 * second run must resume from the task's changelog position, receipt only the new deliveries and
 * log that the group was behind. Random topics and group.
 */
import test from 'ava';
import kafkajs from 'kafkajs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeRecord } from '../codec/index.js';
import { stateKeys, type StateRecordV1 } from '../core/index.js';
import { readTopic } from '../io/read.js';
import { withAdmin } from '../io/client.js';
import { groupProgress } from '../io/offsets.js';
import { testBrokers } from '../../tools/testing/broker.js';
import { telemetry } from '../testing/harness.js';
import { processorFixture, readFixtureAudit, startProcessorChild, stopCleanly, track, waitAllCommitted, type ProcessorFixture } from '../../tools/testing/processor.js';

const { Partitioners } = kafkajs;
const PARTITION = 1;

async function deliver(fixture: ProcessorFixture, count: number, tag: string): Promise<void> {
  const producer = fixture.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const events = Array.from({ length: count }, (_, i) =>
      telemetry({ tenant_id: 'tenant-rs', correlation_id: `corr-${tag}-${i}`, trace_id: `trace-${tag}-${i}`, severity: 'low' }),
    );
    await producer.send({
      topic: fixture.topics.telemetry,
      acks: -1,
      messages: events.map((e) => ({ partition: PARTITION, key: `tenant-rs:${String(e['correlation_id'])}`, value: JSON.stringify(e) })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** The state changelog's last `position/<telemetry topic>` record on PARTITION. */
async function storedPosition(fixture: ProcessorFixture): Promise<StateRecordV1 | undefined> {
  let last: StateRecordV1 | undefined;
  const key = stateKeys.position(fixture.topics.telemetry);
  await readTopic(fixture.kafka, {
    topic: fixture.topics.state,
    partitions: [PARTITION],
    onRecord: ({ message }) => {
      if (message.key?.toString('utf8') !== key) return;
      const decoded = decodeRecord('state', message.value, message.headers);
      if (!decoded.ok) throw new Error(`position record undecodable: ${decoded.reason}`);
      last = decoded.value as StateRecordV1;
    },
  });
  return last;
}

test.serial('a task resumes at its changelog position when the group answers "never committed"; nothing is received twice', async (t) => {
  const fixture = await processorFixture('resume', testBrokers().join(','));
  await deliver(fixture, 6, 'a');
  const first = track(t, startProcessorChild(fixture, 'p1'));
  await waitAllCommitted(fixture);
  await stopCleanly(t, first);

  const position = await storedPosition(fixture);
  t.like(position, { kind: 'position', position: { topic: fixture.topics.telemetry, next_offset: 6 }, meta: null, approval: null });

  // What the coordinator answered in the soak: no committed offset at all for the group.
  await withAdmin(fixture.kafka, (admin) => admin.deleteGroups([fixture.appId]));
  const afterDelete = (await groupProgress(fixture.kafka, fixture.appId, [fixture.topics.telemetry])).find((r) => r.partition === PARTITION);
  t.like(afterDelete, { committed: null, low: 0n, high: 6n });

  await deliver(fixture, 2, 'b');
  const second = track(t, startProcessorChild(fixture, 'p2'));
  await waitAllCommitted(fixture);
  await stopCleanly(t, second);

  const receipts = (await readFixtureAudit(fixture))
    .filter((r) => r.input.topic === fixture.topics.telemetry && /^telemetry_(received|duplicate|rejected)$/.test(r.event_kind))
    .map((r) => `${r.input.partition}/${r.input.offset} ${r.event_kind}`)
    .sort();
  t.deepEqual(
    receipts,
    Array.from({ length: 8 }, (_, offset) => `${PARTITION}/${offset} telemetry_received`),
    'every delivery has exactly one receipt: the second run read only the two new records',
  );
  t.like(await storedPosition(fixture), { position: { topic: fixture.topics.telemetry, next_offset: 8 } });

  const behind = readFileSync(join(fixture.dir, 'p2.log'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"group_offset_behind_changelog"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  t.is(behind.length, 1, 'one warning, for the one input the group lost');
  t.like(behind[0], { partition: PARTITION, topic: fixture.topics.telemetry, group_committed: null, changelog_next: '6', records_not_reread: '6' });
});
