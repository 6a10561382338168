/**
 * The one reader on the real broker: it ends on a log whose last entry is a transaction marker,
 * reads several partitions from given offsets, stops at the end offsets fixed before reading, times
 * out naming the partition a hanging transaction holds, ends a follow read on abort, and delivers
 * each offset once when its group rebalances mid-read.
 */
import test from 'ava';
import { createTestTopics, testKafka, uniqueName } from '../../tools/testing/broker.js';
import { pollUntil } from '../../tools/lib/poll.js';
import { ExoArmurError } from '../errors.js';
import type { Kafka } from './client.js';
import { fixedPartitionsAssigner } from './assigner.js';
import { topicWatermarks } from './offsets.js';
import { createPlainProducer } from './produce.js';
import { readPartitions, readTopic } from './read.js';

async function freshTopic(kafka: Kafka, partitions: number): Promise<string> {
  const topic = uniqueName('read');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTestTopics(admin, [{ topic, numPartitions: partitions }]);
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/** Writes `count` records to each partition in one committed transaction: each log ends with a commit marker. */
async function writeCommitted(kafka: Kafka, topic: string, partitions: number, count: number): Promise<void> {
  const producer = kafka.producer({ transactionalId: uniqueName('read-txn'), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const txn = await producer.transaction();
    for (let p = 0; p < partitions; p += 1) {
      await txn.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ partition: p, key: `k${p}`, value: `p${p}-${i}` })) });
    }
    await txn.commit();
  } finally {
    await producer.disconnect();
  }
}

test('reads several partitions from given offsets to the end, on logs that end with a commit marker', async (t) => {
  const kafka = testKafka();
  const topic = await freshTopic(kafka, 3);
  await writeCommitted(kafka, topic, 3, 5);
  // EndTxn returns before the markers are written; the watermarks (read_committed) move once they are.
  const marks = await pollUntil(
    async () => {
      const m = await topicWatermarks(kafka, topic);
      return [...m.values()].every((w) => w.high === 6n) ? m : undefined;
    },
    { what: 'five records and the commit marker per partition' },
  );
  const seen: string[] = [];
  const delivered = await readPartitions(kafka, {
    topic,
    purpose: 'test',
    ranges: new Map([
      [0, { from: 0n, to: marks.get(0)!.high }],
      [2, { from: 3n, to: marks.get(2)!.high }],
    ]),
    onBatch: (partition, messages) => {
      for (const m of messages) seen.push(`${partition}:${m.value?.toString()}`);
    },
  });
  t.is(delivered, 7);
  t.deepEqual(seen.sort(), ['0:p0-0', '0:p0-1', '0:p0-2', '0:p0-3', '0:p0-4', '2:p2-3', '2:p2-4']);
});

test('a hanging transaction holds the read below its end: a named READ_TIMEOUT, not a hang', async (t) => {
  const kafka = testKafka();
  const topic = await freshTopic(kafka, 1);
  const producer = kafka.producer({ transactionalId: uniqueName('read-open'), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const txn = await producer.transaction();
  try {
    await txn.send({ topic, messages: [{ partition: 0, value: 'uncommitted' }] });
    // The read_committed end offset stays at the open transaction's start; ask for the record past it.
    const high = 1n;
    const error = await t.throwsAsync(
      readPartitions(kafka, { topic, purpose: 'test read', timeoutMs: 3_000, ranges: new Map([[0, { from: 0n, to: high }]]), onBatch: () => undefined }),
      { instanceOf: ExoArmurError },
    );
    t.is(error?.code, 'READ_TIMEOUT');
    t.true(error!.message.startsWith(`test read: reading ${topic}[0] before ${high} did not reach the end offset in 3000 ms`), error!.message);
    t.regex(error!.message, /kafka-transactions\.sh/);
    t.like(error!.context, { topic, partition: 0, offset: String(high) });
  } finally {
    await txn.abort();
    await producer.disconnect();
  }
});

test('a follow read delivers what arrives after it started and ends when aborted', async (t) => {
  const kafka = testKafka();
  const topic = await freshTopic(kafka, 1);
  const producer = createPlainProducer(kafka, { idempotent: true });
  await producer.connect();
  const abort = new AbortController();
  const seen: string[] = [];
  try {
    const reading = readTopic(kafka, { topic, follow: true, signal: abort.signal, onRecord: ({ message }) => seen.push(message.value!.toString()) });
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { partition: 0, value: 'late-1' },
        { partition: 0, value: 'late-2' },
      ],
    });
    await pollUntil(() => seen.length === 2, { what: 'the records sent after the read started', timeoutMs: 30_000 });
    abort.abort();
    t.is(await reading, 2);
    t.deepEqual(seen, ['late-1', 'late-2']);
  } finally {
    await producer.disconnect();
  }
});

test('a rebalance of the reader group in the middle of a read delivers no offset twice', async (t) => {
  const kafka = testKafka();
  const topic = await freshTopic(kafka, 1);
  const producer = createPlainProducer(kafka, { idempotent: true });
  await producer.connect();
  const send = (values: string[]) => producer.send({ topic, acks: -1, messages: values.map((value) => ({ partition: 0, value })) });
  const groupPrefix = uniqueName('read-rejoin');
  const abort = new AbortController();
  const seen: string[] = [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    await send(['before-1', 'before-2', 'before-3']);
    const reading = readPartitions(kafka, {
      topic,
      purpose: 'test',
      groupPrefix,
      signal: abort.signal,
      ranges: new Map([[0, { from: 0n, to: null }]]),
      onBatch: (_partition, messages) => {
        for (const m of messages) seen.push(m.value!.toString());
      },
    });
    await pollUntil(() => seen.length === 3, { what: 'the first three records', timeoutMs: 30_000 });
    // A second member joins the reader's own group: the reader is made to rejoin (GROUP_JOIN again).
    const groupId = await pollUntil(async () => (await admin.listGroups()).groups.map((g) => g.groupId).find((id) => id.startsWith(`${groupPrefix}.read.`)), {
      what: "the reader's group",
      timeoutMs: 30_000,
    });
    const member = kafka.consumer({ groupId, partitionAssigners: [fixedPartitionsAssigner([0])], maxWaitTimeInMs: 250 });
    await member.connect();
    await member.subscribe({ topics: [topic], fromBeginning: true });
    await member.run({ autoCommit: false, eachBatch: async () => undefined });
    t.teardown(() => member.disconnect());
    await pollUntil(
      async () => {
        const [group] = (await admin.describeGroups([groupId])).groups;
        return group?.state === 'Stable' && group.members.length === 2;
      },
      { what: 'the reader group stable with both members', timeoutMs: 60_000 },
    );
    await send(['after-1', 'after-2']);
    await pollUntil(() => seen.includes('after-2'), { what: 'the records sent after the rebalance', timeoutMs: 30_000 });
    abort.abort();
    await reading;
    t.deepEqual(seen, ['before-1', 'before-2', 'before-3', 'after-1', 'after-2']);
  } finally {
    await admin.disconnect();
    await producer.disconnect();
  }
});
