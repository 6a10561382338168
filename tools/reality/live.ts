/**
 * The run's Kafka access, all of it: topic creation, deliveries with their exact coordinates,
 * operator actions, group progress, the committed trail read back, and the topic facts of
 * storage_state.json. Every other harness module reaches the broker only through `RunKafka`.
 */
import { decodeOperatorAction, decodeRecord } from '../../processor/codec/index.js';
import type { AuditRecordV1, ConfigSnapshotV1, ExecutionIntentV1, ExecutionResultV1, OperatorActionV1 } from '../../processor/core/types.js';
import { resultsTopic } from '../../processor/config/defaults.js';
import type { Topics } from '../../processor/config/types.js';
import { ExoArmurError } from '../../processor/errors.js';
import { createKafka, withAdmin, type CreateKafkaOptions, type Kafka, type Producer } from '../../processor/io/client.js';
import { committedShare, groupProgress, topicWatermarks } from '../../processor/io/offsets.js';
import { createPlainProducer, sendPartitioner } from '../../processor/io/produce.js';
import { checkpointTopicSpec, ensureTopics, partitionReplicas, topicSpecs, topicStorage, type PartitionReplicas, type StorageFacts } from '../../processor/io/topics.js';
import type { CheckpointV1 } from '../../processor/core/checkpoint.js';
import { readPartitions, readTopic } from '../../processor/io/read.js';
import { publishAction, type PublishedAction, type PublishTarget } from '../operator/publish.js';
import { readRunOutcomes, type RunOutcomes } from '../process/outcomes.js';
import { telemetryKey } from '../inject/inject.js';
import type { Delivery, Outgoing, Trail } from './analysis.js';

export interface Progress {
  committed: bigint;
  total: bigint;
  lagging: string[];
}

export type { StorageFacts, TopicFacts } from '../../processor/io/topics.js';

export class RunKafka {
  private readonly kafka: Kafka;
  private actionProducer: Producer | null = null;
  private offerProducer: Producer | null = null;
  /** The input topics' partition count, once ensureTopics made them. */
  private partitions: number | null = null;

  constructor(
    brokers: string,
    clientId: string,
    readonly topics: Topics,
    readonly group: string,
    /** The run's signed-checkpoint topic (config `checkpoints.topic`). */
    readonly checkpointTopic: string,
    login: Pick<CreateKafkaOptions, 'sasl' | 'tls'> = {},
  ) {
    this.kafka = createKafka({ brokers: brokers.split(','), clientId, ...login });
  }

  async ensureTopics(prefix: string, partitions: number): Promise<void> {
    this.partitions = partitions;
    await withAdmin(this.kafka, (admin) => ensureTopics(admin, [...topicSpecs({ prefix, partitions }), checkpointTopicSpec(this.checkpointTopic, partitions)]));
  }

  /** Sends each record as its own acks=all request, so every delivery's partition and offset is known. */
  async deliver(items: readonly Outgoing[]): Promise<Delivery[]> {
    const topic = this.topics.telemetry;
    return this.withDeliveryProducer(async (producer) => {
      const out: Delivery[] = [];
      for (const item of items) {
        const [meta] = await producer.send({ topic, acks: -1, messages: [messageOf(item)] });
        if (!meta) throw new ExoArmurError('DELIVERY_UNCONFIRMED', `the broker confirmed no offset for a telemetry delivery to ${topic}`, { context: { topic } });
        out.push({ ...item, partition: meta.partition, offset: meta.baseOffset ?? '-1' });
      }
      return out;
    });
  }

  /** A burst sent in one request per partition batch: a kill lands while its batches are in flight. */
  async deliverBurst(items: readonly Outgoing[]): Promise<Delivery[]> {
    return this.withDeliveryProducer(async (producer) => this.sendBurst(producer, items));
  }

  /** A steady load's burst on one producer kept for the run (closed by `close`), so each tick is one request, not a new producer. */
  async offer(items: readonly Outgoing[]): Promise<Delivery[]> {
    if (!this.offerProducer) {
      const producer = createPlainProducer(this.kafka, { idempotent: true });
      await producer.connect();
      this.offerProducer = producer;
    }
    return this.sendBurst(this.offerProducer, items);
  }

  private async sendBurst(producer: Producer, items: readonly Outgoing[]): Promise<Delivery[]> {
    const topic = this.topics.telemetry;
    const metas = await producer.send({ topic, acks: -1, messages: items.map(messageOf) });
    // One request: offsets per partition are consecutive from baseOffset in send order.
    const next = new Map(metas.map((m) => [m.partition, BigInt(m.baseOffset ?? '0')]));
    // Every partition of the topic: a small send may leave some without a record (and out of `metas`).
    const partitionOf = sendPartitioner(topic, this.partitions === null ? metas.map((m) => m.partition) : Array.from({ length: this.partitions }, (_, p) => p));
    return items.map((item) => {
      const partition = partitionOf(item.key, item.line);
      const offset = next.get(partition)!;
      next.set(partition, offset + 1n);
      return { ...item, partition, offset: offset.toString() };
    });
  }

  /** One signed action on the operator topic; the producer is kept for the run (closed by `close`). */
  async publishAction(action: OperatorActionV1, target: PublishTarget): Promise<PublishedAction> {
    if (!this.actionProducer) {
      const producer = createPlainProducer(this.kafka, { idempotent: true });
      await producer.connect();
      this.actionProducer = producer;
    }
    return publishAction(this.actionProducer, this.topics, action, target);
  }

  /** The group's committed progress over the three input topics, and the partitions not yet at their end. */
  async inputProgress(): Promise<Progress> {
    const rows = await groupProgress(this.kafka, this.group, this.inputTopicNames());
    const lagging = rows.filter((r) => r.high > r.low && r.committed !== r.high).map((r) => `${r.topic}/${r.partition} at ${r.committed ?? -1n} of ${r.high}`);
    return { ...committedShare(rows), lagging };
  }

  async readTrail(): Promise<Trail> {
    const t = this.topics;
    const [audit, execute, snapshots, actions, dlq, state, checkpoints] = await Promise.all([
      this.readDecoded<AuditRecordV1>(t.audit, (v, h) => decodeRecord('audit', v, h) as never),
      this.readDecoded<ExecutionIntentV1>(t.execute, (v, h) => decodeRecord('execute', v, h) as never),
      this.readDecoded<ConfigSnapshotV1>(t.config, (v, h) => decodeRecord('config', v, h) as never),
      this.readDecoded<OperatorActionV1>(t.operator_actions, (v, h) => decodeOperatorAction(v, h) as never),
      this.readDecoded<unknown>(t.dlq, (v, h) => decodeRecord('dlq', v, h) as never),
      this.readDecoded<unknown>(t.state, (v, h) => decodeRecord('state', v, h) as never),
      this.readDecoded<CheckpointV1>(this.checkpointTopic, (v, h) => decodeRecord('checkpoint', v, h) as never),
    ]);
    return {
      audit: audit.map((r) => r.value).sort((a, b) => a.input.partition - b.input.partition || a.seq - b.seq),
      execute: execute.map((r) => r.value),
      snapshots: snapshots.map((r) => r.value),
      actions,
      dlq: dlq.length,
      state: state.length,
      checkpoints: checkpoints.map((r) => r.value),
    };
  }

  /** The actuator's results (ExecutionResultV1) with their coordinates, by partition then offset. */
  async readResults(): Promise<Array<{ partition: number; offset: string; value: ExecutionResultV1 }>> {
    return this.readDecoded<ExecutionResultV1>(resultsTopic(this.topics), (v, h) => decodeRecord('result', v, h) as never);
  }

  /** The exactly-once read-back of the output topics (tools/process/outcomes). */
  async readOutcomes(): Promise<RunOutcomes> {
    return readRunOutcomes(this.kafka, { audit: this.topics.audit, execute: this.topics.execute, dlq: this.topics.dlq });
  }

  /** Partition counts, the retention-relevant configs and offsets of every run topic, and the group's commits. */
  async storageFacts(): Promise<StorageFacts> {
    return topicStorage(this.kafka, Object.values(this.topics), this.group, this.inputTopicNames());
  }

  /** The processor's input topics in this run: telemetry, operator actions, the actuator's results. */
  private inputTopicNames(): string[] {
    return [this.topics.telemetry, this.topics.operator_actions, resultsTopic(this.topics)];
  }

  /** Every record of the telemetry topic as it stands (read_committed): what was really delivered, acknowledged or not. */
  async readDeliveries(): Promise<Delivery[]> {
    const out: Delivery[] = [];
    await readTopic(this.kafka, {
      topic: this.topics.telemetry,
      onRecord: ({ partition, message }) => {
        const line = message.value?.toString('utf8') ?? '';
        out.push({ partition, offset: message.offset, line, key: message.key?.toString('utf8') ?? null, eventId: eventIdOf(line) });
      },
    });
    return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  }

  /** `topic/partition/offset` of every record of the operator topic as it stands. */
  async readActionCoordinates(): Promise<string[]> {
    const out: string[] = [];
    const topic = this.topics.operator_actions;
    await readTopic(this.kafka, { topic, onRecord: ({ partition, message }) => out.push(`${topic}/${partition}/${message.offset}`) });
    return out;
  }

  /**
   * Follows the audit topic from its start until `signal` aborts, handing each committed record
   * to `onRecord` (an operator at a console watching for approvals to decide).
   */
  async followAudit(partitions: number, onRecord: (record: AuditRecordV1) => void, signal: AbortSignal): Promise<void> {
    const topic = this.topics.audit;
    const ranges = new Map(Array.from({ length: partitions }, (_, p) => [p, { from: 0n, to: null }] as const));
    await readPartitions(this.kafka, {
      topic,
      ranges,
      purpose: 'following the audit trail',
      signal,
      onBatch: (_partition, messages) => {
        for (const message of messages) {
          const decoded = decodeRecord('audit', message.value, message.headers);
          if (decoded.ok) onRecord(decoded.value as AuditRecordV1);
        }
      },
    });
  }

  /** Leader and in-sync replicas of every partition of the run's topics. */
  async replicas(): Promise<PartitionReplicas[]> {
    return partitionReplicas(this.kafka, [...Object.values(this.topics), this.checkpointTopic]);
  }

  async close(): Promise<void> {
    await this.actionProducer?.disconnect();
    this.actionProducer = null;
    await this.offerProducer?.disconnect();
    this.offerProducer = null;
  }

  private async withDeliveryProducer<T>(use: (producer: Producer) => Promise<T>): Promise<T> {
    // Idempotent: a send retried across a broker kill cannot land twice, so the harness knows every delivery exactly.
    const producer = createPlainProducer(this.kafka, { idempotent: true });
    await producer.connect();
    try {
      return await use(producer);
    } finally {
      await producer.disconnect();
    }
  }

  /**
   * A follower of the execute and results topics: each poll reads only what they gained since the
   * previous one (read_committed, up to the end offsets of the moment), so waiting for results costs
   * what arrived, not the whole topics again every second.
   */
  followResults(): () => Promise<{ execute: ExecutionIntentV1[]; results: ExecutionResultV1[] }> {
    const executeAt = new Map<number, bigint>();
    const resultsAt = new Map<number, bigint>();
    return async () => {
      const [execute, results] = await Promise.all([
        this.readSince<ExecutionIntentV1>(this.topics.execute, (v, h) => decodeRecord('execute', v, h) as never, executeAt),
        this.readSince<ExecutionResultV1>(resultsTopic(this.topics), (v, h) => decodeRecord('result', v, h) as never, resultsAt),
      ]);
      return { execute, results };
    };
  }

  /** The records of `topic` from `positions` (each partition's next offset; its start when absent) to its end now; advances `positions`. */
  private async readSince<T>(
    topic: string,
    decode: (value: Buffer | null, headers: never) => { ok: true; value: T } | { ok: false; reason: string },
    positions: Map<number, bigint>,
  ): Promise<T[]> {
    return (await this.readRange(topic, decode, positions)).map((r) => r.value);
  }

  /** Every record of `topic` as it stands, decoded, with its coordinates, by partition then offset. */
  private async readDecoded<T>(
    topic: string,
    decode: (value: Buffer | null, headers: never) => { ok: true; value: T } | { ok: false; reason: string },
  ): Promise<Array<{ partition: number; offset: string; value: T }>> {
    return (await this.readRange(topic, decode, new Map())).map((r) => ({ partition: r.partition, offset: r.offset.toString(), value: r.value }));
  }

  /** The one read of both: `positions` (absent partitions from their start) to each end now, then `positions` advanced to those ends. */
  private async readRange<T>(
    topic: string,
    decode: (value: Buffer | null, headers: never) => { ok: true; value: T } | { ok: false; reason: string },
    positions: Map<number, bigint>,
  ): Promise<Array<{ partition: number; offset: bigint; value: T }>> {
    const marks = await topicWatermarks(this.kafka, topic);
    const ranges = new Map([...marks].map(([p, m]) => [p, { from: positions.get(p) ?? m.low, to: m.high }]));
    const out: Array<{ partition: number; offset: bigint; value: T }> = [];
    await readPartitions(this.kafka, {
      topic,
      ranges,
      purpose: `reading ${topic}`,
      onBatch: (partition, messages) => {
        for (const message of messages) {
          const decoded = decode(message.value, message.headers as never);
          if (!decoded.ok)
            throw new ExoArmurError('RECORD_UNDECODABLE', `${topic}/${partition}@${message.offset}: ${decoded.reason}`, { context: { topic, partition, offset: message.offset } });
          out.push({ partition, offset: BigInt(message.offset), value: decoded.value });
        }
      },
    });
    for (const [p, m] of marks) positions.set(p, m.high);
    return out.sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  }
}

function messageOf(item: Outgoing): { key: string | null; value: Buffer; headers?: Record<string, string> } {
  return { key: item.key, value: Buffer.from(item.line, 'utf8'), ...(item.headers === undefined ? {} : { headers: item.headers }) };
}

/** A native telemetry line as the harness sends it: keyed tenant_id:correlation_id, its event_id named. */
export function nativeOutgoing(line: string): Outgoing {
  return { line, key: telemetryKey(line), eventId: eventIdOf(line) };
}

function eventIdOf(line: string): string | null {
  try {
    const v = JSON.parse(line) as { event_id?: unknown };
    return typeof v.event_id === 'string' ? v.event_id : null;
  } catch {
    return null;
  }
}
