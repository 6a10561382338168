/**
 * The transactional writer of one task: its producer and the transaction lifecycle of
 * transaction-states.ts, whose table every state change goes through.
 *
 * `open()` fences the previous owner of the transactional id: InitProducerId bumps the epoch and
 * aborts whatever transaction a crashed or zombie instance left open, so from here on nothing of
 * theirs can commit. A batch's outputs and its consumer offsets go in one transaction, so a crash
 * before commit leaves nothing visible and after commit all of it. A fenced writer refuses further
 * batches with the fenced error, whose recovery is to rebuild the task with a new producer.
 *
 * The at-least-once guarantee (benchmark comparison only) skips transactions: acks=-1 produce,
 * then commit the group offsets.
 */
import kafkajs from 'kafkajs';
import type { Kafka, Message, Producer, RecordMetadata, Transaction } from 'kafkajs';
import type { Logger } from 'pino';
import { InvariantError, KafkaOperationError, ProducerFencedError } from '../errors.js';
import { withAdmin } from '../io/client.js';
import { classifyKafkaError, toShellError } from '../io/kafka-errors.js';
import type { LeaderOf } from '../io/topics.js';
import { nextTransactionState, type TransactionState } from './transaction-states.js';
import { logEvent } from '../log-events.js';

const { Partitioners } = kafkajs;

export type ProcessingGuarantee = 'exactly_once' | 'at_least_once';
export type { TransactionState } from './transaction-states.js';

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

async function sendRecordingPositions(send: (request: TopicMessages[]) => Promise<RecordMetadata[]>, request: TopicMessages[], positions: WrittenPositions): Promise<void> {
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

/** The key of the empty record abortLeftovers writes (and aborts) on each partition. */
export const LEFTOVER_ABORT_KEY = 'exoarmur/abort-leftovers';

/** Offsets [from, to) of one partition that a previous transaction left hanging (abortLeftovers). */
export interface LeftoverRange {
  topic: string;
  partition: number;
  from: bigint;
  to: bigint;
}

/** The next offset to consume, per input topic, committed with the batch. */
export interface InputOffsets {
  consumerGroupId: string;
  partition: number;
  next: Record<string, string>;
}

export interface TransactionalWriterOptions {
  kafka: Kafka;
  transactionalId: string;
  guarantee: ProcessingGuarantee;
  logger: Logger;
  /** at_least_once only: commits the consumer offsets after the produce is acknowledged. */
  commitOffsets: (offsets: InputOffsets) => Promise<void>;
  transactionTimeoutMs?: number;
  /** The leaders of the partitions this writer produces to, so that one send carries all of a broker's partitions. */
  leaderOf?: LeaderOf;
}

export class TransactionalWriter {
  private producer: Producer | undefined;
  private current: Transaction | undefined;
  private stateValue: TransactionState = 'closed';

  constructor(private readonly options: TransactionalWriterOptions) {}

  get state(): TransactionState {
    return this.stateValue;
  }

  private transition(to: TransactionState): void {
    this.stateValue = nextTransactionState(this.stateValue, to, { transactionalId: this.options.transactionalId });
  }

  /** Connects and fences the previous owner of this transactional id (begin + abort). */
  async open(): Promise<void> {
    this.transition('opening');
    const exactlyOnce = this.options.guarantee === 'exactly_once';
    const producer = this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      ...(exactlyOnce ? { transactionalId: this.options.transactionalId, transactionTimeout: this.options.transactionTimeoutMs ?? 60_000 } : {}),
      allowAutoTopicCreation: false,
      // Every record names its partition; the partitioner is set only so kafkajs does not warn.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.producer = producer;
    try {
      await producer.connect();
      if (exactlyOnce) {
        const started = Date.now();
        const fence = await producer.transaction();
        await fence.abort();
        this.options.logger.info(
          { ...logEvent('producer_fenced_previous'), transactional_id: this.options.transactionalId, fence_ms: Date.now() - started },
          'fenced previous owner',
        );
      }
    } catch (error) {
      await this.close();
      throw toShellError(error, 'opening the transactional producer', { transactionalId: this.options.transactionalId });
    }
    this.transition('idle');
  }

  /**
   * Aborts what a previous owner's transaction may have left hanging on this task's `partitions`
   * and on the group's offsets, after the fence and after restore (exactly_once only).
   *
   * Why (seen in the kills test on a single-node Kafka 4.4): a broker killed right after a
   * transaction's PrepareCommit is written restarts, and its transaction coordinator completes that
   * transaction before the partitions have a leader again: it logs "Couldn't find leader endpoint
   * ... likely deleted already and hence can be skipped", writes CompleteCommit and no marker at
   * all. The records then hang past the last stable offset (so restore and the group's offsets do
   * not count them and the batch is redone), and the producer's NEXT marker on each partition, from
   * any epoch, ends them too: the redo's commit made both copies visible, with the group's pending
   * offset. Aborting here, before the first batch, makes that marker an abort: the hanging records
   * are never visible, and the redone batch is the one copy. Restore ran first on purpose: it read
   * up to the last stable offset, so the store never holds what this abort removes.
   *
   * The transaction writes one empty record keyed LEFTOVER_ABORT_KEY to each partition (Kafka adds a
   * partition to a transaction only through a send; a compacted topic refuses a keyless record) and
   * the current input offsets, then aborts: read_committed readers never see any of it. Returns the ranges that were hanging (empty on a healthy start).
   */
  async abortLeftovers(partitions: ReadonlyArray<{ topic: string; partition: number }>, offsets: InputOffsets): Promise<LeftoverRange[]> {
    const producer = this.producer;
    if (this.options.guarantee !== 'exactly_once' || partitions.length === 0) return [];
    if (!producer) throw new InvariantError('TRANSACTION_STATE', `abortLeftovers on a ${this.stateValue} writer`, { context: { partition: offsets.partition } });
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const stable = await withAdmin(this.options.kafka, async (admin) => {
      const marks = new Map<string, bigint>();
      for (const topic of topics) for (const o of await admin.fetchTopicOffsets(topic)) marks.set(positionKey(topic, o.partition), BigInt(o.high));
      return marks;
    });
    const outputs: TopicMessages[] = topics.map((topic) => ({
      topic,
      messages: partitions.filter((p) => p.topic === topic).map((p) => ({ partition: p.partition, key: LEFTOVER_ABORT_KEY, value: null })),
    }));
    const written: WrittenPositions = new Map();
    this.transition('begun');
    let transaction: Transaction;
    try {
      transaction = await this.writeInTransaction(producer, outputs, offsets, written);
    } catch (error) {
      await this.abortAfter(error, offsets.partition);
      throw toShellError(error, 'aborting leftover transactions', { partition: offsets.partition });
    }
    this.transition('aborting');
    this.current = undefined;
    try {
      await transaction.abort();
    } catch (error) {
      // As after a failed batch: a producer whose abort did not complete is rebuilt with the task.
      this.transition('fenced');
      throw toShellError(error, 'aborting leftover transactions', { partition: offsets.partition });
    }
    this.transition('idle');
    const leftovers: LeftoverRange[] = [];
    for (const { topic, partition } of partitions) {
      const key = positionKey(topic, partition);
      const lastStable = stable.get(key);
      const after = written.get(key);
      // The empty record went in at the log end: anything between the last stable offset and it was hanging.
      if (lastStable !== undefined && after !== undefined && after - 1n > lastStable) leftovers.push({ topic, partition, from: lastStable, to: after - 1n });
    }
    if (leftovers.length > 0) {
      this.options.logger.warn(
        {
          ...logEvent('leftover_transaction_aborted'),
          transactional_id: this.options.transactionalId,
          ranges: leftovers.map((r) => ({ topic: r.topic, partition: r.partition, from: r.from.toString(), to: r.to.toString() })),
        },
        'records a previous transaction left hanging were aborted before processing',
      );
    }
    return leftovers;
  }

  /** Writes one batch's outputs and input offsets atomically (or, at_least_once, in that order); resolves once committed. */
  async commitBatch(outputs: TopicMessages[], offsets: InputOffsets): Promise<WrittenPositions> {
    if (this.stateValue === 'fenced') {
      throw new ProducerFencedError(`transactional id ${this.options.transactionalId} was fenced: rebuild the task with a new producer`, {
        context: { partition: offsets.partition },
      });
    }
    const producer = this.producer;
    if (!producer) throw new InvariantError('TRANSACTION_STATE', `commitBatch on a ${this.stateValue} writer`, { context: { partition: offsets.partition } });
    const topicMessages = outputs.filter((t) => t.messages.length > 0);
    const positions: WrittenPositions = new Map();
    if (this.options.guarantee === 'at_least_once') {
      this.transition('committing');
      try {
        for (const request of splitIntoRequests(topicMessages, MAX_BATCH_BYTES, this.options.leaderOf))
          await sendRecordingPositions((topicMessages) => producer.sendBatch({ topicMessages, acks: -1 }), request, positions);
        await this.options.commitOffsets(offsets);
      } catch (error) {
        // Nothing to abort without a transaction: what was produced stays, and is produced again.
        this.transition('idle');
        throw toShellError(error, 'at-least-once produce/commit', { partition: offsets.partition });
      }
      this.transition('idle');
      return positions;
    }
    this.transition('begun');
    try {
      const transaction = await this.writeInTransaction(producer, topicMessages, offsets, positions);
      this.transition('committing');
      await transaction.commit();
      this.current = undefined;
      this.transition('idle');
    } catch (error) {
      await this.abortAfter(error, offsets.partition);
      throw toShellError(error, 'committing the batch transaction', { partition: offsets.partition });
    }
    return positions;
  }

  /** Begins a transaction and writes `outputs` (one broker per send) and `offsets` into it; the caller ends it. */
  private async writeInTransaction(producer: Producer, outputs: TopicMessages[], offsets: InputOffsets, positions: WrittenPositions): Promise<Transaction> {
    const transaction = await producer.transaction();
    this.current = transaction;
    for (const request of splitIntoRequests(outputs, MAX_BATCH_BYTES, this.options.leaderOf))
      await sendRecordingPositions((topicMessages) => transaction.sendBatch({ topicMessages, acks: -1 }), request, positions);
    await transaction.sendOffsets({
      consumerGroupId: offsets.consumerGroupId,
      topics: Object.entries(offsets.next).map(([topic, offset]) => ({ topic, partitions: [{ partition: offsets.partition, offset }] })),
    });
    return transaction;
  }

  private async abortAfter(error: unknown, partition: number): Promise<void> {
    const transaction = this.current;
    this.current = undefined;
    if (classifyKafkaError(error) === 'fenced') {
      this.transition('fenced');
      return;
    }
    this.transition('aborting');
    try {
      if (transaction?.isActive()) await transaction.abort();
      this.transition('idle');
    } catch (abortError) {
      // An abort that cannot complete leaves the producer unusable; the task is rebuilt, and the
      // next owner's fence aborts the transaction on the broker.
      this.transition('fenced');
      this.options.logger.warn({ partition, err: abortError }, 'abort failed; producer will be recreated');
    }
  }

  /** SIGTERM path: abort a transaction left open (never commit a half-built batch), disconnect. */
  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (this.current?.isActive()) {
      try {
        await this.current.abort();
      } catch {
        // The broker aborts it on transaction timeout or at the next owner's fence.
      }
    }
    this.current = undefined;
    if (this.stateValue !== 'closed') this.transition('closed');
    if (producer) {
      try {
        await producer.disconnect();
      } catch {
        // Disconnecting a producer whose broker is gone has nothing left to release.
      }
    }
  }
}
