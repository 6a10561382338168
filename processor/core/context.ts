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
import type { AuditEventKind, AuditPayloads, AuditRecordV1, PartitionMeta, PendingEntry } from './types.js';

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
  private pendingEntries: PendingEntry[] | null = null;
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
    this.meta = stored ? { ...stored } : { partition: input.partition, next_seq: 0, head_hash: GENESIS_HASH, stream_time: null };
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

  get(key: string): StateValue | undefined {
    if (this.overlay.has(key)) return this.overlay.get(key) ?? undefined;
    return this.state.get(key);
  }

  put(key: string, value: StateValue | null): void {
    // Re-inserting moves the key to the end so state records follow the order of last change.
    this.overlay.delete(key);
    this.overlay.set(key, value);
  }

  /** Pending approvals sorted by (expires_at, approval_id); copied on first use. */
  pending(): PendingEntry[] {
    if (this.pendingEntries === null) {
      this.pendingEntries = [...(this.get(stateKeys.pending(this.partition))?.pending?.entries ?? [])];
    }
    return this.pendingEntries;
  }

  addPending(entry: PendingEntry): void {
    const list = this.pending();
    let i = list.length;
    while (i > 0 && comparePending(list[i - 1]!, entry) > 0) i--;
    list.splice(i, 0, entry);
    this.put(stateKeys.pending(this.partition), stateRecord('pending', { entries: list.slice() }));
  }

  removePending(approvalId: string): void {
    const list = this.pending();
    const i = list.findIndex((e) => e.approval_id === approvalId);
    if (i < 0) return;
    list.splice(i, 1);
    this.put(stateKeys.pending(this.partition), stateRecord('pending', { entries: list.slice() }));
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
    const withoutHash = {
      audit_id: this.ulid('audit', subject.tenant_id, this.deliveryKey, this.auditIndex++, subject.event_time),
      event_kind: kind,
      tenant_id: subject.tenant_id,
      correlation_id: subject.correlation_id,
      trace_id: subject.trace_id,
      idempotency_key: this.idempotencyKey,
      input: { topic: input.topic, partition: input.partition, offset: input.offset },
      seq: this.meta.next_seq,
      event_time: subject.event_time,
      process_time: input.process_time,
      config_hash: this.config.config_hash,
      payload,
      prev_hash: this.meta.head_hash,
    };
    const record_hash = this.prims.sha256Hex(canonicalJson(withoutHash));
    const record: AuditRecordV1<K> = { ...withoutHash, record_hash };
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
