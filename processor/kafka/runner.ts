/**
 * The consume-transform-produce loop: one group consumer over both input topics (co-partitioned
 * assignment), one Task per owned partition, a per-task mutex so the two inputs of a partition are
 * never processed concurrently, bounded transactions, recovery from fencing, broker loss and
 * consumer crashes, and a clean SIGTERM path.
 */
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import type { InputSource } from '../core/api.js';
import { CoPartitionedAssigner } from '../io/assigner.js';
import type { InputTopic } from '../config/inputs.js';
import { InvariantError, type ProcessingHaltedError } from '../errors.js';
import { classifyKafkaError, type FailureKind } from '../io/kafka-errors.js';
import { Task, type TaskDeps } from './task.js';
import { consumerRestartDelayMs, dropTask, moveSlot, newSlot, notePermanentFailure, taskRebuildDelayMs, type Slot } from './task-slot.js';
import { INPUT_FETCH_BYTES_PER_PARTITION } from '../io/topics.js';
import type { InputOffsets } from './transactions.js';
import { logEvent } from '../log-events.js';

/** What every task needs (TaskDeps) but the clock and the offset committer, which the runner supplies. */
export interface RunnerOptions extends Omit<TaskDeps, 'now' | 'commitOffsets'> {
  logger: Logger;
  /** Upper bound on inputs per transaction (latency vs. throughput). */
  maxInputsPerTransaction: number;
  partitionsConsumedConcurrently: number;
  now?: () => Date;
  /**
   * Consecutive failures of one batch (or of one task start) with a permanent error after which
   * the runner halts. Each retry rebuilds the task with backoff, so a spurious classification costs
   * seconds, not the service; a real one stops the loop instead of spinning silently.
   */
  maxPermanentFailures?: number;
  /** Called once when the runner halts; the owner stops it and exits non-zero (a supervisor restarts it). */
  onHalt?: (error: ProcessingHaltedError) => void;
}

export const DEFAULT_MAX_PERMANENT_FAILURES = 5;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class ProcessorRunner {
  private consumer: Consumer | undefined;
  private readonly slots = new Map<number, Slot>();
  private generation = 0;
  private stopping = false;
  private restarting = false;
  private halted: ProcessingHaltedError | undefined;
  private readonly now: () => Date;

  /** Every input topic (telemetry ones, then operator): subscribed, seeked and committed together. */
  private readonly inputs: InputTopic[];

  constructor(private readonly options: RunnerOptions) {
    this.now = options.now ?? (() => new Date());
    this.inputs = [...options.inputTopics];
  }

  async start(): Promise<void> {
    const consumer = this.createConsumer();
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: this.inputs.map((i) => i.topic), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.options.logger.info({ ...logEvent('consumer_running'), group_id: this.options.groupId, guarantee: this.options.guarantee }, 'consumer running');
  }

  private createConsumer(): Consumer {
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      readUncommitted: false,
      partitionAssigners: [CoPartitionedAssigner],
      allowAutoTopicCreation: false,
      // A crashed (SIGKILLed) member holds its partitions until the session times out; kafkajs
      // heartbeats between batches and during restore, so 10 s is ample and bounds takeover time.
      sessionTimeout: 10_000,
      rebalanceTimeout: 30_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 200,
      // One whole batch of the largest accepted input, so an oversized record is fetched (and
      // dead-lettered) at once instead of waiting to be the first non-empty partition of a fetch.
      maxBytesPerPartition: INPUT_FETCH_BYTES_PER_PARTITION,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.generation += 1;
      const assignment = event.payload.memberAssignment;
      this.options.logger.info(
        { ...logEvent('group_joined'), generation: this.generation, member_id: event.payload.memberId, is_leader: event.payload.isLeader, assignment },
        'group joined',
      );
      const owned = new Set(Object.values(assignment).flat());
      for (const slot of this.slots.values()) {
        if (!owned.has(slot.partition)) void slot.mutex.run(() => dropTask(slot, 'partition revoked'));
      }
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.options.logger.error({ ...logEvent('consumer_crashed'), err: error, restart }, 'consumer crashed');
      // kafkajs restarts itself after retriable failures; otherwise we rebuild the consumer.
      if (!restart && !this.stopping) void this.restartConsumer();
    });
    return consumer;
  }

  private async restartConsumer(): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    try {
      for (let attempt = 1; !this.stopping; attempt += 1) {
        await this.consumer?.disconnect().catch(() => undefined);
        await this.dropAllTasks('consumer restart');
        await sleep(consumerRestartDelayMs(attempt));
        if (this.stopping) return;
        try {
          await this.start();
          this.options.logger.info({ attempt }, 'consumer restarted');
          return;
        } catch (error) {
          this.options.logger.warn({ err: error, attempt }, 'consumer restart failed; backing off');
        }
      }
    } finally {
      this.restarting = false;
    }
  }

  private slotFor(partition: number): Slot {
    let slot = this.slots.get(partition);
    if (!slot) {
      slot = newSlot(partition, this.options.logger.child({ partition }));
      this.slots.set(partition, slot);
    }
    return slot;
  }

  private async dropAllTasks(reason: string): Promise<void> {
    await Promise.all([...this.slots.values()].map((slot) => slot.mutex.run(() => dropTask(slot, reason))));
  }

  private sourceOf(topic: string): InputSource {
    const input = this.inputs.find((i) => i.topic === topic);
    if (input === undefined) throw new InvariantError('UNKNOWN_INPUT_TOPIC', `the consumer delivered ${topic}, which is no input topic`, { context: { topic } });
    return input.source;
  }

  private readonly commitOffsetsAtLeastOnce = async (offsets: InputOffsets): Promise<void> => {
    const consumer = this.consumer;
    if (!consumer) return;
    await consumer.commitOffsets(Object.entries(offsets.next).map(([topic, offset]) => ({ topic, partition: offsets.partition, offset })));
  };

  /** Builds the task if it is missing or from an older generation, then seeks both inputs to its committed offsets. */
  private async ensureTask(slot: Slot, heartbeat: () => Promise<void>): Promise<{ task: Task; fresh: boolean }> {
    if (slot.task && slot.generation === this.generation) return { task: slot.task, fresh: false };
    await dropTask(slot, 'rebalance');
    if (slot.failures > 0) await sleep(taskRebuildDelayMs(slot.failures));
    const generation = this.generation;
    const { kafka, core, primitives, appId, groupId, topics, guarantee, stateDir, inputTopics, inputSpecs, checkpoints } = this.options;
    moveSlot(slot, 'starting');
    slot.logger.info({ ...logEvent('task_starting'), generation }, 'task starting');
    let task: Task;
    try {
      task = await Task.start(
        { kafka, core, primitives, appId, groupId, topics, guarantee, stateDir, inputTopics, inputSpecs, checkpoints, now: this.now, commitOffsets: this.commitOffsetsAtLeastOnce },
        slot.partition,
        slot.logger,
        heartbeat,
      );
    } catch (error) {
      moveSlot(slot, 'absent');
      throw error;
    }
    moveSlot(slot, 'ready');
    slot.task = task;
    slot.generation = generation;
    for (const { topic } of this.inputs) {
      this.consumer?.seek({ topic, partition: slot.partition, offset: task.nextOffset(topic) });
    }
    return { task, fresh: true };
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const slot = this.slotFor(batch.partition);
    await slot.mutex.run(async () => {
      if (!isRunning() || isStale() || this.stopping) return;
      let task: Task;
      try {
        const ensured = await this.ensureTask(slot, heartbeat);
        task = ensured.task;
        // A fresh task seeked both inputs to the committed offsets; this batch may predate that.
        if (ensured.fresh && isStale()) return;
      } catch (error) {
        slot.failures += 1;
        const kind = classifyKafkaError(error);
        this.notePermanent(slot, kind, 'task start', error, {});
        if (kind === 'retriable' || kind === 'fenced')
          slot.logger.warn({ ...logEvent('task_start_failed'), err: error, failures: slot.failures, kind }, 'task start failed; will retry');
        return;
      }
      const from = BigInt(task.nextOffset(batch.topic));
      const pending = batch.messages.filter((m) => BigInt(m.offset) >= from);
      if (pending.length === 0) {
        // Everything here was already committed by an earlier owner of the partition.
        const last = batch.messages[batch.messages.length - 1];
        if (last) resolveOffset(last.offset);
        return;
      }
      const source = this.sourceOf(batch.topic);
      const max = this.options.maxInputsPerTransaction;
      for (let i = 0; i < pending.length; i += max) {
        if (!isRunning() || isStale() || this.stopping) return;
        const chunk = pending.slice(i, i + max);
        moveSlot(slot, 'committing');
        try {
          // The last chunk commits past any transaction markers that end the fetch.
          const stats = await task.processChunk(source, batch.topic, chunk, i + max >= pending.length ? batch.lastOffset() : undefined);
          moveSlot(slot, 'ready');
          resolveOffset(stats.lastOffset);
          // Only a commit proves recovery; a task that starts but cannot commit keeps backing off.
          slot.failures = 0;
          slot.permanent = undefined;
          slot.logger.info(
            {
              ...logEvent('batch_committed'),
              topic: batch.topic,
              inputs: stats.inputs,
              first_offset: stats.firstOffset,
              last_offset: stats.lastOffset,
              outputs: stats.outputs,
              txn_ms: stats.transactionMs,
              lag: batch.offsetLag(),
              decisions: stats.decisions,
            },
            'batch committed',
          );
        } catch (error) {
          moveSlot(slot, 'failed');
          slot.failures += 1;
          const kind = classifyKafkaError(error);
          const firstOffset = chunk[0]?.offset;
          this.notePermanent(slot, kind, `${batch.topic}@${firstOffset}`, error, { topic: batch.topic, partition: slot.partition, offset: firstOffset });
          if (kind === 'retriable' || kind === 'fenced')
            slot.logger.warn({ ...logEvent('batch_failed'), err: error, kind, topic: batch.topic, first_offset: firstOffset }, 'batch failed; rebuilding task');
          await dropTask(slot, 'batch failed');
          return;
        }
        try {
          await heartbeat();
        } catch {
          // A rebalance is in progress: stop here; what is committed is resolved, the rest is refetched.
          return;
        }
      }
    });
  }

  /** Records a failure of `at`; when the same work failed permanently too often in a row, halts the runner (once). */
  private notePermanent(slot: Slot, kind: FailureKind, at: string, error: unknown, context: Record<string, unknown>): void {
    const halted = notePermanentFailure(slot, kind, at, error, context, this.options.maxPermanentFailures ?? DEFAULT_MAX_PERMANENT_FAILURES);
    if (halted === undefined || this.halted) return;
    this.halted = halted;
    this.stopping = true;
    slot.logger.fatal({ ...logEvent('processing_halted'), err: halted, code: halted.code, ...halted.context }, 'processing halted');
    this.options.onHalt?.(halted);
  }

  /** SIGTERM: stop fetching, let the in-flight batch finish (or abort it), leave the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect().catch((error: unknown) => this.options.logger.warn({ err: error }, 'consumer disconnect failed'));
    await this.dropAllTasks('shutdown');
    this.options.logger.info(logEvent('processor_stopped'), 'processor stopped');
  }
}
