import test from 'ava';
import kafkajs from 'kafkajs';
import { ExoArmurError, ProcessingHaltedError, TopicDriftError, UsageError } from '../../processor/errors.js';
import { asCliFailure, exitCodeOf, failureLine } from './cli-failure.js';

const { KafkaJSNonRetriableError, KafkaJSConnectionError, KafkaJSError } = kafkajs;

test('an unreachable broker (retries exhausted on a refused connection) names the broker settings as the fix', (t) => {
  const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1');
  // As kafkajs's retrier gives up: it passes { cause } too, which its typings omit.
  const exhausted = new (KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error)(refused, { cause: refused });
  const failure = asCliFailure(exhausted);
  t.is(
    failureLine(failure),
    'exoarmur: cannot reach the Kafka broker (Connection error: connect ECONNREFUSED 127.0.0.1:1): check --brokers or KAFKA_BROKERS and that the broker runs (`make broker-up` starts one) [BROKER_UNREACHABLE]',
  );
  t.is(exitCodeOf(failure), 1);
});

test('a kafkajs refusal and a plain bug get their own codes; ExoArmurErrors pass through', (t) => {
  t.is(asCliFailure(new KafkaJSError('Producer is disconnecting', { retriable: false })).code, 'KAFKA_OPERATION_FAILED');
  const bug = asCliFailure(new TypeError('x is undefined'));
  t.is(failureLine(bug), 'exoarmur: x is undefined: this is a bug in exoarmur; rerun with --debug and report the stack trace [UNEXPECTED_FAILURE]');
  const own = new UsageError('KEY_EXISTS', 'k exists');
  t.is(asCliFailure(own), own);
});

test('a multi-line message stays on one line', (t) => {
  t.is(failureLine(new ExoArmurError('BUNDLE_UNVERIFIED', 'the bundle does not verify:\n  a: bad\n  b: bad\n')), 'exoarmur: the bundle does not verify:; a: bad; b: bad [BUNDLE_UNVERIFIED]');
});

test('exit 2 for usage, topic drift and a halted processor (DESIGN: halt exits 2), 1 for the rest', (t) => {
  t.deepEqual(
    [new UsageError('KEY_EXISTS', 'x'), new TopicDriftError('t', 'partitions', '3', '2'), new ProcessingHaltedError('x'), new ExoArmurError('RUN_NOT_SETTLED', 'x')].map(exitCodeOf),
    [2, 2, 2, 1],
  );
});
