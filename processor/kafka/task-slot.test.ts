/** The slot policy: backoff bounds, and halting only after the same work failed permanently `limit` times in a row. */
import test from 'ava';
import { pino } from 'pino';
import { ExoArmurError, ProcessingHaltedError } from '../errors.js';
import { consumerRestartDelayMs, dropTask, moveSlot, newSlot, notePermanentFailure, taskRebuildDelayMs } from './task-slot.js';

const quiet = pino({ level: 'silent' });

test('rebuild and consumer-restart backoff double and are capped', (t) => {
  t.deepEqual([1, 2, 3, 5, 6, 20].map(taskRebuildDelayMs), [500, 1_000, 2_000, 8_000, 8_000, 8_000]);
  t.deepEqual([1, 2, 4, 5, 20].map(consumerRestartDelayMs), [1_000, 2_000, 8_000, 10_000, 10_000]);
});

test('the same work failing permanently halts on the limit-th time in a row; other work or another kind resets the count', (t) => {
  const slot = newSlot(2, quiet);
  const error = new ExoArmurError('PROCESSING_HALTED', 'too large');
  const note = (at: string, kind: 'permanent' | 'retriable' = 'permanent') => notePermanentFailure(slot, kind, at, error, { topic: 't' }, 3);
  t.is(note('t@5'), undefined);
  t.is(note('t@5'), undefined);
  t.deepEqual(slot.permanent, { at: 't@5', count: 2 });
  t.is(note('t@9'), undefined, 'other work starts again at 1');
  t.deepEqual(slot.permanent, { at: 't@9', count: 1 });
  t.is(note('t@9', 'retriable'), undefined);
  t.is(slot.permanent, undefined, 'a non-permanent failure resets the count');
  t.is(note('t@9'), undefined);
  t.is(note('t@9'), undefined);
  const halted = note('t@9');
  t.true(halted instanceof ProcessingHaltedError);
  t.like(halted, { code: 'PROCESSING_HALTED', context: { partition: 2, topic: 't' } });
  t.regex(halted!.message, /^partition 2: t@9 failed 3 times in a row with an error retrying cannot fix \(PROCESSING_HALTED: too large\)/);
});

test('a slot moves only by the lifecycle table; dropping an absent slot is a no-op and a ready one ends absent', async (t) => {
  const slot = newSlot(0, quiet);
  await dropTask(slot, 'nothing there');
  t.is(slot.state, 'absent');
  moveSlot(slot, 'starting');
  moveSlot(slot, 'ready');
  await dropTask(slot, 'rebalance');
  t.is(slot.state, 'absent');
  t.throws(() => moveSlot(slot, 'committing'));
});
