/**
 * Classifies a failure for the shell's recovery policy (the recovery classes of errors.ts): a
 * fenced/epoch failure means the task must be rebuilt (new producer, re-fence, re-restore,
 * re-seek); a retriable one is retried with backoff; a permanent one can never succeed as sent (a
 * record above the topic's size limit, a missing authorisation, our own deterministic refusal), so
 * repeating the same batch forever is a silent stall and the runner halts the process instead;
 * anything else is 'unclassified': logged as an error, the task rebuilt and the batch retried with
 * backoff, never halted, because guessing "permanent" for a transient failure would take the
 * service down. ExoArmur's own errors classify by their registered recovery.
 */
import { ExoArmurError, KafkaOperationError, ProducerFencedError, UsageError, type ErrorContext, type Recovery } from '../errors.js';

/** kafkajs error types (protocol error names) that mean "this producer/epoch is no longer the owner". */
const FENCED_TYPES = new Set([
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'INVALID_TXN_STATE',
  'CONCURRENT_TRANSACTIONS',
  'UNKNOWN_PRODUCER_ID',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
]);

/**
 * Protocol error types the broker returns for a request that will fail the same way every time
 * it is sent: the records, the topic or the credentials must change first.
 */
export const PERMANENT_TYPES: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_REQUIRED_ACKS',
  'INVALID_TRANSACTION_TIMEOUT',
  'POLICY_VIOLATION',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
]);

interface KafkaJsLike {
  name?: string;
  type?: string;
  retriable?: boolean;
  message?: string;
  cause?: unknown;
  originalError?: unknown;
}

function chain(error: unknown): KafkaJsLike[] {
  const seen: KafkaJsLike[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.includes(current as KafkaJsLike) && seen.length < 10) {
    const e = current as KafkaJsLike;
    seen.push(e);
    current = e.originalError ?? e.cause;
  }
  return seen;
}

/** The broker's protocol error type (e.g. MESSAGE_TOO_LARGE) somewhere in the cause chain, if any. */
export function kafkaErrorType(error: unknown): string | undefined {
  return chain(error).find((e) => typeof e.type === 'string')?.type;
}

export type FailureKind = 'fenced' | 'retriable' | 'permanent' | 'unclassified';

const KIND_OF_RECOVERY: Readonly<Record<Exclude<Recovery, 'unclassified'>, FailureKind>> = {
  rebuild_task: 'fenced',
  retriable: 'retriable',
  permanent: 'permanent',
  invariant: 'permanent',
  usage: 'permanent',
};

/** What kafkajs's SASL wrapper keeps of a SCRAM exchange the connection cut: the message of the socket's or the request's failure. */
const CUT_EXCHANGE = /Closed connection|Connection error|Connection timeout|timed out|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up/i;

/**
 * A SASL failure that is the broker refusing the credentials. kafkajs wraps every error of the SCRAM
 * exchange into one KafkaJSSASLAuthenticationError that keeps only the message, a closed socket or a
 * timed-out request included, so a broker killed (or too slow) mid-handshake looks like a wrong
 * password: that one is retried, never taken for a refusal. Anything else stays a refusal (fail closed).
 */
export function isCredentialRefusal(error: unknown): boolean {
  const sasl = chain(error).filter((e) => e.name === 'KafkaJSSASLAuthenticationError' || e.type === 'SASL_AUTHENTICATION_FAILED');
  return sasl.length > 0 && !sasl.some((e) => CUT_EXCHANGE.test(e.message ?? ''));
}

function isCutSaslExchange(links: readonly KafkaJsLike[]): boolean {
  return links.some((e) => e.name === 'KafkaJSSASLAuthenticationError' && CUT_EXCHANGE.test(e.message ?? ''));
}

export function classifyKafkaError(error: unknown): FailureKind {
  const links = chain(error);
  if (isCutSaslExchange(links)) return 'retriable';
  if (links.some((e) => e instanceof ProducerFencedError)) return 'fenced';
  if (links.some((e) => (e.type !== undefined && FENCED_TYPES.has(e.type)) || /Transaction state exception|fenced/i.test(e.message ?? ''))) {
    return 'fenced';
  }
  if (links.some((e) => e.type !== undefined && PERMANENT_TYPES.has(e.type))) return 'permanent';
  const own = links.find((e): e is ExoArmurError => e instanceof ExoArmurError);
  if (own) {
    if (own.recovery !== 'unclassified') return KIND_OF_RECOVERY[own.recovery];
    // A wrapped kafkajs failure keeps the classification of what it wraps.
    const wrapped = links.slice(links.indexOf(own) + 1);
    return wrapped.length > 0 ? classifyKafkaError(wrapped[0]) : own.retriable ? 'retriable' : 'unclassified';
  }
  if (
    links.some(
      (e) =>
        e.retriable === true ||
        /Connection|Timeout|NumberOfRetriesExceeded|BrokerNotFound|NotLeader|LEADER_NOT_AVAILABLE|NOT_COORDINATOR|COORDINATOR/i.test(`${e.name ?? ''} ${e.type ?? ''}`),
    )
  ) {
    return 'retriable';
  }
  return 'unclassified';
}

/** Wraps any kafkajs failure into the one error hierarchy, keeping where it happened. */
export function toShellError(error: unknown, what: string, context: ErrorContext): ExoArmurError {
  if (error instanceof ExoArmurError) return error;
  const kind = classifyKafkaError(error);
  const detail = error instanceof Error ? error.message : String(error);
  // Wrong credentials fail closed with one line naming the fix; the message never holds the password.
  if (isCredentialRefusal(error)) {
    return new UsageError(
      'BROKER_AUTH_FAILED',
      `${what}: the broker refused the login (${detail}); check broker_auth.username and the password (config file or EXOARMUR_BROKER_AUTH__PASSWORD)`,
      {
        cause: error,
        context,
      },
    );
  }
  if (kind === 'fenced') return new ProducerFencedError(`${what}: ${detail}`, { cause: error, context });
  return new KafkaOperationError('KAFKA_OPERATION_FAILED', `${what}: ${detail}`, { cause: error, context, retriable: kind === 'retriable' });
}
