/**
 * State keys and the one function that applies changelog records to a cache. The shell, state
 * restore and replay all use applyStateRecords/applyStateEntry, so a cache always equals what the
 * compacted changelog holds. Idempotency marks are stored as one shared frozen value so a
 * million keys cost only their key strings.
 */
import type { OutputRecord } from './api.js';
import type { StateRecordV1 } from './types.js';

export type StateValue = StateRecordV1;
/**
 * The state a step reads: a map of every key (replay, tests), or the shell's cache over the task
 * store, which reads a key at a time and lists the keys under a prefix from the store's own index.
 */
export type StateView = ReadonlyMap<string, StateValue> & { keysUnder?(prefix: string): Iterable<string> };

/** `keys` (those under `prefix` of some state) with the changes under `prefix` over them (null: deleted), sorted. */
export function keysAfterChanges(keys: Iterable<string>, changes: ReadonlyMap<string, StateValue | null>, prefix: string): string[] {
  const out = new Set(keys);
  for (const [key, value] of changes) {
    if (!key.startsWith(prefix)) continue;
    if (value === null) out.delete(key);
    else out.add(key);
  }
  return [...out].sort();
}

/** The keys of `view` that begin with `prefix`, sorted: the same list from the store's index as from a map of every key. */
export function stateKeysUnder(view: StateView, prefix: string): string[] {
  const keys = view.keysUnder === undefined ? [...view.keys()].filter((key) => key.startsWith(prefix)) : [...view.keysUnder(prefix)];
  return keys.sort();
}

/** Key parts are joined with '/', so a part that contains '/' (or '%') is percent-encoded to keep keys unambiguous. */
function part(text: string): string {
  return text.includes('/') || text.includes('%') ? encodeURIComponent(text) : text;
}

export const stateKeys = {
  meta: (partition: number) => `meta/${partition}`,
  pending: (approvalId: string) => `pending/${approvalId}`,
  telemetryIdem: (idempotencyKey: string) => `idem/t/${idempotencyKey}`,
  operatorIdem: (idempotencyKey: string) => `idem/o/${idempotencyKey}`,
  resultIdem: (idempotencyKey: string) => `idem/r/${idempotencyKey}`,
  collective: (tenant: string, claimType: string, correlationId: string) => `collective/${part(tenant)}/${part(claimType)}/${part(correlationId)}`,
  approval: (approvalId: string) => `approval/${approvalId}`,
  killGlobal: () => 'kill/global',
  killTenant: (tenant: string) => `kill/tenant/${part(tenant)}`,
  released: (intentId: string) => `released/${intentId}`,
  /** The expiry-list node of a collective, named by the collective's own key. */
  collectiveExpiry: (collectiveKey: string) => `collective-expiry/${collectiveKey.slice('collective/'.length)}`,
  containment: (tenant: string, subjectKind: string, subject: string) => `containment/${part(tenant)}/${subjectKind}/${part(subject)}`,
  breaker: (tenant: string) => `breaker/${part(tenant)}`,
  revert: (intentId: string) => `revert/${intentId}`,
  /** A released containment off the revert list (kept with no end, or reverted). */
  contained: (intentId: string) => `contained/${intentId}`,
  /** A retention bucket, named by its id (`idem|decided/<due_at>/<page>`). */
  retention: (bucketId: string) => `retention/${bucketId}`,
  /** Where a task resumes on an input topic (written by the shell only). */
  position: (topic: string) => `position/${part(topic)}`,
} as const;

function empty(kind: StateRecordV1['kind']): StateRecordV1 {
  return {
    kind,
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
}

/** The single shared value of every idempotency mark. */
export const IDEMPOTENCY_MARK: StateRecordV1 = Object.freeze(empty('idempotency'));

export function stateRecord<K extends Exclude<StateRecordV1['kind'], 'idempotency'>>(kind: K, body: NonNullable<StateRecordV1[K]>): StateRecordV1 {
  return { ...empty(kind), [kind]: body };
}

/** Applies one changelog entry (value null = tombstone = delete). */
export function applyStateEntry(cache: Map<string, StateValue>, key: string, value: StateValue | null): void {
  if (value === null) cache.delete(key);
  else cache.set(key, value.kind === 'idempotency' ? IDEMPOTENCY_MARK : value);
}

/** Applies the role 'state' records of a step result, in order; other roles are ignored. */
export function applyStateRecords(cache: Map<string, StateValue>, records: readonly OutputRecord[]): void {
  for (const r of records) {
    if (r.role !== 'state') continue;
    applyStateEntry(cache, stateKeyOf(r), r.value as StateValue | null);
  }
}

/** The Kafka key of a state output record (its OutputRecord.key; never null for state). */
export function stateKeyOf(record: OutputRecord): string {
  if (record.role !== 'state' || record.key === null) throw new TypeError(`not a state record: role ${record.role}`);
  return record.key;
}

/**
 * The state records of several steps reduced to the last value per key, in order of each key's
 * last change. Written in one transaction, this leaves the compacted changelog (and a cache
 * restored from it) exactly as writing every record would, with one meta record per batch
 * instead of one per input.
 */
export function coalesceStateRecords(records: readonly OutputRecord[]): OutputRecord[] {
  const last = new Map<string, OutputRecord>();
  for (const r of records) {
    if (r.role !== 'state') continue;
    const key = stateKeyOf(r);
    last.delete(key);
    last.set(key, r);
  }
  return [...last.values()];
}
