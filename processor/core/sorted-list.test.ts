/**
 * The sorted list kept in state, driven directly and checked whole: every node as stored (links
 * and body), the meta ends and count, after inserts out of order, ties on time broken by id, removes
 * at the head, the middle, the tail, of an id not in the list and of the last node; the walk back
 * (lastAtOrBefore) on and between nodes; firstDue at a node's time exactly and 1 ms past it.
 */
import test from 'ava';
import { freshPartitionMeta } from '../testing/partition-meta.js';
import type { OutputRecord } from './api.js';
import { StateOverlay } from './overlay.js';
import { listShape, SortedStateList } from './sorted-list.js';
import { stateKeys, stateRecord, type StateValue } from './state.js';
import type { PartitionMeta, PendingNode } from './types.js';

const T1 = '2026-03-01T12:00:01.000Z';
const T2 = '2026-03-01T12:00:02.000Z';
const T3 = '2026-03-01T12:00:03.000Z';

const meta = () => freshPartitionMeta(0);

const PENDING = listShape<PendingNode>('pending', 'approval_id', 'expires_at', stateKeys.pending, { head: 'pending_head', tail: 'pending_tail', count: 'pending_count' });

function pendingList(base = new Map<string, StateValue>()) {
  const m = meta();
  const state = new StateOverlay(base);
  return { m, state, list: new SortedStateList(state, m, PENDING) };
}

/** Every state change of the step as [key, node or null], in order of each key's last change. */
function changes(state: StateOverlay): Array<[string, PendingNode | null]> {
  const out: OutputRecord[] = [];
  state.writeRecords(out);
  return out.map((r) => [r.key!, (r.value as StateValue | null)?.pending ?? null]);
}

const node = (approval_id: string, expires_at: string, prev: string | null, next: string | null): PendingNode => ({ approval_id, expires_at, prev, next });
const ends = (m: PartitionMeta) => ({ head: m.pending_head, tail: m.pending_tail, count: m.pending_count });

test('inserts out of order: sorted by time, a tie by id; every node linked both ways, the ends and count in meta', (t) => {
  const { m, state, list } = pendingList();
  t.true(list.isEmpty());
  list.insert('b', T2);
  list.insert('d', T3);
  list.insert('a', T1);
  list.insert('c', T2);
  t.false(list.isEmpty());
  t.deepEqual(ends(m), { head: 'a', tail: 'd', count: 4 });
  t.deepEqual(
    changes(state).sort(([x], [y]) => (x < y ? -1 : 1)),
    [
      ['pending/a', node('a', T1, null, 'b')],
      ['pending/b', node('b', T2, 'a', 'c')],
      ['pending/c', node('c', T2, 'b', 'd')],
      ['pending/d', node('d', T3, 'c', null)],
    ],
  );
});

test('an insert keeps the body given; replace rewrites a node in place', (t) => {
  const { state, list } = pendingList();
  list.insert('a', T1, { extra: 'kept' } as Partial<PendingNode>);
  list.insert('b', T2);
  t.deepEqual(list.get('a') as unknown, { extra: 'kept', approval_id: 'a', expires_at: T1, prev: null, next: 'b' });
  list.replace({ ...list.get('b')!, extra: 'new' } as PendingNode);
  t.deepEqual(state.get('pending/b'), stateRecord('pending', { approval_id: 'b', expires_at: T2, prev: 'a', next: null, extra: 'new' } as PendingNode));
  t.is(list.get(null), undefined);
  t.is(list.get('zz'), undefined);
});

test('lastAtOrBefore: on a node it is that node; between nodes the one before; before the first none', (t) => {
  const { list } = pendingList();
  for (const [id, at] of [
    ['a', T1],
    ['b', T2],
    ['d', T2],
    ['e', T3],
  ] as const)
    list.insert(id, at);
  const found = (at: string, id: string) => list.lastAtOrBefore(at, id)?.approval_id ?? null;
  t.deepEqual(
    [found(T2, 'b'), found(T2, 'c'), found(T2, 'a'), found(T2, 'd'), found(T1, 'a'), found(T1, '0'), found(T3, 'z'), found('2026-03-01T12:00:09.000Z', '0')],
    ['b', 'b', 'a', 'd', 'a', null, 'e', 'e'],
  );
});

test('firstDue: the head once stream time has passed its time, not at it; nothing for an empty list', (t) => {
  const { list } = pendingList();
  t.is(list.firstDue(T3), undefined);
  t.is(list.first(), undefined);
  list.insert('b', T2);
  list.insert('a', T2);
  t.deepEqual(list.first(), node('a', T2, null, 'b'));
  t.is(list.firstDue(T1), undefined);
  t.is(list.firstDue(T2), undefined);
  t.deepEqual(list.firstDue('2026-03-01T12:00:02.001Z'), node('a', T2, null, 'b'));
});

test('removes: the middle, an id not in the list, the head, the tail, the last; links, ends and count follow', (t) => {
  const { m, state, list } = pendingList();
  for (const [id, at] of [
    ['a', T1],
    ['b', T2],
    ['c', T3],
    ['d', T3],
  ] as const)
    list.insert(id, at);
  const stored = () => Object.fromEntries(changes(state));
  list.remove('b');
  t.deepEqual(
    [ends(m), stored()['pending/a'], stored()['pending/b'], stored()['pending/c']],
    [{ head: 'a', tail: 'd', count: 3 }, node('a', T1, null, 'c'), null, node('c', T3, 'a', 'd')],
  );
  list.remove('zz');
  t.deepEqual(ends(m), { head: 'a', tail: 'd', count: 3 });
  list.remove('a');
  t.deepEqual([ends(m), stored()['pending/a'], stored()['pending/c']], [{ head: 'c', tail: 'd', count: 2 }, null, node('c', T3, null, 'd')]);
  list.remove('d');
  t.deepEqual([ends(m), stored()['pending/c'], stored()['pending/d']], [{ head: 'c', tail: 'c', count: 1 }, node('c', T3, null, null), null]);
  list.remove('c');
  t.deepEqual([ends(m), stored()['pending/c']], [{ head: null, tail: null, count: 0 }, null]);
  t.true(list.isEmpty());
});

test('a list without a count keeps none: the collective expiry ends move, pending_count stays', (t) => {
  const m = meta();
  const state = new StateOverlay(new Map());
  const shape = listShape<{ collective_key: string; check_at: string; prev: string | null; next: string | null }>(
    'collective_expiry',
    'collective_key',
    'check_at',
    stateKeys.collectiveExpiry,
    {
      head: 'collective_head',
      tail: 'collective_tail',
      count: null,
    },
  );
  const list = new SortedStateList(state, m, shape);
  list.insert('collective/acme/x/c1', T1);
  t.deepEqual([m.collective_head, m.collective_tail, m.pending_count], ['collective/acme/x/c1', 'collective/acme/x/c1', 0]);
  t.deepEqual(state.get('collective-expiry/acme/x/c1'), stateRecord('collective_expiry', { collective_key: 'collective/acme/x/c1', check_at: T1, prev: null, next: null }));
  list.remove('collective/acme/x/c1');
  t.deepEqual([m.collective_head, m.collective_tail, m.pending_count], [null, null, 0]);
});
