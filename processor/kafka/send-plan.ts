/**
 * How one transaction's records go to the broker: cut into sends of one broker each under a byte
 * bound (`splitIntoRequests`), each send's answer checked against what it carried
 * (`answerMismatches`), and where each partition ended (`WrittenPositions`). Pure but for the send
 * itself, which the writer (transactions.ts) and the bench's ceiling loop hand in.
 */
import type { Message, RecordMetadata } from 'kafkajs';
import { KafkaOperationError } from '../errors.js';
import type { LeaderOf } from '../io/topics.js';

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

/**
 * kafkajs sends all of a request's messages for one partition as one record batch, and the
 * broker rejects a batch above max.message.bytes (1 MB by default). Each request therefore carries
 * at most this many payload bytes; a transaction may span several requests.
 */
export const MAX_BATCH_BYTES = 512 * 1024;

function messageBytes(message: Message): number {
  let size = 64;
  if (message.key) size += typeof message.key === 'string' ? Buffer.byteLength(message.key) : message.key.length;
  if (message.value) size += typeof message.value === 'string' ? Buffer.byteLength(message.value) : message.value.length;
  for (const [name, value] of Object.entries(message.headers ?? {}))
    size += name.length + (typeof value === 'string' ? Buffer.byteLength(value) : Buffer.isBuffer(value) ? value.length : 64);
  return size;
}

/**
 * The sends of one batch. A send holds partitions of ONE broker (its leader as `leaderOf` says,
 * each partition's messages in order, at most `maxBytes` in all; a single larger message stands
 * alone); a partition whose leader is not known gets sends of its own. So the usual transaction
 * (audit, state and checkpoint of one partition, all led by one broker on a single node) is one
 * AddPartitionsToTxn and one Produce instead of one pair per topic.
 *
 * Why one broker per send: kafkajs sends a request that spans brokers in parallel and, when one
 * broker fails (e.g. CONCURRENT_TRANSACTIONS on AddPartitionsToTxn right after the previous
 * commit), retries the request for every broker whose answer it does not have yet; a partition
 * whose leader moved in between can then be produced a second time under new sequence numbers,
 * inside the same transaction (seen in the 3-node soak). A send to one broker is retried whole with
 * the same sequence numbers, which the broker deduplicates. A leader that moved since the task
 * started can still make kafkajs split a send; `answerMismatches` catches what that does to the
 * answer, and the transaction is aborted and redone.
 */
export function splitIntoRequests(outputs: TopicMessages[], maxBytes = MAX_BATCH_BYTES, leaderOf: LeaderOf = () => undefined): TopicMessages[][] {
  // Each partition's messages cut into runs of at most maxBytes, in order.
  interface Run {
    topic: string;
    partition: number | undefined;
    messages: Message[];
    bytes: number;
  }
  const runsByBroker = new Map<string, Run[]>();
  for (const { topic, messages } of outputs) {
    const byPartition = new Map<number | undefined, Message[]>();
    for (const message of messages) {
      const list = byPartition.get(message.partition);
      if (list === undefined) byPartition.set(message.partition, [message]);
      else list.push(message);
    }
    for (const [partition, partitionMessages] of byPartition) {
      const leader = partition === undefined ? undefined : leaderOf(topic, partition);
      const brokerKey = leader === undefined ? `partition:${topic}/${String(partition)}` : `leader:${leader}`;
      let runs = runsByBroker.get(brokerKey);
      if (runs === undefined) runsByBroker.set(brokerKey, (runs = []));
      let current: Run = { topic, partition, messages: [], bytes: 0 };
      for (const message of partitionMessages) {
        const size = messageBytes(message);
        if (current.messages.length > 0 && current.bytes + size > maxBytes) {
          runs.push(current);
          current = { topic, partition, messages: [], bytes: 0 };
        }
        current.messages.push(message);
        current.bytes += size;
      }
      if (current.messages.length > 0) runs.push(current);
    }
  }
  // Runs of one broker packed into sends under maxBytes. kafkajs writes one record batch per
  // partition and request, so a partition must appear once per send: it does, because a partition's
  // next run began where the two together passed maxBytes, so it never fits beside the one before.
  const requests: TopicMessages[][] = [];
  for (const runs of runsByBroker.values()) {
    let request: TopicMessages[] = [];
    let bytes = 0;
    for (const run of runs) {
      if (request.length > 0 && bytes + run.bytes > maxBytes) {
        requests.push(request);
        request = [];
        bytes = 0;
      }
      const sameTopic = request.find((t) => t.topic === run.topic);
      if (sameTopic === undefined) request.push({ topic: run.topic, messages: run.messages });
      else sameTopic.messages = [...sameTopic.messages, ...run.messages];
      bytes += run.bytes;
    }
    if (request.length > 0) requests.push(request);
  }
  return requests;
}

/**
 * Where a committed batch left each partition it wrote: `topic/partition` -> the offset after its
 * last record there (the produce responses' base offsets plus the records sent). The task
 * checkpoints its state store at the changelog's entry.
 */
export type WrittenPositions = Map<string, bigint>;

export const positionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

/**
 * What a send's answer gets wrong about its request: every partition the request wrote must be
 * answered exactly once. kafkajs 2.2.4 retries a send spanning several brokers per broker object
 * (producer/sendMessages.js): when a leader moves between attempts, a partition already written is
 * sent again with fresh sequence numbers (the broker appends it twice, inside the transaction), and
 * a partition whose new leader already answered is never sent at all, yet the send resolves. The
 * soak caught both (issue 18); either answer aborts the transaction, and the batch is redone.
 */
export function answerMismatches(request: readonly TopicMessages[], metadata: readonly RecordMetadata[]): string[] {
  const answered = new Map<string, number>();
  for (const written of metadata) {
    const key = positionKey(written.topicName, written.partition);
    answered.set(key, (answered.get(key) ?? 0) + 1);
  }
  // A partition's messages sit together in a request, so a key is made per run of one partition, not per message.
  const requested = new Set<string>();
  for (const { topic, messages } of request) {
    let previous: number | undefined;
    for (const message of messages) {
      const partition = message.partition ?? -1;
      if (partition !== previous) requested.add(positionKey(topic, partition));
      previous = partition;
    }
  }
  const problems: string[] = [];
  for (const key of [...requested].sort()) {
    const times = answered.get(key) ?? 0;
    if (times !== 1) problems.push(`${key} answered ${times} times`);
  }
  for (const key of [...answered.keys()].sort()) if (!requested.has(key)) problems.push(`${key} answered but never requested`);
  return problems;
}

export async function sendRecordingPositions(send: (request: TopicMessages[]) => Promise<RecordMetadata[]>, request: TopicMessages[], positions: WrittenPositions): Promise<void> {
  const metadata = await send(request);
  const mismatches = answerMismatches(request, metadata);
  if (mismatches.length > 0) {
    const first = request[0];
    throw new KafkaOperationError('PRODUCE_ANSWER_MISMATCH', `the producer's answer does not match what was sent (${mismatches.join('; ')}): the batch is aborted and redone`, {
      context: { topic: first?.topic, partition: first?.messages[0]?.partition },
    });
  }
  for (const written of metadata) {
    if (written.baseOffset === undefined) continue;
    const sent = request.find((t) => t.topic === written.topicName)?.messages.filter((m) => m.partition === written.partition).length ?? 0;
    const next = BigInt(written.baseOffset) + BigInt(sent);
    const key = positionKey(written.topicName, written.partition);
    if (next > (positions.get(key) ?? -1n)) positions.set(key, next);
  }
}
