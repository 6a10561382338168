/**
 * Shared helpers for integration tests against the real broker that `make test` starts
 * (KAFKA_BROKERS). Every test names its own topics and groups, and waits by polling, never sleeping.
 */
import { randomBytes } from 'node:crypto';
import type { Admin, ITopicConfig, Kafka } from '../../processor/io/client.js';
import { UsageError } from '../../processor/errors.js';
import { brokersFromEnvironment } from '../../processor/config/index.js';
import { createKafka } from '../../processor/io/client.js';
import { waitForTopics } from '../../processor/io/topics.js';

/** The broker list for integration tests; fails (never skips) when KAFKA_BROKERS is absent. */
export function testBrokers(): string[] {
  const brokers = brokersFromEnvironment(process.env);
  if (brokers === undefined) {
    throw new UsageError('BROKERS_MISSING', 'integration tests need KAFKA_BROKERS=host:port: run them with `make test`, which starts a broker');
  }
  return brokers;
}

/** A kafkajs client on the test broker; warnings and errors go to stderr. */
export function testKafka(clientId: string = uniqueName('test-client')): Kafka {
  return createKafka({ brokers: testBrokers(), clientId });
}

/** `prefix-<12 random hex>`: unique per call, so parallel tests never share a topic or group. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** One consumed record, in a shape tests can compare whole. */
export interface CollectedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export interface Collector {
  /** Every record consumed so far, in arrival order. */
  readonly records: CollectedRecord[];
  stop(): Promise<void>;
}

/**
 * Starts a consumer in a fresh group reading `topics` from the beginning and appending every record
 * to `records`. read_committed unless `readUncommitted`. Call `stop()` (e.g. in t.teardown).
 */
export async function collectRecords(kafka: Kafka, topics: string[], options: { readUncommitted?: boolean } = {}): Promise<Collector> {
  const consumer = kafka.consumer({ groupId: uniqueName('test-collector'), readUncommitted: options.readUncommitted ?? false, maxWaitTimeInMs: 100 });
  const records: CollectedRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
      }
      records.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key === null ? null : message.key.toString('utf8'),
        value: message.value === null ? null : message.value.toString('utf8'),
        headers,
      });
    },
  });
  return { records, stop: () => consumer.disconnect() };
}

/** Creates topics and waits until every partition has a leader (see waitForTopics for why not kafkajs's wait). */
export async function createTestTopics(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  await admin.createTopics({ waitForLeaders: false, topics });
  await waitForTopics(
    admin,
    topics.map((topic) => topic.topic),
  );
}
