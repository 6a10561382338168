import test from 'ava';
import { pollUntil } from './poll.js';
import { phaseLine, withProgress } from './progress.js';

test('a wait longer than the interval prints progress lines with the counter; a short one prints none', async (t) => {
  const lines: string[] = [];
  let done = false;
  let count = 0;
  const work = withProgress(
    (l) => lines.push(l),
    { what: 'the thing', status: () => `${count} done`, intervalMs: 20 },
    async () => {
      await pollUntil(() => done, { timeoutMs: 10_000, intervalMs: 5 });
      return 'result';
    },
  );
  await pollUntil(() => lines.length >= 2, { timeoutMs: 10_000, intervalMs: 5 });
  count = 3;
  await pollUntil(() => lines.some((l) => l.includes('3 done')), { timeoutMs: 10_000, intervalMs: 5 });
  done = true;
  t.is(await work, 'result');
  t.regex(lines[0]!, /^ {2}waiting for the thing: 0 done, \d+ s$/);
  const quiet: string[] = [];
  t.is(
    await withProgress(
      (l) => quiet.push(l),
      { what: 'x', intervalMs: 10_000 },
      async () => 'fast',
    ),
    'fast',
  );
  t.deepEqual(quiet, []);
  t.is(phaseLine(2, 4, 'playing'), 'phase 2/4: playing');
});
