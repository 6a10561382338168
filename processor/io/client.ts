/**
 * The one place a kafkajs client is built. Every tool and the processor reach the broker the broker
 * rule (config/brokers.ts) names, with the same retry policy and logging.
 */
import {
  Kafka,
  logLevel,
  type Admin,
  type AdminConfig,
  type Consumer,
  type ConsumerConfig,
  type KafkaConfig,
  type logCreator,
  type LogEntry,
  type Producer,
  type ProducerConfig,
  type RetryOptions,
} from 'kafkajs';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { BROKER_RULE } from '../config/brokers.js';
import { UsageError } from '../errors.js';
import { isCredentialRefusal } from './kafka-errors.js';
import { logEvent } from '../log-events.js';

export interface CreateKafkaOptions {
  brokers: string[];
  clientId: string;
  /** kafkajs logs go to this logger's `kafkajs` child at their level; without one, nowhere (stderr with --verbose). */
  logger?: Logger;
  /** No kafkajs logs at all: for probes whose failures are expected (e.g. waiting for a broker to start). */
  silent?: boolean;
  /** Overrides KAFKA_RETRY, e.g. `{ retries: 0 }` for a probe that polls on its own. */
  retry?: RetryOptions;
  /** SASL credentials (from the config's broker_auth); absent for an unauthenticated broker. */
  sasl?: SaslCredentials;
  /** Topics the command needs: the pre-flight fails at once, naming them, when one does not exist. */
  topics?: readonly string[];
  /** false: no pre-flight (a probe that polls a starting broker on its own). */
  preflight?: boolean;
  /**
   * How long the pre-flight tries to reach the broker: PREFLIGHT_BUDGET_MS for a command someone
   * waits on, SERVICE_PREFLIGHT_BUDGET_MS for the services, which log every failed attempt.
   */
  preflightBudgetMs?: number;
  /** TLS to the broker: the PEM certificates trusted besides the system's (a self-signed broker's own). */
  tls?: BrokerTls;
}

export interface BrokerTls {
  ca: string[];
}

/**
 * TLS for a config's broker_auth: SCRAM is only ever sent over TLS (a SCRAM exchange on a plain
 * socket would expose the user to an active attacker), trusting the PEM file EXOARMUR_TLS_CA_FILE
 * names (the embedded secure broker's `tls/ca.pem`) besides the system's CAs. PLAIN stays as it was
 * configured. The CA file is not part of the config, so the config hash does not depend on where it lies.
 */
export function tlsForAuth(mechanism: SaslCredentials['mechanism'] | null, env: Record<string, string | undefined>, readFile: (path: string) => string): BrokerTls | undefined {
  if (mechanism === null || mechanism === 'plain') return undefined;
  const file = env['EXOARMUR_TLS_CA_FILE'];
  if (file === undefined || file === '') return { ca: [] };
  try {
    return { ca: [readFile(file)] };
  } catch (err) {
    throw new UsageError('BROKER_TLS_CA_UNREADABLE', `EXOARMUR_TLS_CA_FILE=${file} cannot be read: ${(err as Error).message}; point it at the broker's CA certificate (PEM)`, {
      cause: err,
    });
  }
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

// Long enough to ride out a broker restart or a coordinator moving (tens of seconds) once a
// command is connected; reaching the broker at all is the pre-flight's job (below), which fails
// within PREFLIGHT_BUDGET_MS. kafkajs hands this policy to producers too, so an idempotent producer
// warns that its retries are bounded; the service log explains why that is safe, once (see
// BOUNDED_RETRIES_NOTE).
export const KAFKA_RETRY = { initialRetryTime: 250, maxRetryTime: 5_000, retries: 12, factor: 0.2, multiplier: 2 } as const;

/** How long a client tries to reach its broker (and find its topics) before it gives up with one line. */
export const PREFLIGHT_BUDGET_MS = 8_000;
/**
 * The same for the services (process, actuate): a service started while its broker restarts must
 * outlast the restart (a Kafka broker recovering its logs after a kill took over 8 s on a loaded
 * 2-core machine), so it waits this long, saying so in its log at every attempt, before the same line.
 */
export const SERVICE_PREFLIGHT_BUDGET_MS = 60_000;
const PREFLIGHT_ATTEMPT_TIMEOUT_MS = 2_000;
const PREFLIGHT_BACKOFF_MS = 400;

const BOUNDED_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';
/**
 * The plain words for kafkajs's bounded-retries warning. It would be true of a producer that gave
 * up and then resent on its own; here a send that exhausts its retries fails the whole batch: the
 * transaction is aborted (nothing of it becomes visible to read_committed readers), the task is
 * rebuilt with a fenced producer and the batch is processed again from the committed offsets.
 */
export const BOUNDED_RETRIES_NOTE =
  'producers retry a send a bounded number of times (kafkajs warns this "may invalidate EoS guarantees"): a send that gives up fails its whole batch, whose transaction is aborted and redone from the committed offsets, so exactly-once holds';

/** Where kafkajs logs go when a command has no service log: nowhere, or stderr with --verbose. */
let toolLibraryLog: 'quiet' | 'verbose' = 'quiet';

/** The CLI calls this once for `--verbose`: library logs of commands without a service log then reach stderr. */
export function setToolLibraryLog(mode: 'quiet' | 'verbose'): void {
  toolLibraryLog = mode;
}

function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  let explained = false;
  return () => (entry: LogEntry) => {
    const { message, timestamp: _timestamp, ...extra } = entry.log;
    const fields = { namespace: entry.namespace, ...extra };
    if (message === BOUNDED_RETRIES_WARNING) {
      // Once, in plain words, at info; each further producer's copy of the same warning is debug.
      if (!explained) child.info({ ...fields, event: 'bounded_retries_explained' }, BOUNDED_RETRIES_NOTE);
      else child.debug(fields, message);
      explained = true;
      return;
    }
    if (entry.level === logLevel.ERROR) child.error(fields, message);
    else if (entry.level === logLevel.WARN) child.warn(fields, message);
    else if (entry.level === logLevel.INFO) child.info(fields, message);
    else child.debug(fields, message);
  };
}

function stderrJsonLogCreator(): logCreator {
  return () => (entry: LogEntry) => {
    const level = entry.level === logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : entry.level === logLevel.INFO ? 'info' : 'debug';
    process.stderr.write(`${JSON.stringify({ level, component: 'kafkajs', namespace: entry.namespace, ...entry.log })}\n`);
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reaches the broker with a throwaway admin that never retries on its own: attempts of at most
 * PREFLIGHT_ATTEMPT_TIMEOUT_MS until PREFLIGHT_BUDGET_MS has passed, then one error naming the
 * address and the fix. Once connected, every topic the command needs must exist (one metadata
 * request, no waiting: a topic does not appear by retrying).
 */
async function preflight(config: KafkaConfig, topics: readonly string[], budgetMs: number, logger: Logger | undefined): Promise<void> {
  const address = config.brokers as string[];
  const probe = new Kafka({
    ...config,
    connectionTimeout: PREFLIGHT_ATTEMPT_TIMEOUT_MS,
    requestTimeout: PREFLIGHT_ATTEMPT_TIMEOUT_MS * 2,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const deadline = Date.now() + budgetMs;
  let lastError: unknown;
  for (let attempt = 1; ; attempt++) {
    const admin = probe.admin({ retry: { retries: 0 } });
    let existing: string[] | undefined;
    try {
      await admin.connect();
      existing = await admin.listTopics();
    } catch (error) {
      lastError = error;
      if (error instanceof Error && isCredentialRefusal(error)) {
        throw new UsageError(
          'BROKER_AUTH_FAILED',
          `the broker at ${address.join(',')} refused the credentials (${error.message}): check broker_auth in the config and its password`,
          {
            cause: error,
          },
        );
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (existing !== undefined) {
      const missing = topics.filter((topic) => !existing.includes(topic));
      if (missing.length > 0) {
        throw new UsageError(
          'TOPIC_MISSING',
          `topic ${missing.join(', ')} does not exist on the broker at ${address.join(',')}: check the name (--topic, the config's topics) or create ExoArmur's topics with \`exoarmur topics ensure\` (the processor also creates them when it starts)`,
          { context: { topic: missing[0] } },
        );
      }
      return;
    }
    if (Date.now() + PREFLIGHT_BACKOFF_MS >= deadline) break;
    logger?.warn(
      { ...logEvent('broker_waiting'), brokers: address, attempt, gives_up_in_ms: deadline - Date.now(), reason: errorText(lastError) },
      'no broker answered yet; trying again',
    );
    await new Promise((resolve) => setTimeout(resolve, PREFLIGHT_BACKOFF_MS));
  }
  throw new UsageError(
    'BROKER_UNREACHABLE',
    `no broker answered at ${address.join(',')} within ${budgetMs / 1000} s (${errorText(lastError)}): start one (\`make broker-up\`, or \`exoarmur broker start\`) or point --brokers, KAFKA_BROKERS or the config's brokers at a running broker`,
    { cause: lastError },
  );
}

/**
 * A kafkajs client whose admins, producers and consumers run the pre-flight before their first
 * connect (once per client: a later reconnect, e.g. after a broker restart, rides on KAFKA_RETRY).
 */
class PreflightKafka extends Kafka {
  private checked: Promise<void> | undefined;

  constructor(
    config: KafkaConfig,
    private readonly check: () => Promise<void>,
  ) {
    super(config);
  }

  override admin(config?: AdminConfig): Admin {
    return this.gate(super.admin(config));
  }

  override producer(config?: ProducerConfig): Producer {
    return this.gate(super.producer(config));
  }

  override consumer(config: ConsumerConfig): Consumer {
    return this.gate(super.consumer(config));
  }

  private gate<T extends { connect(): Promise<void> }>(client: T): T {
    const connect = client.connect.bind(client);
    client.connect = async () => {
      this.checked ??= this.check();
      await this.checked;
      await connect();
    };
    return client;
  }
}

/** What a client needs of an effective config: where the brokers are and how to log in to them. */
export interface ClientConfig {
  config: { brokers: string[]; broker_auth: { mechanism: SaslCredentials['mechanism'] | null; username: string | null } };
  secrets: { broker_password: string | null };
}

/**
 * The client of every command that reads a config (process, actuate, operator, status, trace): its
 * brokers and its broker_auth (SASL, and TLS for SCRAM with EXOARMUR_TLS_CA_FILE), so a command
 * against an authenticating broker logs in as the config says instead of failing on the handshake.
 */
export function kafkaForConfig(effective: ClientConfig, options: Omit<CreateKafkaOptions, 'brokers' | 'sasl' | 'tls'> & { env?: Record<string, string | undefined> }): Kafka {
  const { env = process.env, ...rest } = options;
  const sasl = saslFromConfig(effective.config.broker_auth, effective.secrets.broker_password);
  const tls = tlsForAuth(effective.config.broker_auth.mechanism, env, (path) => readFileSync(path, 'utf8'));
  return createKafka({ ...rest, brokers: effective.config.brokers, ...(sasl === undefined ? {} : { sasl }), ...(tls === undefined ? {} : { tls }) });
}

export function createKafka(options: CreateKafkaOptions): Kafka {
  const { brokers, clientId, logger, silent = false } = options;
  if (brokers.length === 0) {
    throw new UsageError('BROKERS_MISSING', `no broker given: pass ${BROKER_RULE}`);
  }
  const quiet = silent || (logger === undefined && toolLibraryLog === 'quiet');
  const config: KafkaConfig = {
    brokers,
    clientId,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { ...KAFKA_RETRY, ...options.retry },
    logLevel: quiet ? logLevel.NOTHING : logger === undefined ? logLevel.DEBUG : logLevel.INFO,
    logCreator: logger === undefined ? stderrJsonLogCreator() : pinoLogCreator(logger),
    // A copy: kafkajs caches its authentication provider (a function) on the sasl object it gets, and the
    // caller's credentials must stay plain data (replay hands them to worker threads, which clone them).
    ...(options.sasl === undefined ? {} : { sasl: { ...options.sasl } }),
    ...(options.tls === undefined ? {} : { ssl: options.tls.ca.length === 0 ? true : { ca: options.tls.ca } }),
  };
  if (options.preflight === false) return new Kafka(config);
  const topics = options.topics ?? [];
  return new PreflightKafka(config, () => preflight(config, topics, options.preflightBudgetMs ?? PREFLIGHT_BUDGET_MS, logger));
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
