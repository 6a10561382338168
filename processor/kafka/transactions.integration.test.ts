/**
 * The transactional writer on the real broker: a writer whose transactional id another writer
 * opened is fenced; its next batch fails as fenced (rebuild the task), it ends in the terminal
 * fenced state, and any further batch is refused with the fenced error before reaching the broker.
 */
import test from 'ava';
import pino from 'pino';
import { ProducerFencedError } from '../errors.js';
import { createTestTopics, testKafka, uniqueName } from '../../tools/testing/broker.js';
import { classifyKafkaError } from '../io/kafka-errors.js';
import { TransactionalWriter } from './transactions.js';

const logger = pino({ level: 'silent' });

test('a fenced writer fails its batch as fenced, stays fenced, and refuses the next batch', async (t) => {
  const kafka = testKafka();
  const topic = uniqueName('txn-out');
  const group = uniqueName('txn-group');
  const input = uniqueName('txn-in');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTestTopics(admin, [
      { topic, numPartitions: 1 },
      { topic: input, numPartitions: 1 },
    ]);
  } finally {
    await admin.disconnect();
  }
  const transactionalId = uniqueName('txn-id');
  const writer = (): TransactionalWriter => new TransactionalWriter({ kafka, transactionalId, guarantee: 'exactly_once', logger, commitOffsets: async () => undefined });
  const zombie = writer();
  const owner = writer();
  const batch = [{ topic, messages: [{ partition: 0, key: 'k', value: Buffer.from('v') }] }];
  const offsets = (next: string) => ({ consumerGroupId: group, partition: 0, next: { [input]: next } });
  try {
    await zombie.open();
    t.is(zombie.state, 'idle');
    await zombie.commitBatch(batch, offsets('1'));
    await owner.open();
    const first = await t.throwsAsync(zombie.commitBatch(batch, offsets('2')));
    t.is(classifyKafkaError(first), 'fenced', String(first));
    t.is(zombie.state, 'fenced');
    const again = await t.throwsAsync(zombie.commitBatch(batch, offsets('3')), { instanceOf: ProducerFencedError });
    t.is(classifyKafkaError(again), 'fenced');
    await owner.commitBatch(batch, offsets('2'));
    t.is(owner.state, 'idle');
  } finally {
    await zombie.close();
    await owner.close();
  }
  t.is(zombie.state, 'closed');
});
