/**
 * A doubly linked list kept in partition state, sorted by (at, id): one node per entry, stored
 * under its own state key, with the list's ends (and optionally a count) in the partition's meta
 * record. Pending approvals (sorted by expiry), collective expiry (sorted by check time) and
 * containment reverts (sorted by end) and the two retention lists (buckets sorted by due time) are
 * lists of this one kind. Every operation is a function of the state alone, so replay and
 * restore reproduce it exactly.
 */
import type { StateOverlay } from './overlay.js';
import { stateRecord, type StateValue } from './state.js';
import type { PartitionMeta } from './types.js';

export interface LinkedNode {
  prev: string | null;
  next: string | null;
}

type MetaEnd =
  | 'pending_head'
  | 'pending_tail'
  | 'collective_head'
  | 'collective_tail'
  | 'revert_head'
  | 'revert_tail'
  | 'idem_retention_head'
  | 'idem_retention_tail'
  | 'decided_retention_head'
  | 'decided_retention_tail';

/** How one list's nodes are named, sorted, read and written. */
export interface ListShape<N extends LinkedNode> {
  /** The node's id: what `prev`/`next` hold and what names its state key. */
  idOf(node: N): string;
  /** The node's time (RFC 3339, contract form), compared as a string. */
  atOf(node: N): string;
  node(id: string, at: string, prev: string | null, next: string | null): N;
  stateKey(id: string): string;
  read(value: StateValue | undefined): N | undefined;
  record(node: N): StateValue;
  head: MetaEnd;
  tail: MetaEnd;
  /** The meta field that counts the nodes, if this list keeps a count. */
  count: 'pending_count' | null;
}

/** How many node ids each list remembers the state key of. */
const STATE_KEY_MEMO_SIZE = 50_000;

/**
 * The shape of a list whose nodes are the `kind` member of their state records, named by their
 * `idField` and sorted by their `atField`, with ends (and count) in the given meta fields.
 */
export function listShape<N extends LinkedNode>(
  kind: 'pending' | 'collective_expiry' | 'revert' | 'retention',
  idField: keyof N & string,
  atField: keyof N & string,
  stateKey: (id: string) => string,
  ends: Pick<ListShape<N>, 'head' | 'tail' | 'count'>,
): ListShape<N> {
  // An insert walks back from the tail over many nodes, each read by its state key: building that
  // key afresh each time (a concatenation the state map must flatten and hash) was most of a step.
  // The memo is a pure function's cache, bounded by clearing it.
  const keys = new Map<string, string>();
  const memoKey = (id: string): string => {
    let key = keys.get(id);
    if (key === undefined) {
      if (keys.size >= STATE_KEY_MEMO_SIZE) keys.clear();
      key = stateKey(id);
      keys.set(id, key);
    }
    return key;
  };
  return {
    idOf: (n) => n[idField] as string,
    atOf: (n) => n[atField] as string,
    node: (id, at, prev, next) => ({ [idField]: id, [atField]: at, prev, next }) as unknown as N,
    stateKey: memoKey,
    read: (value) => (value?.[kind] ?? undefined) as N | undefined,
    record: (n) => stateRecord(kind, n as never),
    ...ends,
  };
}

export class SortedStateList<N extends LinkedNode> {
  constructor(
    private readonly state: StateOverlay,
    private readonly meta: PartitionMeta,
    private readonly shape: ListShape<N>,
  ) {}

  get(id: string | null): N | undefined {
    return id === null ? undefined : this.shape.read(this.state.get(this.shape.stateKey(id)));
  }

  /** No node in the list (read from the meta record alone). */
  isEmpty(): boolean {
    return this.meta[this.shape.head] === null;
  }

  /** The node that sorts first (the head), if any. */
  first(): N | undefined {
    return this.get(this.meta[this.shape.head]);
  }

  /** The head, if stream time `now` has passed its time (strictly): what every expiry loop takes next. */
  firstDue(now: string): N | undefined {
    const head = this.first();
    return head !== undefined && this.shape.atOf(head) < now ? head : undefined;
  }

  /** The last node that sorts at or before (at, id), walking back from the tail; undefined if none does. */
  lastAtOrBefore(at: string, id: string): N | undefined {
    const { shape } = this;
    let node = this.get(this.meta[shape.tail]);
    while (node !== undefined && compare(shape.atOf(node), shape.idOf(node), at, id) > 0) node = this.get(node.prev);
    return node;
  }

  /** Rewrites a node already in the list with new contents; its id, time and links must be unchanged. */
  replace(node: N): void {
    this.write(node);
  }

  /**
   * Inserts in (at, id) order. The walk starts at the tail because entries mostly arrive in order
   * (event time plus a fixed ttl), so it is usually O(1). `body` holds the node's other fields.
   */
  insert(id: string, at: string, body: Partial<N> = {}): void {
    const { shape, meta } = this;
    const after = this.lastAtOrBefore(at, id);
    const nextId = after === undefined ? meta[shape.head] : after.next;
    this.write({ ...body, ...shape.node(id, at, after === undefined ? null : shape.idOf(after), nextId) });
    if (after === undefined) meta[shape.head] = id;
    else this.write({ ...after, next: id });
    const next = this.get(nextId);
    if (next === undefined) meta[shape.tail] = id;
    else this.write({ ...next, prev: id });
    if (shape.count !== null) meta[shape.count] += 1;
  }

  /** Unlinks and deletes a node; an id not in the list changes nothing. */
  remove(id: string): void {
    const { shape, meta } = this;
    const node = this.get(id);
    if (node === undefined) return;
    const prev = this.get(node.prev);
    const next = this.get(node.next);
    if (prev === undefined) meta[shape.head] = node.next;
    else this.write({ ...prev, next: node.next });
    if (next === undefined) meta[shape.tail] = node.prev;
    else this.write({ ...next, prev: node.prev });
    this.state.put(shape.stateKey(id), null);
    if (shape.count !== null) meta[shape.count] -= 1;
  }

  private write(node: N): void {
    this.state.put(this.shape.stateKey(this.shape.idOf(node)), this.shape.record(node));
  }
}

function compare(atA: string, idA: string, atB: string, idB: string): number {
  if (atA !== atB) return atA < atB ? -1 : 1;
  return idA < idB ? -1 : idA > idB ? 1 : 0;
}
