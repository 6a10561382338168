/**
 * State keys and the changelog functions, whole and against hand-written values: keys whose parts
 * hold '/' or '%' (and their twins without), the keys under a prefix from a map and from a store's
 * index, the changes of a step over them, the one shared idempotency mark, the refusal of a record
 * that is not a state record, and coalescing in order of each key's last change.
 */
import test from 'ava';
import type { OutputRecord } from './api.js';
import {
  applyStateEntry,
  applyStateRecords,
  coalesceStateRecords,
  IDEMPOTENCY_MARK,
  keysAfterChanges,
  stateKeyOf,
  stateKeys,
  stateKeysUnder,
  stateRecord,
  type StateValue,
  type StateView,
} from './state.js';

const NULLS = {
  meta: null,
  pending: null,
  collective: null,
  approval: null,
  kill_switch: null,
  released: null,
  collective_expiry: null,
  containment: null,
  breaker: null,
  revert: null,
  retention: null,
  contained: null,
  position: null,
};

const killSwitch = (on: boolean): StateValue => stateRecord('kill_switch', { on, actor_id: 'alice', changed_at: '2026-03-01T12:00:00.000Z', reason: null } as never);

test('a part holding "/" or "%" is percent-encoded; any other part is kept as it is', (t) => {
  t.deepEqual(
    [
      stateKeys.collective('acme', 'malware', 'corr-1'),
      stateKeys.collective('a/b', 'x%y', 'c/d%e'),
      stateKeys.killTenant('acme'),
      stateKeys.killTenant('a/b'),
      stateKeys.killTenant('50%'),
      stateKeys.containment('acme', 'host', 'h:1'),
      stateKeys.containment('a%b', 'host', '10.0.0.0/8'),
      stateKeys.breaker('a/b'),
      stateKeys.position('exoarmur/telemetry'),
      stateKeys.collectiveExpiry('collective/acme/malware/corr-1'),
    ],
    [
      'collective/acme/malware/corr-1',
      'collective/a%2Fb/x%25y/c%2Fd%25e',
      'kill/tenant/acme',
      'kill/tenant/a%2Fb',
      'kill/tenant/50%25',
      'containment/acme/host/h:1',
      'containment/a%25b/host/10.0.0.0%2F8',
      'breaker/a%2Fb',
      'position/exoarmur%2Ftelemetry',
      'collective-expiry/acme/malware/corr-1',
    ],
  );
});

test('stateRecord: the kind and its body, every other member null; the idempotency mark: kind only, frozen', (t) => {
  const body = { on: true, actor_id: 'alice', changed_at: '2026-03-01T12:00:00.000Z', reason: null };
  t.deepEqual(stateRecord('kill_switch', body as never), { ...NULLS, kind: 'kill_switch', kill_switch: body });
  t.deepEqual(IDEMPOTENCY_MARK, { ...NULLS, kind: 'idempotency' });
  t.true(Object.isFrozen(IDEMPOTENCY_MARK));
});

test('keys under a prefix, sorted: from a map of every key, and from a store index (which is trusted as it lists them)', (t) => {
  const map = new Map<string, StateValue>([
    ['kill/tenant/b', killSwitch(true)],
    ['pending/2', killSwitch(true)],
    ['kill/tenant/a', killSwitch(true)],
    ['x/kill/tenant/c', killSwitch(true)],
  ]);
  t.deepEqual(stateKeysUnder(map, 'kill/tenant/'), ['kill/tenant/a', 'kill/tenant/b']);
  const indexed: StateView = Object.assign(new Map<string, StateValue>(), { keysUnder: (prefix: string) => [`${prefix}z`, `${prefix}a`] });
  t.deepEqual(stateKeysUnder(indexed, 'kill/tenant/'), ['kill/tenant/a', 'kill/tenant/z']);
});

test("keysAfterChanges: a step's changes under the prefix over the stored keys, deletions out, sorted; changes elsewhere ignored", (t) => {
  const changes = new Map<string, StateValue | null>([
    ['pending/3', killSwitch(true)],
    ['pending/1', null],
    ['approval/pending/9', killSwitch(true)],
    ['pending/0', killSwitch(false)],
  ]);
  t.deepEqual(keysAfterChanges(['pending/2', 'pending/1'], changes, 'pending/'), ['pending/0', 'pending/2', 'pending/3']);
});

test('applying changelog entries: a value is set, the idempotency mark shared, a tombstone deletes; only state records are applied', (t) => {
  const cache = new Map<string, StateValue>();
  const mark = { ...NULLS, kind: 'idempotency' } as StateValue;
  applyStateEntry(cache, 'idem/t/acme:1', mark);
  t.is(cache.get('idem/t/acme:1'), IDEMPOTENCY_MARK, 'the one shared value, not the decoded copy');
  const on = killSwitch(true);
  applyStateEntry(cache, 'kill/global', on);
  t.is(cache.get('kill/global'), on);
  applyStateRecords(cache, [
    { role: 'audit', key: 'kill/global', value: null },
    { role: 'state', key: 'idem/t/acme:1', value: null },
    { role: 'dlq', key: 'pending/1', value: on },
    { role: 'state', key: 'pending/2', value: on },
  ]);
  t.deepEqual(
    [...cache.entries()],
    [
      ['kill/global', on],
      ['pending/2', on],
    ],
  );
});

test('stateKeyOf refuses a record that is not a state record, or one without a key', (t) => {
  t.is(stateKeyOf({ role: 'state', key: 'meta/0', value: null }), 'meta/0');
  t.throws(() => stateKeyOf({ role: 'audit', key: 'acme:corr', value: null }), { instanceOf: TypeError, message: 'not a state record: role audit' });
  t.throws(() => stateKeyOf({ role: 'state', key: null, value: null }), { instanceOf: TypeError, message: 'not a state record: role state' });
});

test("coalescing: the last value per key, in order of each key's last change; other roles dropped", (t) => {
  const records: OutputRecord[] = [
    { role: 'state', key: 'a', value: killSwitch(true) },
    { role: 'audit', key: 'acme:corr', value: null },
    { role: 'state', key: 'b', value: killSwitch(true) },
    { role: 'state', key: 'a', value: null },
    { role: 'execute', key: 'h1', value: null },
    { role: 'state', key: 'c', value: killSwitch(false) },
  ];
  t.deepEqual(coalesceStateRecords(records), [records[2], records[3], records[5]]);
});
