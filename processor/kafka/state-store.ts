/**
 * A task's local persistent state store (LMDB, like a Kafka Streams state store beside its
 * changelog): the latest value bytes of every key of one partition of the compacted changelog,
 * exactly as the changelog holds them, and the checkpoint — the changelog offset up to which the
 * store reflects it.
 *
 * The rule that keeps it safe: data and checkpoint change together in one LMDB write transaction
 * (atomic: a kill -9 mid-write leaves the previous transaction's data and checkpoint), and the
 * shell writes only what the changelog already holds committed (restore, or a batch after its Kafka
 * transaction committed). So the store is always a prefix of the committed changelog and never
 * ahead of it. A write whose checkpoint is behind the stored one is refused: another owner of the
 * partition (on the same state directory) wrote later changelog offsets, and this writer is stale.
 *
 * LMDB because its reads are synchronous memory-mapped lookups: the pure core reads state through
 * a synchronous `get`, so state need not be loaded into memory to be read.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { SCHEMAS } from '../codec/index.js';
import { ExoArmurError } from '../errors.js';

/** lmdb-js refuses keys above 1978 bytes; longer state keys (long tenant or correlation ids) are stored under their SHA-256. */
const MAX_PLAIN_KEY_BYTES = 1024;

export function storeKey(key: string): string {
  return Buffer.byteLength(key, 'utf8') <= MAX_PLAIN_KEY_BYTES ? key : `\u0000sha256/${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

export interface Checkpoint {
  /** The changelog topic and partition the store reflects. */
  topic: string;
  partition: number;
  /** Next changelog offset not yet reflected (a decimal string, kafkajs convention). */
  offset: string;
  /** Wall clock of the write (ms): a store older than the changelog's tombstone retention may miss deletes. */
  writtenAtMs: number;
}

export interface StoreEntry {
  key: string;
  /** The changelog value bytes; null is a tombstone (delete). */
  value: Buffer | null;
}

/**
 * Where the store of one task lives: `<stateDir>/<appId>/state-<fingerprint>/<partition>`. The
 * store keeps bare values of the current state schema, so a build with another state schema gets
 * a store of its own and restores it in full from the changelog (which names each record's version).
 */
export function taskStoreDir(stateDir: string, appId: string, partition: number): string {
  return join(stateDir, encodeURIComponent(appId), `state-${SCHEMAS.state.fingerprint.slice(0, 16)}`, String(partition));
}

export class TaskStore {
  private constructor(
    readonly dir: string,
    private readonly env: RootDatabase,
    private readonly data: Database<Buffer, string>,
    private readonly meta: Database<Checkpoint, string>,
  ) {}

  static open(dir: string): TaskStore {
    mkdirSync(dir, { recursive: true });
    try {
      const env = open({ path: join(dir, 'state.mdb'), maxDbs: 4, compression: false });
      const data = env.openDB<Buffer, string>({ name: 'state', encoding: 'binary' });
      const meta = env.openDB<Checkpoint, string>({ name: 'checkpoint', encoding: 'json' });
      return new TaskStore(dir, env, data, meta);
    } catch (error) {
      throw new ExoArmurError('STATE_STORE_FAILED', `opening the state store at ${dir}: ${(error as Error).message}`, { cause: error, context: { dir } });
    }
  }

  checkpoint(): Checkpoint | undefined {
    return this.meta.get('checkpoint');
  }

  /**
   * Calls `use` with the stored bytes of `key` (a view valid only during the call), or undefined.
   * Synchronous: this is how the core's reads reach the store.
   */
  read<T>(key: string, use: (bytes: Buffer | undefined) => T): T {
    const bytes = this.data.getBinaryFast(storeKey(key));
    // lmdb-js hands out its shared read buffer with `length` set to the value's size: a view of exactly the value.
    return use(bytes === undefined ? undefined : bytes.subarray(0, bytes.length));
  }

  /**
   * The stored keys that begin with `prefix`, in key order. A key stored under its hash (longer than
   * MAX_PLAIN_KEY_BYTES) is not named by its prefix and is left out.
   */
  *keysUnder(prefix: string): Iterable<string> {
    const end = `${prefix.slice(0, -1)}${String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)}`;
    for (const key of this.data.getKeys({ start: prefix, end })) if (key.startsWith(prefix)) yield key;
  }

  /** Every stored entry in key order (for inspection and tests: the processor reads by key). */
  *entries(): Iterable<StoreEntry> {
    for (const { key, value } of this.data.getRange()) yield { key, value };
  }

  /** Writes `entries` (in changelog order) and the new checkpoint in one atomic LMDB transaction. */
  write(entries: Iterable<StoreEntry>, checkpoint: Checkpoint): void {
    try {
      this.env.transactionSync(() => {
        const stored = this.meta.get('checkpoint');
        if (stored !== undefined && BigInt(stored.offset) > BigInt(checkpoint.offset)) {
          throw new ExoArmurError(
            'STATE_STORE_OVERTAKEN',
            `the state store at ${this.dir} reflects changelog offset ${stored.offset}, beyond this writer's ${checkpoint.offset}: another owner of partition ${checkpoint.partition} wrote it`,
            { context: { topic: checkpoint.topic, partition: checkpoint.partition, offset: checkpoint.offset } },
          );
        }
        for (const { key, value } of entries) {
          if (value === null) this.data.removeSync(storeKey(key));
          else this.data.putSync(storeKey(key), value);
        }
        this.meta.putSync('checkpoint', checkpoint);
      });
    } catch (error) {
      if (error instanceof ExoArmurError) throw error;
      throw new ExoArmurError('STATE_STORE_FAILED', `writing the state store at ${this.dir}: ${(error as Error).message}`, {
        cause: error,
        context: { topic: checkpoint.topic, partition: checkpoint.partition, offset: checkpoint.offset },
      });
    }
  }

  async close(): Promise<void> {
    await this.env.close();
  }

  /** Removes a store directory (a store whose environment cannot be opened is rebuilt from the changelog). */
  static remove(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }
}
