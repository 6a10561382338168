/**
 * The transaction lifecycle of one task's producer as a table: which state may follow which. The
 * writer (transactions.ts) changes state only through `nextTransactionState`, so a path the table
 * does not list (committing a batch on a fenced producer, beginning twice) is refused as a bug
 * instead of reaching the broker.
 *
 *   closed -> opening -> idle                      open(): connect, fence the previous owner
 *   idle -> begun -> committing -> idle            one batch in one transaction (exactly_once)
 *   idle -> committing -> idle                     one batch, produce then commit offsets (at_least_once)
 *   begun | committing -> aborting -> idle         a failed batch is aborted; the writer is reusable
 *   begun | committing | aborting -> fenced        another owner took the transactional id: terminal
 *   any -> closed                                  close(): abort what is open, disconnect
 */
import { InvariantError } from '../errors.js';

export type TransactionState = 'closed' | 'opening' | 'idle' | 'begun' | 'committing' | 'aborting' | 'fenced';

export const TRANSACTION_TRANSITIONS: Readonly<Record<TransactionState, readonly TransactionState[]>> = {
  closed: ['opening'],
  opening: ['idle', 'closed'],
  idle: ['begun', 'committing', 'closed'],
  begun: ['committing', 'aborting', 'fenced', 'closed'],
  committing: ['idle', 'aborting', 'fenced', 'closed'],
  aborting: ['idle', 'fenced', 'closed'],
  fenced: ['closed'],
};

/** `to`, if the table allows it after `from`; otherwise an invariant error naming both. */
export function nextTransactionState(from: TransactionState, to: TransactionState, context: Record<string, unknown> = {}): TransactionState {
  if (!TRANSACTION_TRANSITIONS[from].includes(to)) {
    throw new InvariantError('TRANSACTION_STATE', `illegal transaction transition ${from} -> ${to}`, { context });
  }
  return to;
}
