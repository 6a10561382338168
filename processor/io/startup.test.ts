import test from 'ava';
import pino from 'pino';
import { Writable } from 'node:stream';
import { ExoArmurError } from '../errors.js';
import { retryStartupStep } from './startup.js';

function capture(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ base: null, timestamp: false }, sink), lines };
}

test('a step that fails retriably is tried again, each retry logged with its attempt and reason', async (t) => {
  const { logger, lines } = capture();
  let calls = 0;
  const result = await retryStartupStep(
    async () => {
      calls += 1;
      if (calls < 3) throw new ExoArmurError('STARTUP_STEP_TIMEOUT', `no answer ${calls}`);
      return 'done';
    },
    { what: 'ensuring topics', logger, attempts: 5, attemptMs: 5_000 },
  );
  t.is(result, 'done');
  t.is(calls, 3);
  t.deepEqual(
    lines.map((l) => [l['event'], l['step'], l['attempt'], l['of'], l['code'], l['reason']]),
    [
      ['startup_retry', 'ensuring topics', 1, 5, 'STARTUP_STEP_TIMEOUT', 'no answer 1'],
      ['startup_retry', 'ensuring topics', 2, 5, 'STARTUP_STEP_TIMEOUT', 'no answer 2'],
    ],
  );
});

test('a step that never answers is cut at its deadline and, attempts spent, fails naming the step', async (t) => {
  const { logger } = capture();
  let calls = 0;
  const error = await t.throwsAsync(
    retryStartupStep(
      () => {
        calls += 1;
        return new Promise<never>(() => undefined);
      },
      { what: 'publishing the config snapshot', logger, attempts: 2, attemptMs: 50 },
    ),
  );
  t.is(calls, 2);
  t.true(error instanceof ExoArmurError);
  t.is((error as ExoArmurError).code, 'STARTUP_STEP_TIMEOUT');
  t.is(error!.message, 'publishing the config snapshot got no answer from the broker within 0 s');
});

test('a usage failure (a topic with the wrong partition count) is not retried', async (t) => {
  const { logger, lines } = capture();
  let calls = 0;
  const error = await t.throwsAsync(
    retryStartupStep(
      async () => {
        calls += 1;
        throw new ExoArmurError('TOPIC_DRIFT', 'topic t has 1 partition, expected 3');
      },
      { what: 'ensuring topics', logger, attempts: 5, attemptMs: 5_000 },
    ),
  );
  t.is(calls, 1);
  t.is((error as ExoArmurError).code, 'TOPIC_DRIFT');
  t.deepEqual(lines, []);
});
