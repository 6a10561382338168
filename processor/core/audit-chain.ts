/**
 * Appends one step's audit records to its partition's hash chain (docs/contracts.md): each record
 * gets the next seq, the previous record's hash and its own hash, and goes to the step's outputs.
 */
import type { CoreInput, OutputRecord, Primitives } from './api.js';
import { canonicalJson } from './canonical.js';
import type { StepIds } from './ids.js';
import type { AuditEventKind, AuditPayloads, AuditRecordV1, PartitionMeta } from './types.js';

/** Whom and when an audit record is about. */
export interface AuditSubject {
  tenant_id: string;
  correlation_id: string;
  trace_id: string | null;
  event_time: string;
}

export class AuditChain {
  /** Position of the next record among this input's audit records (part of its id). */
  private index = 0;

  constructor(
    /** The partition's chain head (next_seq, head_hash), advanced in place. */
    private readonly head: Pick<PartitionMeta, 'next_seq' | 'head_hash'>,
    private readonly input: CoreInput,
    private readonly configHash: string,
    private readonly ids: StepIds,
    private readonly prims: Primitives,
    private readonly out: OutputRecord[],
  ) {}

  append<K extends AuditEventKind>(kind: K, subject: AuditSubject, payload: AuditPayloads[K]): AuditRecordV1<K> {
    const { input, head } = this;
    // Keys in sorted order: the canonical JSON of a sorted object is plain JSON.stringify (fast path).
    const withoutHash = {
      audit_id: this.ids.audit(subject.tenant_id, this.index++, subject.event_time),
      config_hash: this.configHash,
      correlation_id: subject.correlation_id,
      event_kind: kind,
      event_time: subject.event_time,
      idempotency_key: this.ids.idempotencyKey,
      input: { offset: input.offset, partition: input.partition, topic: input.topic },
      payload,
      prev_hash: head.head_hash,
      process_time: input.process_time,
      seq: head.next_seq,
      tenant_id: subject.tenant_id,
      trace_id: subject.trace_id,
    };
    // The hash covers the record before record_hash is added; adding it to the same fresh object avoids a copy.
    const record = withoutHash as AuditRecordV1<K>;
    record.record_hash = this.prims.sha256Hex(canonicalJson(withoutHash));
    head.next_seq += 1;
    head.head_hash = record.record_hash;
    this.out.push({ role: 'audit', key: `${subject.tenant_id}:${subject.correlation_id}`, value: record });
    return record;
  }
}
