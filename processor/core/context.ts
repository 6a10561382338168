/**
 * One step's working set: reads state through an overlay of this step's own changes, appends
 * audit records to the partition's hash chain, and turns every change into a 'state' output
 * record at the end. The input state is never mutated.
 */
import type { CoreInput, OutputRecord, Primitives, StepResult } from './api.js';
import { canonicalJson } from './canonical.js';
import { GENESIS_HASH } from './chain.js';
import type { EffectiveConfig } from './config-types.js';
import { deterministicUlid, type IdKind } from './ids.js';
import { stateKeys, stateRecord, type StateValue, type StateView } from './state.js';
import { formatIsoMs, msOf } from './time.js';
import type { AuditEventKind, AuditPayloads, AuditRecordV1, PartitionMeta, PendingEntry, PendingNode } from './types.js';

export interface AuditSubject {
  tenant_id: string;
  correlation_id: string;
  trace_id: string | null;
  event_time: string;
}

export class StepContext {
  readonly records: OutputRecord[] = [];
  private readonly overlay = new Map<string, StateValue | null>();
  private readonly meta: PartitionMeta;
  private readonly metaKey: string;
  private auditIndex = 0;
  /** Set once the input's idempotency key is known; part of every id this step derives. */
  idempotencyKey = '';

  constructor(
    readonly state: StateView,
    readonly input: CoreInput,
    readonly config: EffectiveConfig,
    readonly prims: Primitives,
  ) {
    this.metaKey = stateKeys.meta(input.partition);
    const stored = state.get(this.metaKey)?.meta;
    this.meta = stored
      ? { ...stored }
      : {
          partition: input.partition,
          next_seq: 0,
          head_hash: GENESIS_HASH,
          stream_time: null,
          pending_head: null,
          pending_tail: null,
          pending_count: 0,
          collective_head: null,
          collective_tail: null,
        };
  }

  get partition(): number {
    return this.input.partition;
  }

  get streamTime(): string | null {
    return this.meta.stream_time;
  }

  /** Advances the partition's stream time (greatest telemetry observed_at); returns true if it moved. */
  advanceStreamTime(observedAt: string): boolean {
    if (this.meta.stream_time !== null && msOf(observedAt) <= msOf(this.meta.stream_time)) return false;
    this.meta.stream_time = observedAt;
    return true;
  }

  /** Ends of the collective expiry list (collective-expiry.ts keeps it sorted). */
  get collectiveHead(): string | null {
    return this.meta.collective_head;
  }

  set collectiveHead(key: string | null) {
    this.meta.collective_head = key;
  }

  get collectiveTail(): string | null {
    return this.meta.collective_tail;
  }

  set collectiveTail(key: string | null) {
    this.meta.collective_tail = key;
  }

  get(key: string): StateValue | undefined {
    if (this.overlay.has(key)) return this.overlay.get(key) ?? undefined;
    return this.state.get(key);
  }

  put(key: string, value: StateValue | null): void {
    // Re-inserting moves the key to the end so state records follow the order of last change.
    this.overlay.delete(key);
    this.overlay.set(key, value);
  }

  private node(approvalId: string | null): PendingNode | undefined {
    return approvalId === null ? undefined : (this.get(stateKeys.pending(approvalId))?.pending ?? undefined);
  }

  private putNode(node: PendingNode): void {
    this.put(stateKeys.pending(node.approval_id), stateRecord('pending', node));
  }

  /** The pending approval that expires first (the head of the sorted list), if any. */
  firstPending(): PendingEntry | undefined {
    return this.node(this.meta.pending_head);
  }

  /**
   * Inserts into the list sorted by (expires_at, approval_id). The walk starts at the tail
   * because expiries mostly arrive in order (observed_at + a fixed ttl), so it is usually O(1).
   */
  addPending(entry: PendingEntry): void {
    let after = this.node(this.meta.pending_tail);
    while (after !== undefined && comparePending(after, entry) > 0) after = this.node(after.prev);
    const nextId = after === undefined ? this.meta.pending_head : after.next;
    const node: PendingNode = { approval_id: entry.approval_id, expires_at: entry.expires_at, prev: after?.approval_id ?? null, next: nextId };
    this.putNode(node);
    if (after === undefined) this.meta.pending_head = node.approval_id;
    else this.putNode({ ...after, next: node.approval_id });
    const next = this.node(nextId);
    if (next === undefined) this.meta.pending_tail = node.approval_id;
    else this.putNode({ ...next, prev: node.approval_id });
    this.meta.pending_count += 1;
  }

  removePending(approvalId: string): void {
    const node = this.node(approvalId);
    if (node === undefined) return;
    const prev = this.node(node.prev);
    const next = this.node(node.next);
    if (prev === undefined) this.meta.pending_head = node.next;
    else this.putNode({ ...prev, next: node.next });
    if (next === undefined) this.meta.pending_tail = node.prev;
    else this.putNode({ ...next, prev: node.prev });
    this.put(stateKeys.pending(approvalId), null);
    this.meta.pending_count -= 1;
  }

  /** The key every audit/dead-letter id of this input derives from (ids.ts). */
  get deliveryKey(): string {
    return `${this.idempotencyKey}@${this.input.partition}:${this.input.offset}`;
  }

  ulid(kind: IdKind, tenant: string, key: string, index: number, eventTime: string): string {
    return deterministicUlid(this.prims, kind, tenant, key, index, msOf(eventTime));
  }

  audit<K extends AuditEventKind>(kind: K, subject: AuditSubject, payload: AuditPayloads[K]): AuditRecordV1<K> {
    const { input } = this;
    // Keys in sorted order: the canonical JSON of a sorted object is plain JSON.stringify (fast path).
    const withoutHash = {
      audit_id: this.ulid('audit', subject.tenant_id, this.deliveryKey, this.auditIndex++, subject.event_time),
      config_hash: this.config.config_hash,
      correlation_id: subject.correlation_id,
      event_kind: kind,
      event_time: subject.event_time,
      idempotency_key: this.idempotencyKey,
      input: { offset: input.offset, partition: input.partition, topic: input.topic },
      payload,
      prev_hash: this.meta.head_hash,
      process_time: input.process_time,
      seq: this.meta.next_seq,
      tenant_id: subject.tenant_id,
      trace_id: subject.trace_id,
    };
    // The hash covers the record before record_hash is added; adding it to the same fresh object avoids a copy.
    const record = withoutHash as AuditRecordV1<K>;
    record.record_hash = this.prims.sha256Hex(canonicalJson(withoutHash));
    const record_hash = record.record_hash;
    this.meta.next_seq += 1;
    this.meta.head_hash = record_hash;
    this.records.push({ role: 'audit', key: `${subject.tenant_id}:${subject.correlation_id}`, value: record });
    return record;
  }

  emit(record: OutputRecord): void {
    this.records.push(record);
  }

  finish(): StepResult {
    for (const [key, value] of this.overlay) this.records.push({ role: 'state', key, value });
    this.records.push({ role: 'state', key: this.metaKey, value: stateRecord('meta', { ...this.meta }) });
    return { records: this.records };
  }
}

export function comparePending(a: PendingEntry, b: PendingEntry): number {
  if (a.expires_at !== b.expires_at) return a.expires_at < b.expires_at ? -1 : 1;
  return a.approval_id < b.approval_id ? -1 : a.approval_id > b.approval_id ? 1 : 0;
}

export function addSeconds(iso: string, seconds: number): string {
  return formatIsoMs(msOf(iso) + seconds * 1000);
}
