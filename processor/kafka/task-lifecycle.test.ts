/** The task lifecycle table: every pair of states is either a listed transition or refused. */
import test from 'ava';
import { InvariantError } from '../errors.js';
import { nextTaskState, TASK_TRANSITIONS, type TaskState } from './task-lifecycle.js';

const STATES = Object.keys(TASK_TRANSITIONS) as TaskState[];
const LEGAL = new Set([
  'absent>starting',
  'starting>ready',
  'starting>absent',
  'ready>committing',
  'ready>closing',
  'committing>ready',
  'committing>failed',
  'failed>closing',
  'closing>absent',
]);

test('the table holds exactly the documented transitions', (t) => {
  t.deepEqual(new Set(STATES.flatMap((from) => TASK_TRANSITIONS[from].map((to) => `${from}>${to}`))), LEGAL);
});

test('every legal transition is taken and every other pair is refused with TASK_STATE', (t) => {
  for (const from of STATES) {
    for (const to of STATES) {
      if (LEGAL.has(`${from}>${to}`)) {
        t.is(nextTaskState(from, to, 3), to);
        continue;
      }
      const error = t.throws(() => nextTaskState(from, to, 3), { instanceOf: InvariantError });
      t.is(error?.code, 'TASK_STATE');
      t.is(error?.message, `illegal task transition ${from} -> ${to} on partition 3`);
    }
  }
});

test('a task commits only when ready, and a failed one is discarded before anything else happens', (t) => {
  t.deepEqual(
    STATES.filter((s) => TASK_TRANSITIONS[s].includes('committing')),
    ['ready'],
  );
  t.deepEqual(TASK_TRANSITIONS.failed, ['closing']);
});
