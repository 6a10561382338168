/** The broker behaves as the processor relies on: plain round trips and read_committed transactions. */
import test from 'ava';
import { Partitioners } from 'kafkajs';
import { pollUntil } from '../lib/poll.js';
import { collectRecords, createTestTopics, testKafka, uniqueName } from '../testing/broker.js';

test('a produced record is consumed back whole (key, value, headers, partition)', async (t) => {
  const kafka = testKafka();
  const topic = uniqueName('roundtrip');
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await createTestTopics(admin, [{ topic, numPartitions: 2 }]);

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({
    topic,
    messages: [
      { key: 't1:c1', value: '{"n":1}', partition: 1, headers: { 'exoarmur-schema': 'Test' } },
      { key: 't1:c2', value: '{"n":2}', partition: 1, headers: { 'exoarmur-schema': 'Test' } },
    ],
  });

  const collector = await collectRecords(kafka, [topic]);
  t.teardown(() => collector.stop());
  await pollUntil(() => collector.records.length >= 2, { what: 'two records' });
  t.deepEqual(collector.records, [
    { topic, partition: 1, offset: '0', key: 't1:c1', value: '{"n":1}', headers: { 'exoarmur-schema': 'Test' } },
    { topic, partition: 1, offset: '1', key: 't1:c2', value: '{"n":2}', headers: { 'exoarmur-schema': 'Test' } },
  ]);
});

test('a transactional write is invisible to read_committed until commit and never visible after abort', async (t) => {
  const kafka = testKafka();
  const topic = uniqueName('transactions');
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await createTestTopics(admin, [{ topic, numPartitions: 1 }]);

  const producer = kafka.producer({ transactionalId: uniqueName('tx'), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());

  const readCommitted = await collectRecords(kafka, [topic]);
  t.teardown(() => readCommitted.stop());
  const readUncommitted = await collectRecords(kafka, [topic], { readUncommitted: true });
  t.teardown(() => readUncommitted.stop());
  const record = (offset: string, value: string) => ({ topic, partition: 0, offset, key: 'k', value, headers: {} });

  const first = await producer.transaction();
  await first.send({ topic, messages: [{ key: 'k', value: 'A', partition: 0 }] });
  await first.commit();

  const open = await producer.transaction();
  await open.send({ topic, messages: [{ key: 'k', value: 'B', partition: 0 }] });
  // B is in the log (a read_uncommitted reader sees it) ...
  await pollUntil(() => readUncommitted.records.some((r) => r.value === 'B'), { what: 'B read uncommitted' });
  await pollUntil(() => readCommitted.records.length >= 1, { what: 'A read committed' });
  // ... but the last stable offset stops before it, so no read_committed reader can reach it.
  const [stable] = await admin.fetchTopicOffsets(topic);
  t.is(stable?.high, '2', 'last stable offset is just past A: the commit marker of A is at 1, B at 2');
  t.deepEqual(readCommitted.records, [record('0', 'A')]);

  await open.commit();
  await pollUntil(() => readCommitted.records.length >= 2, { what: 'B after commit' });

  const aborted = await producer.transaction();
  await aborted.send({ topic, messages: [{ key: 'k', value: 'C', partition: 0 }] });
  await aborted.abort();
  const last = await producer.transaction();
  await last.send({ topic, messages: [{ key: 'k', value: 'D', partition: 0 }] });
  await last.commit();

  // D follows C in the log, so once D is read, C has been passed over for good.
  await pollUntil(() => readCommitted.records.some((r) => r.value === 'D'), { what: 'D after commit' });
  await pollUntil(() => readUncommitted.records.some((r) => r.value === 'D'), { what: 'D read uncommitted' });
  t.deepEqual(
    readCommitted.records.map((r) => r.value),
    ['A', 'B', 'D'],
  );
  t.deepEqual(
    readUncommitted.records.map((r) => r.value),
    ['A', 'B', 'C', 'D'],
  );
});
