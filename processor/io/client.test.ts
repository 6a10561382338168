import test from 'ava';
import { UsageError } from '../errors.js';
import { createKafka, saslFromConfig } from './client.js';

test('a client needs a broker list', (t) => {
  const error = t.throws(() => createKafka({ brokers: [], clientId: 'x' }), { instanceOf: UsageError });
  t.is(error?.code, 'BROKERS_MISSING');
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
