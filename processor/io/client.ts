/**
 * The one place a kafkajs client is built. Every tool and the processor reach the broker the broker
 * rule (config/brokers.ts) names, with the same retry policy and logging.
 */
import { Kafka, logLevel, type Admin, type logCreator, type LogEntry, type RetryOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { BROKER_RULE } from '../config/brokers.js';
import { UsageError } from '../errors.js';

export interface CreateKafkaOptions {
  brokers: string[];
  clientId: string;
  /** kafkajs logs go to this logger's `kafkajs` child; without one, only warnings and errors reach stderr as JSON. */
  logger?: Logger;
  /** No kafkajs logs at all: for probes whose failures are expected (e.g. waiting for a broker to start). */
  silent?: boolean;
  /** Overrides KAFKA_RETRY, e.g. `{ retries: 0 }` for a probe that polls on its own. */
  retry?: RetryOptions;
  /** SASL credentials (from the config's broker_auth); absent for an unauthenticated broker. */
  sasl?: SaslCredentials;
}

export type SaslCredentials =
  | { mechanism: 'plain'; username: string; password: string }
  | { mechanism: 'scram-sha-256'; username: string; password: string }
  | { mechanism: 'scram-sha-512'; username: string; password: string };

/**
 * The config's `broker_auth` and the unhashed password (kept out of the published config) as
 * kafkajs SASL options; undefined when no mechanism is configured. A mechanism without a username
 * or a password is a configuration error, named with its fix.
 */
export function saslFromConfig(auth: { mechanism: SaslCredentials['mechanism'] | null; username: string | null }, password: string | null): SaslCredentials | undefined {
  if (auth.mechanism === null) return undefined;
  if (auth.username === null || auth.username === '') {
    throw new UsageError(
      'BROKER_AUTH_INCOMPLETE',
      `broker_auth.mechanism is ${auth.mechanism} but broker_auth.username is empty: set it in the config or EXOARMUR_BROKER_AUTH__USERNAME`,
    );
  }
  if (password === null || password === '') {
    throw new UsageError(
      'BROKER_AUTH_INCOMPLETE',
      `broker_auth.mechanism is ${auth.mechanism} but no broker password was given (a published sha256: hash cannot log in): set broker_auth.password in the config file or EXOARMUR_BROKER_AUTH__PASSWORD`,
    );
  }
  const { username } = auth;
  switch (auth.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

// Long enough to ride out a broker restart or a coordinator moving (tens of seconds), short enough
// that a broker that is really gone fails a command within about a minute. kafkajs hands this to
// producers too, so an idempotent producer warns that its retries are bounded: a transactional
// producer that gives up aborts its transaction, which keeps exactly-once; pass
// `retry: { retries: Number.MAX_SAFE_INTEGER }` to kafka.producer() to retry forever instead.
export const KAFKA_RETRY = { initialRetryTime: 250, maxRetryTime: 5_000, retries: 12, factor: 0.2, multiplier: 2 } as const;

function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () => (entry: LogEntry) => {
    const { message, timestamp: _timestamp, ...extra } = entry.log;
    const fields = { namespace: entry.namespace, ...extra };
    if (entry.level === logLevel.ERROR) child.error(fields, message);
    else if (entry.level === logLevel.WARN) child.warn(fields, message);
    else if (entry.level === logLevel.INFO) child.info(fields, message);
    else child.debug(fields, message);
  };
}

function stderrJsonLogCreator(): logCreator {
  return () => (entry: LogEntry) => {
    const level = entry.level === logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : 'info';
    process.stderr.write(`${JSON.stringify({ level, component: 'kafkajs', namespace: entry.namespace, ...entry.log })}\n`);
  };
}

export function createKafka(options: CreateKafkaOptions): Kafka {
  const { brokers, clientId, logger, silent = false } = options;
  if (brokers.length === 0) {
    throw new UsageError('BROKERS_MISSING', `no broker given: pass ${BROKER_RULE}`);
  }
  return new Kafka({
    brokers,
    clientId,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { ...KAFKA_RETRY, ...options.retry },
    logLevel: silent ? logLevel.NOTHING : logger === undefined ? logLevel.WARN : logLevel.INFO,
    logCreator: logger === undefined ? stderrJsonLogCreator() : pinoLogCreator(logger),
    ...(options.sasl === undefined ? {} : { sasl: options.sasl }),
  });
}

/**
 * The client's types, named once here: modules outside the I/O layer import them from this file,
 * never from the client package, so replacing the client changes processor/io alone.
 */
export type { Admin, Consumer, EachBatchPayload, ITopicConfig, Kafka, KafkaMessage, Message, Producer, RecordMetadata } from 'kafkajs';

/** Runs `work` on a connected admin client and always disconnects it. */
export async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}
