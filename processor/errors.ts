/**
 * The one error module. Every failure the shell or the tools raise is an ExoArmurError with a
 * stable `code`, whether retrying can help, the underlying cause, and where it happened.
 * Business outcomes (deny, reject) are values in the core, never exceptions.
 */
export interface ErrorContext {
  topic?: string;
  partition?: number;
  offset?: string;
  [key: string]: unknown;
}

export class ExoArmurError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly context: ErrorContext;

  constructor(code: string, message: string, options: { retriable?: boolean; cause?: unknown; context?: ErrorContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retriable: this.retriable, context: this.context };
  }
}

/** A user-facing problem with a fix: the CLI prints `message` and exits non-zero, no stack. */
export class UsageError extends ExoArmurError {
  constructor(code: string, message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(code, message, { ...options, retriable: false });
  }
}

/** An existing topic's partition count or cleanup policy differs from its spec; ExoArmur never alters it silently. */
export class TopicDriftError extends ExoArmurError {
  readonly property: string;
  readonly expected: string;
  readonly actual: string;

  constructor(topic: string, property: string, expected: string, actual: string, options: { fix?: string } = {}) {
    super(
      'TOPIC_DRIFT',
      `topic ${topic} has ${property}=${actual} but ExoArmur expects ${property}=${expected}: ${options.fix ?? 'delete or recreate the topic, or use another topic prefix'}`,
      { retriable: false, context: { topic, property, expected, actual } },
    );
    this.property = property;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A broker operation of the processor shell failed; `retriable` says whether backing off can help. */
export class KafkaOperationError extends ExoArmurError {}

/** Another owner took this partition's transactional id (or the epoch moved on): rebuild the task. */
export class ProducerFencedError extends ExoArmurError {
  constructor(message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super('PRODUCER_FENCED', message, { ...options, retriable: true });
  }
}

/**
 * The same input batch failed again and again with an error retrying cannot fix (e.g. an output
 * record above its topic's max.message.bytes). The processor stops with this error rather than
 * spin silently: nothing of the batch was committed, and a restart after the fix resumes there.
 */
export class ProcessingHaltedError extends ExoArmurError {
  constructor(message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super('PROCESSING_HALTED', message, { ...options, retriable: false });
  }
}
