/** The one wait loop: returns the first value, times out naming what it waited for, and gives up at once when told. */
import test from 'ava';
import { ExoArmurError } from '../../processor/errors.js';
import { pollUntil, settleWithin } from './poll.js';

test('returns the first value that is not undefined or false, after probe errors', async (t) => {
  let calls = 0;
  const value = await pollUntil(
    () => {
      calls += 1;
      if (calls === 1) throw new Error('not yet');
      return calls === 2 ? false : { calls };
    },
    { intervalMs: 1 },
  );
  t.deepEqual(value, { calls: 3 });
});

test('a timeout is WAIT_TIMEOUT naming what it waited for, with the last probe error as cause', async (t) => {
  const error = await t.throwsAsync(
    pollUntil(
      () => {
        throw new Error('still down');
      },
      { timeoutMs: 20, intervalMs: 5, what: 'the thing' },
    ),
    { instanceOf: ExoArmurError },
  );
  t.like(error, { code: 'WAIT_TIMEOUT', message: 'timed out after 20 ms waiting for the thing' });
  t.is((error?.cause as Error).message, 'still down');
});

test('giveUp ends the wait with its error before the timeout, and is not asked once the probe succeeded', async (t) => {
  let probes = 0;
  const gone = new ExoArmurError('PROCESSOR_EXITED', 'the processor exited');
  const started = Date.now();
  await t.throwsAsync(
    pollUntil(
      () => {
        probes += 1;
        return false;
      },
      { timeoutMs: 60_000, intervalMs: 1, giveUp: () => (probes >= 3 ? gone : undefined) },
    ),
    { is: gone },
  );
  t.is(probes, 3);
  t.true(Date.now() - started < 30_000);
  t.is(await pollUntil(() => 7, { giveUp: () => undefined }), 7);
});

test('settleWithin: settled once every promise has resolved or rejected, abandoned at the bound when one never does', async (t) => {
  t.is(await settleWithin([Promise.resolve(1), Promise.reject(new Error('refused')), undefined], 60_000), 'settled');
  let release: () => void = () => undefined;
  const late = new Promise<void>((resolvePromise) => {
    release = resolvePromise;
  });
  t.is(await settleWithin([Promise.resolve(1), new Promise(() => undefined)], 20), 'abandoned');
  const racing = settleWithin([late], 60_000);
  release();
  t.is(await racing, 'settled');
});
