/** A non-JS Kafka client (kcat, librdkafka) interoperates with the broker and honours read_committed. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pollUntil } from '../lib/poll.js';
import { collectRecords, createTestTopics, testBrokers, testKafka, uniqueName } from '../testing/broker.js';

const run = promisify(execFile);

async function kcat(args: string[], input?: string): Promise<string> {
  try {
    const child = run('kcat', ['-b', testBrokers().join(','), ...args], { timeout: 60_000 });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    return (await child).stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('kcat is not installed: run `make deps` (apt-get install kcat)');
    throw error;
  }
}

test('records produced by kcat are consumed whole by kafkajs', async (t) => {
  const kafka = testKafka();
  const topic = uniqueName('kcat-in');
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await createTestTopics(admin, [{ topic, numPartitions: 2 }]);

  await kcat(['-P', '-t', topic, '-p', '1', '-K', '|'], 't1:c1|{"n":1}\nt1:c2|{"n":2}\n');

  const collector = await collectRecords(kafka, [topic]);
  t.teardown(() => collector.stop());
  await pollUntil(() => collector.records.length >= 2, { what: 'kcat records' });
  t.deepEqual(collector.records, [
    { topic, partition: 1, offset: '0', key: 't1:c1', value: '{"n":1}', headers: {} },
    { topic, partition: 1, offset: '1', key: 't1:c2', value: '{"n":2}', headers: {} },
  ]);
});

test('kcat with isolation.level=read_committed sees committed transactional records and never aborted ones', async (t) => {
  const kafka = testKafka();
  const topic = uniqueName('kcat-out');
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await createTestTopics(admin, [{ topic, numPartitions: 1 }]);

  const producer = kafka.producer({ transactionalId: uniqueName('kcat-tx'), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  for (const [value, outcome] of [
    ['A', 'commit'],
    ['B', 'abort'],
    ['C', 'commit'],
  ] as const) {
    const tx = await producer.transaction();
    await tx.send({ topic, messages: [{ key: 'k', value, partition: 0 }] });
    await (outcome === 'commit' ? tx.commit() : tx.abort());
  }

  const format = ['-f', '%t %p %o %k %s\\n'];
  // -e exits at the end of the partition: with read_committed, the end is the last stable offset.
  const committed = await pollUntil(
    async () => {
      const out = await kcat(['-C', '-t', topic, '-e', '-q', '-X', 'isolation.level=read_committed', ...format]);
      return out.includes(' C') ? out : undefined;
    },
    { what: 'C via kcat' },
  );
  t.is(committed, `${topic} 0 0 k A\n${topic} 0 4 k C\n`);
  const uncommitted = await kcat(['-C', '-t', topic, '-e', '-q', '-X', 'isolation.level=read_uncommitted', ...format]);
  t.is(uncommitted, `${topic} 0 0 k A\n${topic} 0 2 k B\n${topic} 0 4 k C\n`);
});
