/** The transaction lifecycle table: every pair of states is either a listed transition or refused. */
import test from 'ava';
import { ExoArmurError } from '../errors.js';
import { nextTransactionState, TRANSACTION_TRANSITIONS, type TransactionState } from './transaction-states.js';

const STATES = Object.keys(TRANSACTION_TRANSITIONS) as TransactionState[];

const LEGAL = new Set([
  'closed>opening',
  'opening>idle',
  'opening>closed',
  'idle>begun',
  'idle>committing',
  'idle>closed',
  'begun>committing',
  'begun>aborting',
  'begun>fenced',
  'begun>closed',
  'committing>idle',
  'committing>aborting',
  'committing>fenced',
  'committing>closed',
  'aborting>idle',
  'aborting>fenced',
  'aborting>closed',
  'fenced>closed',
]);

test('the table holds exactly the documented transitions', (t) => {
  const listed = STATES.flatMap((from) => TRANSACTION_TRANSITIONS[from].map((to) => `${from}>${to}`));
  t.deepEqual(new Set(listed), LEGAL);
  t.deepEqual(STATES.sort(), ['aborting', 'begun', 'closed', 'committing', 'fenced', 'idle', 'opening']);
});

test('every legal transition is taken and every other pair is refused with TRANSACTION_STATE', (t) => {
  for (const from of STATES) {
    for (const to of STATES) {
      if (LEGAL.has(`${from}>${to}`)) {
        t.is(nextTransactionState(from, to), to);
        continue;
      }
      const error = t.throws(() => nextTransactionState(from, to, { transactionalId: 'app.0' }), { instanceOf: ExoArmurError });
      t.is(error?.code, 'TRANSACTION_STATE');
      t.is(error?.message, `illegal transaction transition ${from} -> ${to}`);
      t.deepEqual(error?.context, { transactionalId: 'app.0' });
    }
  }
});

test('a fenced writer can only be closed: no batch, no reopen without closing first', (t) => {
  t.deepEqual(TRANSACTION_TRANSITIONS.fenced, ['closed']);
  t.deepEqual(TRANSACTION_TRANSITIONS.closed, ['opening']);
});
