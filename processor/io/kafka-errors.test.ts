/**
 * The recovery policy hinges on this classification: a permanent error halts the runner after a few
 * attempts, everything else is retried. Errors are built the way kafkajs builds them from a broker
 * response (createErrorFromCode) and wrapped the way its retrier and our shell wrap them.
 */
import test from 'ava';
import kafkajs from 'kafkajs';
import { createRequire } from 'node:module';
import { ExoArmurError, KafkaOperationError, ProducerFencedError, TopicDriftError } from '../errors.js';
import { classifyKafkaError, isCredentialRefusal, toShellError, type FailureKind } from './kafka-errors.js';

const { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSConnectionError, KafkaJSError, KafkaJSSASLAuthenticationError } = kafkajs;
const require = createRequire(import.meta.url);
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as { createErrorFromCode: (code: number) => Error & { type: string } };

/** As kafkajs's retrier surfaces a broker error it will not retry. */
const fromBroker = (code: number) => {
  const protocol = createErrorFromCode(code);
  // The retrier passes { cause } too (kafkajs src/retry), which its typings omit.
  return new (KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error)(protocol, { cause: protocol });
};
/** As the shell hands it to the runner. */
const shell = (error: unknown) => toShellError(error, 'committing the batch transaction', { partition: 0 });

const cases: Array<[string, unknown, FailureKind]> = [
  ['MESSAGE_TOO_LARGE (10)', fromBroker(10), 'permanent'],
  ['RECORD_LIST_TOO_LARGE (18)', fromBroker(18), 'permanent'],
  ['INVALID_RECORD (87)', fromBroker(87), 'permanent'],
  ['TOPIC_AUTHORIZATION_FAILED (29)', fromBroker(29), 'permanent'],
  ['TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53)', fromBroker(53), 'permanent'],
  ['MESSAGE_TOO_LARGE wrapped by the shell', shell(fromBroker(10)), 'permanent'],
  ['INVALID_PRODUCER_EPOCH (47)', fromBroker(47), 'fenced'],
  ['CONCURRENT_TRANSACTIONS (51)', createErrorFromCode(51), 'fenced'],
  ['a fenced error wrapped by the shell', shell(fromBroker(47)), 'fenced'],
  ['ProducerFencedError', new ProducerFencedError('fenced'), 'fenced'],
  ['NOT_LEADER_FOR_PARTITION (6)', createErrorFromCode(6), 'retriable'],
  ['NOT_COORDINATOR (16)', createErrorFromCode(16), 'retriable'],
  ['a connection error', new KafkaJSConnectionError('Connection error: ECONNREFUSED'), 'retriable'],
  ['retries exhausted', new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection timeout'), { retryCount: 12, retryTime: 5000 }), 'retriable'],
  ['retries exhausted, wrapped by the shell', shell(new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('x'), { retryCount: 1, retryTime: 1 })), 'retriable'],
  ['our retriable restore timeout', new KafkaOperationError('READ_TIMEOUT', 'slow', { retriable: true }), 'retriable'],
  ['our refusal: an unreadable changelog entry', new ExoArmurError('STATE_RECORD_UNREADABLE', 'foreign data'), 'permanent'],
  ['our refusal: topic drift', new TopicDriftError('t', 'partitions', '3', '2'), 'permanent'],
  ['an unknown server error (-1)', fromBroker(-1), 'unclassified'],
  ['an unknown server error wrapped by the shell', shell(fromBroker(-1)), 'unclassified'],
  ['a non-retriable kafkajs error with no protocol type', new KafkaJSError('Producer is disconnecting', { retriable: false }), 'unclassified'],
  ['a plain bug', new TypeError('x is undefined'), 'unclassified'],
];

for (const [name, error, kind] of cases) {
  test(`classifies ${name} as ${kind}`, (t) => {
    t.is(classifyKafkaError(error), kind);
  });
}

test('toShellError keeps ExoArmurErrors, makes fenced ones ProducerFencedError and marks only retriable ones retriable', (t) => {
  const own = new ExoArmurError('STATE_RECORD_UNREADABLE', 'foreign data');
  t.is(toShellError(own, 'x', {}), own);
  t.true(shell(fromBroker(47)) instanceof ProducerFencedError);
  const tooLarge = shell(fromBroker(10));
  t.deepEqual(
    { name: tooLarge.name, code: tooLarge.code, retriable: tooLarge.retriable, context: tooLarge.context },
    { name: 'KafkaOperationError', code: 'KAFKA_OPERATION_FAILED', retriable: false, context: { partition: 0 } },
  );
  t.regex(tooLarge.message, /^committing the batch transaction: The request included a message larger than the max message size/);
  t.true(shell(new KafkaJSConnectionError('ECONNREFUSED')).retriable);
});

test('a SASL exchange the connection cut is retried; a refusal by the broker, or anything else, fails closed as BROKER_AUTH_FAILED', (t) => {
  // As kafkajs's SCRAM authenticator throws them: its own message prefix around the failure's message.
  // (Its typings declare no constructor arguments; the class takes the message as every KafkaJSError does.)
  const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;
  const scram = (failure: string) => new SaslError(`SASL SCRAM SHA512 authentication failed: ${failure}`);
  const outcome = (error: Error) => {
    const shelled = toShellError(error, 'opening the transactional producer', {});
    return { refusal: isCredentialRefusal(error), kind: classifyKafkaError(error), code: shelled.code, retriable: shelled.retriable };
  };
  const retried = { refusal: false, kind: 'retriable', code: 'KAFKA_OPERATION_FAILED', retriable: true };
  const refused = { refusal: true, kind: 'unclassified', code: 'BROKER_AUTH_FAILED', retriable: false };
  t.deepEqual(
    [
      'Closed connection',
      'Connection error: read ECONNRESET',
      'Connection error: connect ECONNREFUSED 127.0.0.1:9093',
      'Request SaslAuthenticate(key: 36, version: 1) timed out',
    ].map((failure) => outcome(scram(failure))),
    [retried, retried, retried, retried],
  );
  t.deepEqual(
    ['Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512', 'Invalid server signature in server final message'].map(
      (failure) => outcome(scram(failure)),
    ),
    [refused, refused],
  );
  t.false(isCredentialRefusal(new KafkaJSConnectionError('Connection error: ECONNREFUSED')));
});
