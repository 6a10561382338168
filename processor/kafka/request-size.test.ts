import test from 'ava';
import type { Message } from 'kafkajs';
import { messageBytes, sizeBoundedRequests } from './request-size.js';

const message = (id: number, size: number): Message => ({ partition: 0, key: `k${id}`, value: Buffer.alloc(size, id % 256), headers: { schema: 'x' } });

test('outputs under the bound go in one request unchanged', (t) => {
  const outputs = [{ topic: 'audit', messages: [message(1, 100), message(2, 100)] }, { topic: 'state', messages: [message(3, 10)] }];
  t.deepEqual(sizeBoundedRequests(outputs, 10_000), [outputs]);
  t.deepEqual(sizeBoundedRequests([], 10_000), []);
});

test('large outputs split into requests under the bound, every record once, in order per topic', (t) => {
  const audit = Array.from({ length: 50 }, (_, i) => message(i, 1000));
  const state = Array.from({ length: 20 }, (_, i) => message(100 + i, 300));
  const bound = 8_000;
  const requests = sizeBoundedRequests([{ topic: 'audit', messages: audit }, { topic: 'state', messages: state }], bound);
  t.true(requests.length > 5);
  for (const request of requests) {
    const bytes = request.flatMap((t) => t.messages).reduce((sum, m) => sum + messageBytes(m), 0);
    t.true(bytes <= bound, `request of ${bytes} bytes`);
  }
  const sent = (topic: string) => requests.flatMap((r) => r.filter((t) => t.topic === topic).flatMap((t) => t.messages));
  t.deepEqual(sent('audit'), audit);
  t.deepEqual(sent('state'), state);
});

test('a record larger than the bound travels alone', (t) => {
  const big = message(1, 5_000);
  const requests = sizeBoundedRequests([{ topic: 'audit', messages: [message(0, 10), big, message(2, 10)] }], 1_000);
  t.deepEqual(requests.map((r) => r.flatMap((x) => x.messages).map((m) => m.key)), [['k0'], ['k1'], ['k2']]);
});
