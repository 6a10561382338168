/**
 * How the CLI reports a failure: one line `exoarmur: <message> [CODE]` on stderr, exit 2 when the
 * operator must change the invocation, config or deployment before a rerun can succeed, else 1.
 * Failures that are not ExoArmurErrors (kafkajs, Node, a bug) are named here with their fix, so no
 * command prints a stack trace unless asked (--debug).
 */
import { ExoArmurError, ProcessingHaltedError, TopicDriftError, UsageError } from '../../processor/errors.js';
import { classifyKafkaError } from '../../processor/kafka/kafka-errors.js';

interface Link {
  name?: string;
  message?: string;
  cause?: unknown;
  originalError?: unknown;
}

function causes(error: unknown): Link[] {
  const links: Link[] = [];
  for (let current = error; current && typeof current === 'object' && links.length < 10 && !links.includes(current as Link); ) {
    links.push(current as Link);
    current = (current as Link).originalError ?? (current as Link).cause;
  }
  return links;
}

/** The innermost non-empty message of the cause chain: kafkajs's outer errors only repeat their class name. */
function innermostMessage(error: unknown): string {
  const messages = causes(error).map((e) => e.message ?? '').filter((m) => m.length > 0 && !/^KafkaJS\w+$/.test(m));
  return messages[messages.length - 1] ?? String(error);
}

/** Any thrown value as an ExoArmurError whose message names the problem and its fix. */
export function asCliFailure(error: unknown): ExoArmurError {
  if (error instanceof ExoArmurError) return error;
  const isKafka = causes(error).some((e) => (e.name ?? '').startsWith('KafkaJS'));
  const detail = innermostMessage(error);
  if (isKafka && classifyKafkaError(error) === 'retriable') {
    return new ExoArmurError('BROKER_UNREACHABLE', `cannot reach the Kafka broker (${detail}): check --brokers or KAFKA_BROKERS and that the broker runs (\`make broker-up\` starts one)`, { cause: error });
  }
  if (isKafka) return new ExoArmurError('KAFKA_OPERATION_FAILED', `the Kafka broker refused the request (${detail}): rerun with --debug for the full cause`, { cause: error });
  return new ExoArmurError('UNEXPECTED_FAILURE', `${detail}: this is a bug in exoarmur; rerun with --debug and report the stack trace`, { cause: error });
}

/** The one stderr line; a multi-line message (e.g. a verify report) is joined so it stays one line. */
export function failureLine(error: ExoArmurError): string {
  return `exoarmur: ${error.message.trim().replace(/\s*\n\s*/g, '; ')} [${error.code}]`;
}

/**
 * 2: fix the invocation, config or deployment (a usage error, a topic that drifted from its spec);
 * a processor halted on a failure retrying cannot fix also exits 2 (DESIGN.md: "halt the processor
 * with exit 2"). 1: anything else.
 */
export function exitCodeOf(error: ExoArmurError): 1 | 2 {
  return error instanceof UsageError || error instanceof TopicDriftError || error instanceof ProcessingHaltedError ? 2 : 1;
}
