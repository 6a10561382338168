import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecord } from '../codec/index.js';
import { IDEMPOTENCY_MARK, stateRecord, type StateValue } from '../core/index.js';
import { ExoArmurError } from '../errors.js';
import { StoreStateCache } from './state-cache.js';
import { TaskStore, type Checkpoint } from './state-store.js';

const killSwitch: StateValue = stateRecord('kill_switch', {
  scope: 'global',
  tenant_id: null,
  on: true,
  actor_id: 'alice',
  action_id: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
  reason: 'drill',
  decided_at: '2026-01-02T03:04:05.678Z',
});
const killOff: StateValue = { ...killSwitch, kill_switch: { ...killSwitch.kill_switch!, on: false } };

const at = (offset: number): Checkpoint => ({ topic: 'exoarmur.state.v1', partition: 2, offset: String(offset), writtenAtMs: 1 });
const bytes = (value: StateValue) => encodeRecord('state', value).value;

/** Runs `body` against a real LMDB store in a fresh temporary directory. */
function withStore(body: (t: ExecutionContext, store: TaskStore) => void) {
  return async (t: ExecutionContext) => {
    const dir = mkdtempSync(join(tmpdir(), 'exoarmur-cache-'));
    const store = TaskStore.open(dir);
    try {
      body(t, store);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'a stored value decodes on first read to what was written, and stays decoded',
  withStore((t, store) => {
    store.write([{ key: 'kill/global', value: bytes(killSwitch) }], at(8));
    const cache = new StoreStateCache(store, 'exoarmur.state.v1', 2);
    const first = cache.get('kill/global');
    t.deepEqual(first, killSwitch);
    t.is(cache.get('kill/global'), first);
    t.is(cache.get('kill/tenant/acme'), undefined);
  }),
);

test(
  "a chunk's changes are read back before they commit and reach the store only when committed",
  withStore((t, store) => {
    store.write(
      [
        { key: 'kill/global', value: bytes(killSwitch) },
        { key: 'idem/t/acme:1', value: bytes(IDEMPOTENCY_MARK) },
      ],
      at(2),
    );
    const cache = new StoreStateCache(store, 'exoarmur.state.v1', 2);
    cache.set('kill/global', killOff);
    cache.delete('idem/t/acme:1');
    cache.set('idem/t/acme:2', IDEMPOTENCY_MARK);
    t.deepEqual(cache.get('kill/global'), killOff);
    t.false(cache.has('idem/t/acme:1'));
    t.is(cache.get('idem/t/acme:2'), IDEMPOTENCY_MARK);
    t.deepEqual(
      store.read('kill/global', (b) => b && Buffer.from(b)),
      bytes(killSwitch),
    );
    t.is(cache.pendingChanges, 3);
    cache.committed(
      [
        { key: 'kill/global', value: bytes(killOff) },
        { key: 'idem/t/acme:1', value: null },
        { key: 'idem/t/acme:2', value: bytes(IDEMPOTENCY_MARK) },
      ],
      at(6),
    );
    t.is(cache.pendingChanges, 0);
    t.deepEqual(store.checkpoint(), at(6));
    const fresh = new StoreStateCache(store, 'exoarmur.state.v1', 2);
    t.deepEqual(fresh.get('kill/global'), killOff);
    t.is(fresh.get('idem/t/acme:1'), undefined);
    t.is(fresh.get('idem/t/acme:2'), IDEMPOTENCY_MARK);
  }),
);

test(
  'the decoded cache keeps only the most recently read values',
  withStore((t, store) => {
    store.write(
      [
        { key: 'kill/global', value: bytes(killSwitch) },
        { key: 'kill/tenant/acme', value: bytes(killOff) },
      ],
      at(2),
    );
    const cache = new StoreStateCache(store, 'exoarmur.state.v1', 2, 1);
    const global = cache.get('kill/global');
    cache.get('kill/tenant/acme');
    // Evicted: read again from the store, an equal but new object.
    const again = cache.get('kill/global');
    t.deepEqual(again, global);
    t.not(again, global);
  }),
);

test(
  'an unreadable entry fails the read that needs it, naming key, topic and partition',
  withStore((t, store) => {
    store.write([{ key: 'kill/global', value: Buffer.from([0xff, 0xff, 0xff]) }], at(42));
    const cache = new StoreStateCache(store, 'exoarmur.state.v1', 2);
    const error = t.throws(() => cache.get('kill/global'), { instanceOf: ExoArmurError });
    t.is(error?.code, 'STATE_RECORD_UNREADABLE');
    t.regex(error?.message ?? '', /kill\/global in the store at/);
    t.like(error?.context, { topic: 'exoarmur.state.v1', partition: 2 });
  }),
);

test(
  'the keys under a prefix: the stored ones in order, with the uncommitted changes over them; a key stored under its hash is left out',
  withStore((t, store) => {
    const mark = bytes(IDEMPOTENCY_MARK);
    const long = `idem/t/acme:${'x'.repeat(2000)}`;
    store.write(
      ['idem/t/a', 'idem/t/b', 'idem/o/c', 'idem0', 'idel', long].map((key) => ({ key, value: mark })),
      at(3),
    );
    store.write([{ key: 'kill/global', value: bytes(killSwitch) }], at(4));
    const cache = new StoreStateCache(store, 'exoarmur.state.v1', 2);
    cache.delete('idem/t/a');
    cache.set('idem/t/d', IDEMPOTENCY_MARK);
    t.deepEqual(cache.keysUnder('idem/'), ['idem/o/c', 'idem/t/b', 'idem/t/d']);
    t.deepEqual([...store.keysUnder('idem/')], ['idem/o/c', 'idem/t/a', 'idem/t/b']);
  }),
);
