/** Hand-built audit records for pure tests of trail readings, expectations and gates (never imported by shipped code). */
import type { AuditRecordV1 } from '../../processor/core/types.js';

export const TEL = 'tel';
export const OPS = 'ops';
let auditCounter = 0;

/** One audit record with unique audit_id; every field not given is a plain default on topic TEL. */
export function rec(
  kind: string,
  partition: number,
  seq: number,
  input: { topic?: string; offset: string },
  extra: Partial<AuditRecordV1> & { payload?: unknown } = {},
): AuditRecordV1 {
  auditCounter += 1;
  return {
    audit_id: `A${auditCounter}`,
    event_kind: kind,
    tenant_id: 't1',
    correlation_id: 'c',
    trace_id: null,
    idempotency_key: `t1:${input.offset}`,
    input: { topic: input.topic ?? TEL, partition, offset: input.offset },
    seq,
    event_time: '2026-03-01T10:00:00.000Z',
    process_time: '2026-03-01T10:00:01.000Z',
    config_hash: 'h',
    payload: {},
    prev_hash: '',
    record_hash: '',
    ...extra,
  } as AuditRecordV1;
}

/** The records the core writes for one telemetry input that ends in `ending`. */
export function decided(partition: number, seq: number, offset: string, key: string, rule: string, verdict: string, ending: Array<[string, unknown]>): AuditRecordV1[] {
  const at = { offset };
  const out = [
    rec('telemetry_received', partition, seq, at, { idempotency_key: key }),
    rec('safety_evaluated', partition, seq + 1, at, { idempotency_key: key, payload: { rule, verdict } as never }),
  ];
  ending.forEach(([kind, payload], i) => out.push(rec(kind, partition, seq + 2 + i, at, { idempotency_key: key, payload: payload as never })));
  return out;
}
