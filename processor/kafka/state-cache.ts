/**
 * A task's state as the core reads it: the changes of the chunk being processed over the local
 * store (state-store.ts), which holds the committed changelog. Nothing is loaded up front: a key is
 * read from the store (memory-mapped, synchronous) and decoded when the core asks for it, and a
 * bounded set of recently read values stays decoded (the partition's meta, live collectives and
 * pending approvals are read again and again). That set is two generations, not a strict LRU: a
 * hit in the young one costs one map probe (an LRU's delete and re-insert on every hit was a
 * visible share of the walks over sorted lists), a hit in the old one moves the value young, and
 * when the young generation is full the old one is dropped. Idempotency marks, most of the keys, are the one
 * shared value and never cached.
 *
 * A chunk's changes live only here until its Kafka transaction commits; then `committed` writes the
 * same bytes the transaction wrote to the changelog into the store. If the transaction fails, the
 * runner discards the task and this cache with it, so the store never sees uncommitted changes.
 */
import { decodeRecord } from '../codec/index.js';
import { IDEMPOTENCY_MARK, keysAfterChanges, type StateValue } from '../core/index.js';
import { ExoArmurError } from '../errors.js';
import type { Checkpoint, StoreEntry, TaskStore } from './state-store.js';

/** How many decoded values stay cached (least recently read dropped first). */
export const DECODED_CACHE_SIZE = 20_000;

export class StoreStateCache extends Map<string, StateValue> {
  /** This chunk's changes, not yet committed (null: deleted). */
  private readonly changes = new Map<string, StateValue | null>();
  /** Decoded values read or committed lately; `older` holds the generation before them. */
  private decoded = new Map<string, StateValue>();
  private older = new Map<string, StateValue>();

  constructor(
    private readonly store: TaskStore,
    private readonly topic: string,
    private readonly partition: number,
    private readonly decodedCacheSize = DECODED_CACHE_SIZE,
  ) {
    super();
  }

  override get(key: string): StateValue | undefined {
    const changed = this.changes.get(key);
    if (changed !== undefined) return changed ?? undefined;
    const cached = this.decoded.get(key);
    if (cached !== undefined) return cached;
    const old = this.older.get(key);
    if (old !== undefined) {
      this.older.delete(key);
      this.remember(key, old);
      return old;
    }
    const value = this.store.read(key, (bytes) => (bytes === undefined ? undefined : this.decode(key, bytes)));
    if (value !== undefined && value !== IDEMPOTENCY_MARK) this.remember(key, value);
    return value;
  }

  override has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  override set(key: string, value: StateValue): this {
    this.changes.set(key, value);
    return this;
  }

  override delete(key: string): boolean {
    const existed = this.has(key);
    this.changes.set(key, null);
    return existed;
  }

  /** The keys that begin with `prefix`: the store's, with the chunk's uncommitted changes over them. */
  keysUnder(prefix: string): string[] {
    return keysAfterChanges(this.store.keysUnder(prefix), this.changes, prefix);
  }

  /** Keys changed by the chunk in progress (for tests and logs). */
  get pendingChanges(): number {
    return this.changes.size;
  }

  /**
   * The chunk's transaction committed: write the bytes it wrote to the changelog (`entries`, one
   * per key, in changelog order) and the changelog position after them to the store, atomically.
   */
  committed(entries: Iterable<StoreEntry>, checkpoint: Checkpoint): void {
    this.store.write(entries, checkpoint);
    for (const [key, value] of this.changes) {
      this.decoded.delete(key);
      this.older.delete(key);
      if (value !== null && value !== IDEMPOTENCY_MARK) this.remember(key, value);
    }
    this.changes.clear();
  }

  /** At most `decodedCacheSize` values stay decoded: two generations of half that each. */
  private remember(key: string, value: StateValue): void {
    this.decoded.set(key, value);
    if (this.decoded.size >= Math.max(1, Math.floor(this.decodedCacheSize / 2))) {
      this.older = this.decoded;
      this.decoded = new Map();
    }
  }

  private decode(key: string, bytes: Buffer): StateValue {
    const decoded = decodeRecord('state', bytes);
    if (!decoded.ok || decoded.value === null) {
      // The store holds only what the changelog held, which only this processor writes: guessing state would break exactly-once.
      throw new ExoArmurError('STATE_RECORD_UNREADABLE', `state entry ${key} in the store at ${this.store.dir} is unreadable: ${decoded.ok ? 'null value' : decoded.reason}`, {
        context: { topic: this.topic, partition: this.partition },
      });
    }
    return decoded.value as StateValue;
  }
}
