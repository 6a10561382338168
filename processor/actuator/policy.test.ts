import test from 'ava';
import type { ActuatorStateV1 } from '../core/types.js';
import { backoffMs, chunkLength, exitVerdict, httpVerdict, nextChunkLimit, nextStep, type ChunkCandidate } from './policy.js';

const entry = (status: ActuatorStateV1['status'], attempts: number): ActuatorStateV1 => ({
  intent_id: '01J00000000000000000000000',
  status,
  attempts,
  started_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:01.000Z',
});

test('next step by durable state: final entries skip, in_flight counts the interrupted attempt, the budget ends in give_up', (t) => {
  const table: [ActuatorStateV1 | undefined, number, ReturnType<typeof nextStep>][] = [
    [undefined, 3, { kind: 'attempt', attempt: 1 }],
    [entry('in_flight', 1), 3, { kind: 'attempt', attempt: 2 }],
    [entry('in_flight', 2), 3, { kind: 'attempt', attempt: 3 }],
    [entry('in_flight', 3), 3, { kind: 'give_up', attempts: 3 }],
    [entry('in_flight', 7), 3, { kind: 'give_up', attempts: 7 }],
    [entry('succeeded', 1), 3, { kind: 'skip', outcome: 'succeeded' }],
    [entry('failed', 2), 3, { kind: 'skip', outcome: 'failed' }],
    [entry('gave_up', 3), 3, { kind: 'skip', outcome: 'gave_up' }],
    [undefined, 1, { kind: 'attempt', attempt: 1 }],
    [entry('in_flight', 1), 1, { kind: 'give_up', attempts: 1 }],
  ];
  for (const [state, max, expected] of table) t.deepEqual(nextStep(state, max), expected, `${state?.status ?? 'none'}/${state?.attempts ?? 0} of ${max}`);
});

test('HTTP verdicts: 2xx done, 408/425/429/5xx retried with the same key, other statuses refused for good', (t) => {
  const table: [number, ReturnType<typeof httpVerdict>][] = [
    [200, 'succeeded'],
    [201, 'succeeded'],
    [204, 'succeeded'],
    [299, 'succeeded'],
    [301, 'failed'],
    [400, 'failed'],
    [401, 'failed'],
    [404, 'failed'],
    [409, 'failed'],
    [408, 'retry'],
    [425, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
  ];
  for (const [status, verdict] of table) t.is(httpVerdict(status), verdict, String(status));
});

test('exec verdicts: 0 done, 75 (EX_TEMPFAIL) or a signal retried, any other code failed', (t) => {
  t.deepEqual([0, 75, null, 1, 2, 127].map(exitVerdict), ['succeeded', 'retry', 'retry', 'failed', 'failed', 'failed']);
});

test('backoff doubles from the base and stops at the cap', (t) => {
  t.deepEqual(
    [1, 2, 3, 4, 5, 6, 10].map((a) => backoffMs(a, 200, 5000)),
    [200, 400, 800, 1600, 3200, 5000, 5000],
  );
});

test('chunks: up to the limit, cut before a repeated subject or intent and around an interrupted intent; records that perform nothing never cut', (t) => {
  const fresh = (intentId: string, subject: string) => ({ intentId, subject, interrupted: false });
  const interrupted = (intentId: string, subject: string) => ({ intentId, subject, interrupted: true });
  const table: [string, ChunkCandidate[], number, number][] = [
    ['none', [], 4, 0],
    ['limit', [fresh('a', 'h1'), fresh('b', 'h2'), fresh('c', 'h3')], 2, 2],
    ['limit 1', [fresh('a', 'h1'), fresh('b', 'h2')], 1, 1],
    ['limit 0 still takes one', [fresh('a', 'h1'), fresh('b', 'h2')], 0, 1],
    ['all fit', [fresh('a', 'h1'), fresh('b', 'h2'), fresh('c', 'h3')], 50, 3],
    ['same subject later', [fresh('a', 'h1'), fresh('b', 'h2'), fresh('c', 'h1')], 50, 2],
    ['same intent again', [fresh('a', 'h1'), fresh('a', 'h2')], 50, 1],
    ['interrupted first: alone', [interrupted('a', 'h1'), fresh('b', 'h2')], 50, 1],
    ['interrupted later: cut before it', [fresh('a', 'h1'), fresh('b', 'h2'), interrupted('c', 'h3')], 50, 2],
    ['nothing to perform rides along', [null, fresh('a', 'h1'), null, null, fresh('b', 'h2')], 50, 5],
    ['nothing to perform counts against the limit', [null, null, null, fresh('a', 'h1')], 3, 3],
    ['nothing to perform then interrupted: still alone among performers', [null, interrupted('a', 'h1'), fresh('b', 'h2')], 50, 2],
  ];
  for (const [name, candidates, limit, expected] of table) t.is(chunkLength(candidates, limit), expected, name);
});

test('slow start: the chunk limit doubles from one up to the maximum', (t) => {
  const limits = [1];
  while (limits.length < 9) limits.push(nextChunkLimit(limits[limits.length - 1]!, 50));
  t.deepEqual(limits, [1, 2, 4, 8, 16, 32, 50, 50, 50]);
  t.is(nextChunkLimit(0, 50), 1);
  t.is(nextChunkLimit(4, 1), 1);
});
