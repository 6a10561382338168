import test from 'ava';
import { answerMismatches, splitIntoRequests } from './send-plan.js';

const message = (bytes: number) => ({ key: null, value: Buffer.alloc(bytes) });

test('splitIntoRequests gives each topic-partition its own requests, under the byte bound, in order', (t) => {
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
    [['audit:a0,a1'], ['audit:a2,a3'], ['audit:a4,a5'], ['audit:a6,a7'], ['audit:a8,a9'], ['state:s0']],
  );
});

test('splitIntoRequests puts two partitions in one request only when one known broker leads both (a retry cannot re-produce to a broker that already took it)', (t) => {
  const on = (partition: number, key: string) => ({ ...message(10), partition, key });
  const outputs = [
    { topic: 'audit', messages: [on(0, 'a'), on(2, 'b'), on(0, 'c')] },
    { topic: 'execute', messages: [on(2, 'x')] },
    { topic: 'state', messages: [on(0, 's')] },
  ];
  const shape = (requests: ReturnType<typeof splitIntoRequests>) => requests.map((r) => r.map((tm) => `${tm.topic}:${tm.messages.map((m) => `${m.partition}${m.key}`).join(',')}`));
  // No leaders known: every partition alone.
  t.deepEqual(shape(splitIntoRequests(outputs)), [['audit:0a,0c'], ['audit:2b'], ['execute:2x'], ['state:0s']]);
  // Broker 1 leads every partition 0, broker 2 every partition 2: one request per broker.
  const byPartition = (topic: string, partition: number) => (partition === 0 ? 1 : 2);
  t.deepEqual(shape(splitIntoRequests(outputs, 1000, byPartition)), [
    ['audit:0a,0c', 'state:0s'],
    ['audit:2b', 'execute:2x'],
  ]);
  // One broker leads all: still one request, a topic's partitions together.
  t.deepEqual(shape(splitIntoRequests(outputs, 1000, () => 7)), [['audit:0a,0c,2b', 'execute:2x', 'state:0s']]);
  // A leader not known for one partition: that partition alone, the rest by broker.
  const unknownState = (topic: string, partition: number) => (topic === 'state' ? undefined : byPartition(topic, partition));
  t.deepEqual(shape(splitIntoRequests(outputs, 1000, unknownState)), [['audit:0a,0c'], ['audit:2b', 'execute:2x'], ['state:0s']]);
});

test("splitIntoRequests keeps one broker's requests under the byte bound and a partition's later runs in later requests, in order", (t) => {
  const on = (topic: string, key: string, bytes: number) => ({ topic, messages: [{ ...message(bytes), partition: 0, key }] });
  const audit = { topic: 'audit', messages: ['a0', 'a1', 'a2'].map((key) => ({ ...message(400), partition: 0, key })) };
  const requests = splitIntoRequests([audit, on('state', 's0', 100), on('checkpoints', 'c0', 100)], 1000, () => 1);
  t.deepEqual(
    requests.map((r) => r.map((tm) => `${tm.topic}:${tm.messages.map((m) => m.key).join(',')}`)),
    // audit's runs are a0,a1 (928 bytes with overhead) and a2; state and checkpoints fill a2's request.
    [['audit:a0,a1'], ['audit:a2', 'state:s0', 'checkpoints:c0']],
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

test('a send answer must cover every partition of the request exactly once (kafkajs retries across a leader move can double or drop one)', (t) => {
  const request = [
    {
      topic: 'audit',
      messages: [
        { partition: 1, value: 'a' },
        { partition: 1, value: 'b' },
      ],
    },
    { topic: 'state', messages: [{ partition: 1, value: 's' }] },
  ];
  const answer = (topicName: string, partition: number) => ({ topicName, partition, errorCode: 0, baseOffset: '0' });
  t.deepEqual(answerMismatches(request, [answer('audit', 1), answer('state', 1)]), []);
  // Written twice: the first attempt's broker answered, then the partition's new leader took the same records again.
  t.deepEqual(answerMismatches(request, [answer('audit', 1), answer('state', 1), answer('audit', 1)]), ['audit/1 answered 2 times']);
  // Never sent: its new leader had already answered for other partitions, and the send resolved without it.
  t.deepEqual(answerMismatches(request, [answer('audit', 1)]), ['state/1 answered 0 times']);
  t.deepEqual(answerMismatches(request, [answer('audit', 1), answer('state', 1), answer('dlq', 1)]), ['dlq/1 answered but never requested']);
});

/** A small seeded generator, so the 300 cases are the same on every run. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

test('splitIntoRequests, 300 seeded cases: every message sent once, in order per partition, one broker per request, under the bound', (t) => {
  const rand = lcg(7);
  const topics = ['audit', 'execute', 'state', 'checkpoints'];
  const maxBytes = 2000;
  for (let c = 0; c < 300; c++) {
    const brokers = 1 + Math.floor(rand() * 3);
    const leaders = new Map<string, number | undefined>();
    const outputs = topics.map((topic) => ({
      topic,
      messages: Array.from({ length: Math.floor(rand() * 40) }, (_, i) => {
        const partition = Math.floor(rand() * 4);
        // A leader is unknown for some partitions.
        if (!leaders.has(`${topic}/${partition}`)) leaders.set(`${topic}/${partition}`, rand() < 0.15 ? undefined : Math.floor(rand() * brokers));
        return { partition, key: `${topic}-${i}`, value: Buffer.alloc(rand() < 0.05 ? 3000 : Math.floor(rand() * 600)) };
      }),
    }));
    const leaderOf = (topic: string, partition: number) => leaders.get(`${topic}/${partition}`);
    const requests = splitIntoRequests(outputs, maxBytes, leaderOf);
    const sent = new Map<string, string[]>();
    for (const request of requests) {
      const brokerKeys = new Set<string>();
      let bytes = 0;
      let count = 0;
      for (const { topic, messages } of request) {
        t.true(messages.length > 0, `case ${c}: no empty topic in a request`);
        for (const m of messages) {
          const at = `${topic}/${m.partition}`;
          const leader = leaderOf(topic, m.partition!);
          brokerKeys.add(leader === undefined ? `alone:${at}` : `leader:${leader}`);
          bytes += m.value!.length;
          count += 1;
          sent.set(at, [...(sent.get(at) ?? []), String(m.key)]);
        }
      }
      t.is(brokerKeys.size, 1, `case ${c}: one broker (or one unknown-leader partition) per request`);
      // kafkajs writes one record batch per partition and request, so the bound is what keeps each batch under max.message.bytes.
      t.true(count === 1 || bytes <= maxBytes, `case ${c}: a request of several messages stays under the bound (${bytes})`);
    }
    for (const { topic, messages } of outputs) {
      for (const partition of new Set(messages.map((m) => m.partition))) {
        const expected = messages.filter((m) => m.partition === partition).map((m) => String(m.key));
        t.deepEqual(sent.get(`${topic}/${partition}`), expected, `case ${c}: ${topic}/${partition} sent once each, in order`);
      }
    }
    t.is(
      [...sent.values()].reduce((n, keys) => n + keys.length, 0),
      outputs.reduce((n, o) => n + o.messages.length, 0),
      `case ${c}: nothing extra sent`,
    );
  }
});
