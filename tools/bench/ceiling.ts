/**
 * The ceiling: a bare kafkajs consume-transform-produce loop with exactly the processor's output
 * shape and nothing of ours in it — what our own client can do in the same loop on the same
 * broker. It reads the input read_committed per partition like the processor (one transactional
 * producer per partition, eachBatch, no auto-commit), and for each transaction of at most the
 * processor's inputs writes, per input, the records the processor wrote per input to each output
 * topic (fractions carried over), with the measured average key and value sizes and the schema
 * headers the processor sent, to the input's partition, in the processor's sends (one per broker),
 * then the offsets inside the transaction.
 */
import kafkajs from 'kafkajs';
import type { Kafka, Message, Producer } from 'kafkajs';
import { machineCpuUse, sampleMachineCpu, type MachineCpuUse } from './machine-cpu.js';
import { partitionLeaders } from '../../processor/io/topics.js';
import { MAX_BATCH_BYTES, splitIntoRequests, type TopicMessages } from '../../processor/kafka/send-plan.js';

const { Partitioners } = kafkajs;

/** One output topic's share of the processor's output, measured from a real run. */
export interface RoleShape {
  role: string;
  /** Where the ceiling writes (its own topic, same partition count as the input). */
  topic: string;
  recordsPerInput: number;
  keyBytes: number;
  valueBytes: number;
  /** The headers the processor sent on this topic's records. */
  headers: Record<string, Buffer>;
}

export interface OutputShape {
  roles: RoleShape[];
  inputsPerTransaction: number;
}

export interface CeilingOptions {
  inputTopic: string;
  partitions: number;
  events: number;
  shape: OutputShape;
  /** Group id and transactional id prefix. */
  appId: string;
  timeoutMs: number;
}

export interface CeilingResult {
  inputs: number;
  outputs: number;
  transactions: number;
  elapsedMs: number;
  firstCommitMs: number;
  committedAtFirstCommit: number;
  /** CPU of this process (user + sys) over the run. */
  cpuMs: number;
  /** The whole machine's CPU over the run (broker included); null off Linux. */
  machine: MachineCpuUse | null;
}

function filler(bytes: number, seed: number): Buffer {
  const buffer = Buffer.alloc(Math.max(0, Math.round(bytes)));
  for (let i = 0; i < buffer.length; i += 1) buffer[i] = (i * 31 + seed * 17) & 0xff;
  return buffer;
}

export async function runCeiling(kafka: Kafka, options: CeilingOptions): Promise<CeilingResult> {
  const { shape } = options;
  const values = shape.roles.map((r, i) => filler(r.valueBytes, i));
  const keyPad = shape.roles.map((r) => 'k'.repeat(Math.max(1, Math.round(r.keyBytes))));
  const carry = shape.roles.map(() => 0);
  const producers = new Map<number, Producer>();
  const consumer = kafka.consumer({ groupId: options.appId, readUncommitted: false, maxBytesPerPartition: 4 * 1024 * 1024 });
  const cpuStart = process.cpuUsage();
  const machineStart = sampleMachineCpu();
  const started = Date.now();
  let inputs = 0;
  let outputs = 0;
  let transactions = 0;
  let firstCommitMs = -1;
  let committedAtFirstCommit = 0;
  let done: () => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const producerFor = async (partition: number): Promise<Producer> => {
    let producer = producers.get(partition);
    if (producer === undefined) {
      producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        transactionalId: `${options.appId}.${partition}`,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producers.set(partition, producer);
      await producer.connect();
    }
    return producer;
  };
  try {
    // Sends grouped by leader exactly as the processor's writer groups them (its task reads the same map).
    const leaderOf = await partitionLeaders(
      kafka,
      shape.roles.map((r) => r.topic),
    );
    await consumer.connect();
    await consumer.subscribe({ topic: options.inputTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitions,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        try {
          const producer = await producerFor(batch.partition);
          for (let at = 0; at < batch.messages.length; at += shape.inputsPerTransaction) {
            const chunk = batch.messages.slice(at, at + shape.inputsPerTransaction);
            const byRole: Message[][] = shape.roles.map(() => []);
            for (const input of chunk) {
              const key = input.key === null ? null : input.key.toString('utf8');
              shape.roles.forEach((role, i) => {
                carry[i]! += role.recordsPerInput;
                for (; carry[i]! >= 1; carry[i]! -= 1) {
                  byRole[i]!.push({ partition: batch.partition, key: key ?? keyPad[i]!, value: values[i]!, headers: role.headers });
                }
              });
            }
            const topicMessages: TopicMessages[] = shape.roles.map((role, i) => ({ topic: role.topic, messages: byRole[i]! })).filter((t) => t.messages.length > 0);
            const transaction = await producer.transaction();
            for (const request of splitIntoRequests(topicMessages, MAX_BATCH_BYTES, leaderOf)) await transaction.sendBatch({ topicMessages: request, acks: -1 });
            const next = (BigInt(chunk[chunk.length - 1]!.offset) + 1n).toString();
            await transaction.sendOffsets({ consumerGroupId: options.appId, topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
            await transaction.commit();
            resolveOffset(chunk[chunk.length - 1]!.offset);
            await heartbeat();
            transactions += 1;
            inputs += chunk.length;
            outputs += topicMessages.reduce((sum, t) => sum + t.messages.length, 0);
            if (firstCommitMs < 0) {
              firstCommitMs = Date.now() - started;
              committedAtFirstCommit = inputs;
            }
          }
          if (inputs >= options.events) done();
        } catch (error) {
          failed(error);
          throw error;
        }
      },
    });
    const timeout = setTimeout(() => failed(new Error(`ceiling loop: ${inputs}/${options.events} inputs after ${options.timeoutMs} ms`)), options.timeoutMs);
    try {
      await finished;
    } finally {
      clearTimeout(timeout);
    }
    const elapsedMs = Date.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    const machine = machineCpuUse(machineStart, sampleMachineCpu());
    return { inputs, outputs, transactions, elapsedMs, firstCommitMs, committedAtFirstCommit, cpuMs: (cpu.user + cpu.system) / 1000, machine };
  } finally {
    await consumer.disconnect();
    for (const producer of producers.values()) await producer.disconnect();
  }
}
