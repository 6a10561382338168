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
import type { Kafka, Producer, Transaction } from 'kafkajs';
import type { Logger } from 'pino';
import { InvariantError, ProducerFencedError } from '../errors.js';
import { withAdmin } from '../io/client.js';
import { classifyKafkaError, toShellError } from '../io/kafka-errors.js';
import type { LeaderOf } from '../io/topics.js';
import { MAX_BATCH_BYTES, positionKey, sendRecordingPositions, splitIntoRequests, type TopicMessages, type WrittenPositions } from './send-plan.js';
import { nextTransactionState, type TransactionState } from './transaction-states.js';
import { logEvent } from '../log-events.js';

const { Partitioners } = kafkajs;

export type ProcessingGuarantee = 'exactly_once' | 'at_least_once';
export type { TransactionState } from './transaction-states.js';

/** The key of the empty record abortLeftovers writes (and aborts) on each partition. */
const LEFTOVER_ABORT_KEY = 'exoarmur/abort-leftovers';

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
