import test from 'ava';
import { UsageError } from '../errors.js';
import { brokersFromEnv, createKafka, optionalBrokersFromEnv, parseBrokers, saslFromConfig } from './client.js';

test('KAFKA_BROKERS is a comma list of host:port, spaces and empty entries ignored', (t) => {
  t.deepEqual(brokersFromEnv({ KAFKA_BROKERS: '127.0.0.1:9092, kafka-2:19092,' }), ['127.0.0.1:9092', 'kafka-2:19092']);
  t.deepEqual(parseBrokers('localhost:1'), ['localhost:1']);
});

test('a missing KAFKA_BROKERS is a usage error that says how to set it; optional lookup gives undefined', (t) => {
  const error = t.throws(() => brokersFromEnv({}), { instanceOf: UsageError });
  t.is(error?.code, 'BROKERS_MISSING');
  t.regex(error?.message ?? '', /export KAFKA_BROKERS=host:port/);
  t.is(optionalBrokersFromEnv({ KAFKA_BROKERS: '  ' }), undefined);
});

test('a malformed broker address is refused up front', (t) => {
  const error = t.throws(() => parseBrokers('127.0.0.1'), { instanceOf: UsageError });
  t.is(error?.code, 'BROKERS_MALFORMED');
  t.throws(() => createKafka({ brokers: [], clientId: 'x' }), { instanceOf: UsageError });
});

test('broker_auth becomes kafkajs SASL options only with a mechanism, and an incomplete one names the missing part', (t) => {
  t.is(saslFromConfig({ mechanism: null, username: null }, null), undefined);
  t.deepEqual(saslFromConfig({ mechanism: 'scram-sha-512', username: 'exo' }, 'hunter2'), { mechanism: 'scram-sha-512', username: 'exo', password: 'hunter2' });
  const noUser = t.throws(() => saslFromConfig({ mechanism: 'plain', username: null }, 'pw'), { instanceOf: UsageError });
  t.is(noUser?.code, 'BROKER_AUTH_INCOMPLETE');
  t.regex(noUser?.message ?? '', /broker_auth\.username is empty: set it in the config or EXOARMUR_BROKER_AUTH__USERNAME/);
  const noPassword = t.throws(() => saslFromConfig({ mechanism: 'plain', username: 'exo' }, null), { instanceOf: UsageError });
  t.regex(noPassword?.message ?? '', /no broker password was given/);
});
