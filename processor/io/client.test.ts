import test from 'ava';
import pino from 'pino';
import { UsageError } from '../errors.js';
import { createKafka, saslFromConfig } from './client.js';
import { freePort } from '../../tools/broker/ports.js';

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

test("a service's pre-flight (its own budget) logs every failed attempt as broker_waiting, then fails with the one line naming the address and its budget", async (t) => {
  // A free loopback port is one nothing listens on.
  const port = await freePort();
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const kafka = createKafka({ brokers: [`127.0.0.1:${port}`], clientId: 'preflight-test', logger, preflightBudgetMs: 1_500 });
  const error = await t.throwsAsync(() => kafka.admin().connect(), { instanceOf: UsageError });
  t.is(error?.code, 'BROKER_UNREACHABLE');
  t.is(error?.message.split(' (')[0], `no broker answered at 127.0.0.1:${port} within 1.5 s`);
  const waits = lines.filter((line) => line['event'] === 'broker_waiting');
  t.true(waits.length >= 1, JSON.stringify(lines));
  t.deepEqual(
    waits.map((line) => ({ attempt: line['attempt'], brokers: line['brokers'], reason: line['reason'] })),
    waits.map((_, i) => ({ attempt: i + 1, brokers: [`127.0.0.1:${port}`], reason: `Connection error: connect ECONNREFUSED 127.0.0.1:${port}` })),
  );
  t.true(waits.every((line) => typeof line['gives_up_in_ms'] === 'number' && (line['gives_up_in_ms'] as number) <= 1_500));
});
