/**
 * Classifies kafkajs failures for the shell's recovery policy: a fenced/epoch failure means the
 * task must be rebuilt (new producer, re-fence, re-restore, re-seek); a retriable one is retried
 * with backoff; anything else is a bug or a configuration problem and is surfaced.
 */
import { ExoArmurError, KafkaOperationError, ProducerFencedError, type ErrorContext } from '../errors.js';

/** kafkajs error types (protocol error names) that mean "this producer/epoch is no longer the owner". */
const FENCED_TYPES = new Set([
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'INVALID_TXN_STATE',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'CONCURRENT_TRANSACTIONS',
  'UNKNOWN_PRODUCER_ID',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
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

export type FailureKind = 'fenced' | 'retriable' | 'fatal';

export function classifyKafkaError(error: unknown): FailureKind {
  const links = chain(error);
  if (links.some((e) => e instanceof ProducerFencedError)) return 'fenced';
  if (links.some((e) => (e.type !== undefined && FENCED_TYPES.has(e.type)) || /Transaction state exception|fenced/i.test(e.message ?? ''))) {
    return 'fenced';
  }
  if (links.some((e) => e instanceof ExoArmurError)) return (links.find((e) => e instanceof ExoArmurError) as ExoArmurError).retriable ? 'retriable' : 'fatal';
  if (links.some((e) => e.retriable === true || /Connection|Timeout|NumberOfRetriesExceeded|BrokerNotFound|NotLeader|LEADER_NOT_AVAILABLE|NOT_COORDINATOR|COORDINATOR/i.test(`${e.name ?? ''} ${e.type ?? ''}`))) {
    return 'retriable';
  }
  return 'fatal';
}

/** Wraps any kafkajs failure into the one error hierarchy, keeping where it happened. */
export function toShellError(error: unknown, what: string, context: ErrorContext): ExoArmurError {
  if (error instanceof ExoArmurError) return error;
  const kind = classifyKafkaError(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (kind === 'fenced') return new ProducerFencedError(`${what}: ${detail}`, { cause: error, context });
  return new KafkaOperationError('KAFKA_OPERATION_FAILED', `${what}: ${detail}`, { cause: error, context, retriable: kind === 'retriable' });
}
