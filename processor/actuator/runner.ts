/**
 * The reference actuator's consume loop: one group consumer over the execute topic
 * (read_committed), one ActuatorPartition per owned partition, rebuilt after a rebalance or a
 * failed transaction (the rebuild fences, restores and re-reads the committed offset, so nothing
 * half-done survives it). A partition's intents are performed in chunks (partition.ts), one chunk
 * at a time; partitions run concurrently.
 */
import type { Logger } from 'pino';
import type { Consumer, EachBatchPayload } from '../io/client.js';
import { KAFKA_RETRY } from '../io/client.js';
import { classifyKafkaError } from '../io/kafka-errors.js';
import { Mutex } from '../kafka/mutex.js';
import { logEvent } from '../log-events.js';
import { ActuatorPartition, type ActuatorDeps } from './partition.js';

interface Slot {
  mutex: Mutex;
  worker: ActuatorPartition | undefined;
  generation: number;
  failures: number;
  logger: Logger;
}

export interface ActuatorCounts {
  succeeded: number;
  failed: number;
  gave_up: number;
  skipped: number;
  unreadable: number;
}

export class ActuatorRunner {
  private consumer: Consumer | undefined;
  private readonly slots = new Map<number, Slot>();
  private generation = 0;
  private stopping = false;
  readonly counts: ActuatorCounts = { succeeded: 0, failed: 0, gave_up: 0, skipped: 0, unreadable: 0 };

  constructor(
    private readonly deps: ActuatorDeps,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const consumer = this.deps.kafka.consumer({
      groupId: this.deps.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      // A SIGKILLed member holds its partitions until its session times out: 10 s bounds takeover.
      sessionTimeout: 10_000,
      rebalanceTimeout: 30_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 200,
      retry: KAFKA_RETRY,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.generation += 1;
      const owned = new Set(Object.values(event.payload.memberAssignment).flat());
      for (const [partition, slot] of this.slots) if (!owned.has(partition)) void slot.mutex.run(() => this.drop(slot, 'partition revoked'));
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.deps.topics.execute], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 4, eachBatch: (payload) => this.onBatch(payload) });
    this.logger.info({ ...logEvent('actuator_running'), group_id: this.deps.groupId, driver: this.deps.driver.name, topic: this.deps.topics.execute }, 'actuator running');
  }

  private slotFor(partition: number): Slot {
    let slot = this.slots.get(partition);
    if (slot === undefined) {
      slot = { mutex: new Mutex(), worker: undefined, generation: -1, failures: 0, logger: this.logger.child({ partition }) };
      this.slots.set(partition, slot);
    }
    return slot;
  }

  private async drop(slot: Slot, reason: string): Promise<void> {
    const worker = slot.worker;
    slot.worker = undefined;
    if (worker !== undefined) {
      slot.logger.info({ reason }, 'dropping actuator partition');
      await worker.close();
    }
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const slot = this.slotFor(batch.partition);
    await slot.mutex.run(async () => {
      if (!isRunning() || isStale() || this.stopping) return;
      if (slot.worker === undefined || slot.generation !== this.generation) {
        await this.drop(slot, 'rebalance');
        if (slot.failures > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** slot.failures, 8_000)));
        const generation = this.generation;
        try {
          slot.worker = await ActuatorPartition.start(this.deps, batch.partition, slot.logger, heartbeat);
          slot.generation = generation;
        } catch (error) {
          slot.failures += 1;
          slot.logger.warn({ err: error, kind: classifyKafkaError(error), failures: slot.failures }, 'actuator partition start failed; will retry');
          return;
        }
        this.consumer?.seek({ topic: batch.topic, partition: batch.partition, offset: slot.worker.nextOffset() });
        // The seek refetches from the committed offset; this batch may predate it.
        return;
      }
      const worker = slot.worker;
      const from = BigInt(worker.nextOffset());
      const fetched = batch.messages.filter((message) => BigInt(message.offset) >= from);
      if (fetched.length === 0) return;
      try {
        const handled = await worker.handle(fetched, heartbeat, () => isRunning() && !isStale() && !this.stopping);
        for (const h of handled) {
          if ('unreadable' in h) this.counts.unreadable += 1;
          else if (h.skipped) this.counts.skipped += 1;
          else this.counts[h.outcome] += 1;
        }
        slot.failures = 0;
        if (handled.length > 0) resolveOffset(fetched[handled.length - 1]!.offset);
        await heartbeat();
      } catch (error) {
        slot.failures += 1;
        slot.logger.warn({ err: error, kind: classifyKafkaError(error), offset: worker.nextOffset() }, 'actuator transaction failed; rebuilding the partition');
        await this.drop(slot, 'transaction failed');
      }
    });
  }

  /** SIGTERM: stop fetching, let the chunk in hand finish or abort its transaction, leave the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect().catch((error: unknown) => this.logger.warn({ err: error }, 'consumer disconnect failed'));
    await Promise.all([...this.slots.values()].map((slot) => slot.mutex.run(() => this.drop(slot, 'shutdown'))));
    this.logger.info({ ...logEvent('actuator_stopped'), counts: this.counts }, 'actuator stopped');
  }
}
