/**
 * A step's view of the partition state: reads see this step's own changes first, then the state
 * it was given (never mutated). The changes become role 'state' output records at the end of the
 * step, in order of each key's last change.
 */
import type { OutputRecord } from './api.js';
import { keysAfterChanges, stateKeysUnder, type StateValue, type StateView } from './state.js';

export class StateOverlay {
  private readonly changes = new Map<string, StateValue | null>();

  constructor(private readonly base: StateView) {}

  get(key: string): StateValue | undefined {
    // One probe of the changes: a key this step deleted holds null, one it never touched is absent.
    const changed = this.changes.get(key);
    if (changed !== undefined) return changed ?? undefined;
    return this.base.get(key);
  }

  /** The keys that begin with `prefix`, this step's changes included, sorted. */
  keysUnder(prefix: string): string[] {
    return keysAfterChanges(stateKeysUnder(this.base, prefix), this.changes, prefix);
  }

  /** Sets (or with null deletes) a key; a later change of the same key moves it to the end. */
  put(key: string, value: StateValue | null): void {
    this.changes.delete(key);
    this.changes.set(key, value);
  }

  /** Appends the changes, as state records, to `out`. */
  writeRecords(out: OutputRecord[]): void {
    for (const [key, value] of this.changes) out.push({ role: 'state', key, value });
  }
}
