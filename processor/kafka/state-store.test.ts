import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExoArmurError } from '../errors.js';
import { SCHEMAS } from '../codec/index.js';
import { storeKey, taskStoreDir, TaskStore, type Checkpoint } from './state-store.js';
import { planRestore, type ChangelogFacts } from './restore.js';

const at = (offset: number, writtenAtMs = 1_000): Checkpoint => ({ topic: 'exoarmur.state.v1', partition: 1, offset: String(offset), writtenAtMs });
const read = (store: TaskStore, key: string) => store.read(key, (b) => (b === undefined ? undefined : Buffer.from(b).toString('utf8')));

test('data and checkpoint survive reopening; tombstones delete; a checkpoint behind the stored one is refused with nothing written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-store-'));
  try {
    let store = TaskStore.open(dir);
    t.is(store.checkpoint(), undefined);
    store.write(
      [
        { key: 'a', value: Buffer.from('1') },
        { key: 'b', value: Buffer.from('2') },
      ],
      at(10),
    );
    store.write(
      [
        { key: 'a', value: null },
        { key: 'b', value: Buffer.from('3') },
      ],
      at(20),
    );
    await store.close();
    store = TaskStore.open(dir);
    t.deepEqual(store.checkpoint(), at(20));
    t.is(read(store, 'a'), undefined);
    t.is(read(store, 'b'), '3');
    const error = t.throws(() => store.write([{ key: 'b', value: Buffer.from('stale') }], at(15)), { instanceOf: ExoArmurError });
    t.is(error?.code, 'STATE_STORE_OVERTAKEN');
    t.is(read(store, 'b'), '3');
    t.deepEqual(store.checkpoint(), at(20));
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keys beyond the store key limit are stored under their hash and read back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-store-'));
  const long = `collective/${'t'.repeat(3000)}/malware/c1`;
  try {
    const store = TaskStore.open(dir);
    store.write([{ key: long, value: Buffer.from('x') }], at(1));
    t.is(read(store, long), 'x');
    t.is(read(store, `${long}2`), undefined);
    t.true(storeKey(long).startsWith('\u0000sha256/') && /^[0-9a-f]{64}$/.test(storeKey(long).slice('\u0000sha256/'.length)));
    t.is(storeKey('idem/t/acme:1'), 'idem/t/acme:1');
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a task store directory is named by app id, state schema version and partition', (t) => {
  t.is(taskStoreDir('/var/lib/exoarmur', 'app/1', 3), join('/var/lib/exoarmur', 'app%2F1', `state-${SCHEMAS.state.fingerprint.slice(0, 16)}`, '3'));
});

const log: ChangelogFacts = { topic: 'exoarmur.state.v1', partition: 1, low: 5n, high: 100n, deleteRetentionMs: 86_400_000 };

test('restore starts at the checkpoint of a store that reflects this changelog within its range and tombstone retention', (t) => {
  t.deepEqual(planRestore(at(40), log, 2_000), { mode: 'delta', from: 40n });
  t.deepEqual(planRestore(at(100), log, 2_000), { mode: 'delta', from: 100n });
  t.deepEqual(planRestore(at(5), log, 2_000), { mode: 'delta', from: 5n });
});

test('a missing, foreign, ahead, truncated-away or too old store restores in full from the log start', (t) => {
  t.deepEqual(planRestore(undefined, log, 2_000), { mode: 'full', from: 5n, reason: 'no store' });
  t.deepEqual(planRestore({ ...at(40), topic: 'other' }, log, 2_000), { mode: 'full', from: 5n, reason: 'store reflects other[1]' });
  t.deepEqual(planRestore({ ...at(40), partition: 2 }, log, 2_000), { mode: 'full', from: 5n, reason: 'store reflects exoarmur.state.v1[2]' });
  t.deepEqual(planRestore(at(101), log, 2_000), { mode: 'full', from: 5n, reason: 'store checkpoint 101 is beyond the changelog end 100' });
  t.deepEqual(planRestore(at(4), log, 2_000), { mode: 'full', from: 5n, reason: 'store checkpoint 4 is before the changelog start 5' });
  t.deepEqual(planRestore(at(40, 1_000), log, 1_000 + 86_400_001), {
    mode: 'full',
    from: 5n,
    reason: "store checkpoint is older than the changelog's tombstone retention (86400000 ms)",
  });
});
