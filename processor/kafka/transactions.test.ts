import test from 'ava';
import { splitIntoRequests } from './transactions.js';

const message = (bytes: number) => ({ key: null, value: Buffer.alloc(bytes) });

test('splitIntoRequests keeps each topic under the byte bound per request and keeps order', (t) => {
  const audit = Array.from({ length: 10 }, (_, i) => ({ ...message(300), key: `a${i}` }));
  const state = [{ ...message(100), key: 's0' }];
  const requests = splitIntoRequests(
    [
      { topic: 'audit', messages: audit },
      { topic: 'state', messages: state },
    ],
    1000,
  );
  t.deepEqual(
    requests.map((r) => r.map((tm) => `${tm.topic}:${tm.messages.map((m) => m.key).join(',')}`)),
    [['audit:a0,a1', 'state:s0'], ['audit:a2,a3'], ['audit:a4,a5'], ['audit:a6,a7'], ['audit:a8,a9']],
  );
});

test('splitIntoRequests sends an oversized message alone and nothing for empty input', (t) => {
  const requests = splitIntoRequests([{ topic: 'dlq', messages: [message(10), message(5000), message(10)] }], 1000);
  t.deepEqual(
    requests.map((r) => r[0]!.messages.map((m) => m.value?.length)),
    [[10], [5000], [10]],
  );
  t.deepEqual(splitIntoRequests([{ topic: 'x', messages: [] }]), []);
});
