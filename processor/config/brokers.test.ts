/** The one broker rule: flag, then KAFKA_BROKERS (EXOARMUR_BROKERS), then the config file, else a usage error. */
import test from 'ava';
import { UsageError } from '../errors.js';
import { BROKER_RULE, parseBrokers, resolveBrokers } from './brokers.js';
import { loadEffectiveConfig } from './load.js';

test('precedence: the flag wins over the environment, the environment over the file', (t) => {
  const env = { KAFKA_BROKERS: 'env:1' };
  t.deepEqual(resolveBrokers({ flag: 'flag:1,flag:2', env, configFile: ['file:1'] }), ['flag:1', 'flag:2']);
  t.deepEqual(resolveBrokers({ env, configFile: ['file:1'] }), ['env:1']);
  t.deepEqual(resolveBrokers({ env: {}, configFile: ['file:1'] }), ['file:1']);
  t.deepEqual(resolveBrokers({ env: { EXOARMUR_BROKERS: 'exo:1' }, configFile: ['file:1'] }), ['exo:1']);
  t.deepEqual(resolveBrokers({ env: { KAFKA_BROKERS: 'k:1', EXOARMUR_BROKERS: 'exo:1' } }), ['k:1']);
  t.deepEqual(resolveBrokers({ flag: '  ', env: { KAFKA_BROKERS: ' 127.0.0.1:9092, kafka-2:19092,' } }), ['127.0.0.1:9092', 'kafka-2:19092']);
});

test('no source at all is a usage error naming the three sources; there is no default address', (t) => {
  const error = t.throws(() => resolveBrokers({ env: { KAFKA_BROKERS: '  ' } }), { instanceOf: UsageError });
  t.is(error?.code, 'BROKERS_MISSING');
  t.is(error?.message, `no broker given: pass ${BROKER_RULE} (for a local one, make broker-up prints the export)`);
  t.throws(() => loadEffectiveConfig({ env: {} }), { instanceOf: UsageError, message: /no broker given/ });
});

test('every source is validated alike: a malformed address is refused wherever it comes from', (t) => {
  for (const sources of [{ flag: 'nohost', env: {} }, { env: { KAFKA_BROKERS: 'nohost' } }, { env: {}, configFile: ['nohost'] }]) {
    const error = t.throws(() => resolveBrokers(sources), { instanceOf: UsageError });
    t.is(error?.code, 'BROKERS_MALFORMED');
  }
  t.deepEqual(parseBrokers('localhost:1'), ['localhost:1']);
});

test('the effective config carries the resolved brokers, and the flag beats the environment there too', (t) => {
  t.deepEqual(loadEffectiveConfig({ env: { KAFKA_BROKERS: 'k:9' } }).config.brokers, ['k:9']);
  t.deepEqual(loadEffectiveConfig({ env: { KAFKA_BROKERS: 'k:9' }, brokers: 'f:1' }).config.brokers, ['f:1']);
});
