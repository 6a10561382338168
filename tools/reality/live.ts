/**
 * The live side of a run: the processor child, deliveries with their exact coordinates, the
 * settled condition, and reading the committed trail back.
 */
import type { Kafka } from 'kafkajs';
import kafkajs from 'kafkajs';
import { decodeOperatorAction, decodeRecord } from '../../processor/codec/index.js';
import type { AuditRecordV1, ConfigSnapshotV1, ExecutionIntentV1, OperatorActionV1 } from '../../processor/core/types.js';
import type { Topics } from '../../processor/core/config-types.js';
import { ExoArmurError } from '../../processor/errors.js';
import { readCommitted } from '../inspect/reader.js';
import { CliChild } from '../process/children.js';
import { pollUntil } from '../testing/broker.js';
import type { Delivery } from './analysis.js';

const { Partitioners } = kafkajs;

export class ProcessorChild {
  child: CliChild | null = null;
  starts = 0;
  constructor(private readonly configFile: string, private readonly logFile: string, private readonly maxInputsPerTransaction: number) {}

  start(): void {
    this.child = new CliChild(['process', '--config', this.configFile, '--log-file', this.logFile, '--max-inputs-per-transaction', String(this.maxInputsPerTransaction)]);
    this.starts += 1;
  }

  get running(): boolean {
    return this.child !== null && this.child.running;
  }

  async kill(): Promise<void> {
    await this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.child?.kill('SIGTERM');
  }

  failure(): string {
    const out = this.child?.output;
    return out ? out.stderr.trim().split('\n').slice(-3).join(' | ') : 'never started';
  }
}

/** Sends each line as its own acks=all request, so every delivery's partition and offset is known. */
export async function deliver(kafka: Kafka, topic: string, lines: readonly string[], keyOf: (line: string) => string | null): Promise<Delivery[]> {
  // Idempotent: a send retried across a broker kill cannot land twice, so the harness knows every delivery exactly.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  const out: Delivery[] = [];
  try {
    for (const line of lines) {
      const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: keyOf(line), value: Buffer.from(line, 'utf8') }] });
      if (!meta) throw new ExoArmurError('DELIVERY_UNCONFIRMED', `the broker confirmed no offset for a telemetry delivery to ${topic}`, { context: { topic } });
      out.push({ partition: meta.partition, offset: meta.baseOffset ?? '-1', line, eventId: eventIdOf(line) });
    }
  } finally {
    await producer.disconnect();
  }
  return out;
}

/** A burst sent in one request per partition batch: a kill lands while its batches are in flight. */
export async function deliverBurst(kafka: Kafka, topic: string, lines: readonly string[], keyOf: (line: string) => string | null): Promise<Delivery[]> {
  // Idempotent: a send retried across a broker kill cannot land twice, so the harness knows every delivery exactly.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const metas = await producer.send({ topic, acks: -1, messages: lines.map((line) => ({ key: keyOf(line), value: Buffer.from(line, 'utf8') })) });
    // One request: offsets per partition are consecutive from baseOffset in send order.
    const next = new Map(metas.map((m) => [m.partition, BigInt(m.baseOffset ?? '0')]));
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = metas.map((m) => ({ partitionId: m.partition, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    return lines.map((line) => {
      const key = keyOf(line);
      const partition = partitioner({ topic, partitionMetadata, message: { key, value: line } });
      const offset = next.get(partition)!;
      next.set(partition, offset + 1n);
      return { partition, offset: offset.toString(), line, eventId: eventIdOf(line) };
    });
  } finally {
    await producer.disconnect();
  }
}

function eventIdOf(line: string): string | null {
  try {
    const v = JSON.parse(line) as { event_id?: unknown };
    return typeof v.event_id === 'string' ? v.event_id : null;
  } catch {
    return null;
  }
}

export interface Progress { committed: bigint; total: bigint; lagging: string[] }

export async function inputProgress(kafka: Kafka, topics: Topics, groupId: string): Promise<Progress> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const inputs = [topics.telemetry, topics.operator_actions];
    const committed = await admin.fetchOffsets({ groupId, topics: inputs });
    let done = 0n;
    let total = 0n;
    const lagging: string[] = [];
    for (const topic of inputs) {
      for (const end of await admin.fetchTopicOffsets(topic)) {
        const low = BigInt(end.low);
        const high = BigInt(end.high);
        total += high - low;
        const at = BigInt(committed.find((c) => c.topic === topic)?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1');
        if (at > low) done += at - low;
        if (high > low && at !== high) lagging.push(`${topic}/${end.partition} at ${at} of ${high}`);
      }
    }
    return { committed: done, total, lagging };
  } finally {
    await admin.disconnect();
  }
}

/** Settled: every input partition's committed group offset equals its end offset, and the processor runs. */
export async function waitSettled(kafka: Kafka, topics: Topics, groupId: string, processor: ProcessorChild, timeoutMs = 180_000): Promise<void> {
  let last: Progress | undefined;
  try {
    await pollUntil(
      async () => {
        if (!processor.running) throw new ExoArmurError('PROCESSOR_EXITED', `the processor exited: ${processor.failure()}`);
        last = await inputProgress(kafka, topics, groupId);
        return last.lagging.length === 0;
      },
      { timeoutMs, intervalMs: 300, what: 'every input partition committed to its end offset' },
    );
  } catch (error) {
    throw new ExoArmurError('RUN_NOT_SETTLED', `the run did not settle: ${last?.lagging.join(', ') ?? 'no progress read'}; read service.log in the bundle`, { cause: error });
  }
}

async function readDecoded<T>(kafka: Kafka, topic: string, decode: (value: Buffer | null, headers: never) => { ok: true; value: T } | { ok: false; reason: string }): Promise<Array<{ partition: number; offset: string; value: T }>> {
  const out: Array<{ partition: number; offset: string; value: T }> = [];
  await readCommitted(kafka, {
    topic,
    onRecord: ({ partition, message }) => {
      const decoded = decode(message.value, message.headers as never);
      if (!decoded.ok) throw new ExoArmurError('RECORD_UNDECODABLE', `${topic}/${partition}@${message.offset}: ${decoded.reason}`, { context: { topic, partition, offset: message.offset } });
      out.push({ partition, offset: message.offset, value: decoded.value });
    },
  });
  return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

export interface Trail {
  audit: AuditRecordV1[];
  execute: ExecutionIntentV1[];
  snapshots: ConfigSnapshotV1[];
  actions: Array<{ partition: number; offset: string; value: OperatorActionV1 }>;
  dlq: number;
  state: number;
}

export async function readTrail(kafka: Kafka, topics: Topics): Promise<Trail> {
  const [audit, execute, snapshots, actions, dlq, state] = await Promise.all([
    readDecoded<AuditRecordV1>(kafka, topics.audit, (v, h) => decodeRecord('audit', v, h) as never),
    readDecoded<ExecutionIntentV1>(kafka, topics.execute, (v, h) => decodeRecord('execute', v, h) as never),
    readDecoded<ConfigSnapshotV1>(kafka, topics.config, (v, h) => decodeRecord('config', v, h) as never),
    readDecoded<OperatorActionV1>(kafka, topics.operator_actions, (v, h) => decodeOperatorAction(v, h) as never),
    readDecoded<unknown>(kafka, topics.dlq, (v, h) => decodeRecord('dlq', v, h) as never),
    readDecoded<unknown>(kafka, topics.state, (v, h) => decodeRecord('state', v, h) as never),
  ]);
  return {
    audit: audit.map((r) => r.value).sort((a, b) => a.input.partition - b.input.partition || a.seq - b.seq),
    execute: execute.map((r) => r.value),
    snapshots: snapshots.map((r) => r.value),
    actions,
    dlq: dlq.length,
    state: state.length,
  };
}
