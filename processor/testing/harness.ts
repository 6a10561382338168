/**
 * Test support for the pure core: builds real telemetry JSON and real Ed25519-signed operator
 * actions, pushes them through the real codec and the real core with the real node:crypto
 * primitives, and keeps the state cache exactly as the shell would (applyStateRecords).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { encodeOperatorAction, encodeRecord, type InputHeaders } from '../codec/index.js';
import { driveBatch } from '../engine/batch.js';
import { buildEffectiveConfig, coreConfigOf, mergeConfig, type EffectiveConfig } from '../config/index.js';
import { encodeUlid } from '../core/ids.js';
import {
  applyStateRecords,
  type AuditEventKind,
  type AuditRecordV1,
  type ExecutionIntentV1,
  type ExecutionOutcome,
  type ExecutionResultV1,
  type InputSource,
  type OperatorActionV1,
  type OutputRecord,
  type RetentionBucket,
  stateKeys,
  type StateValue,
} from '../core/index.js';
import { msOf } from '../core/time.js';
import { nodePrimitives } from '../primitives.js';
import { signAction } from '../operator-signing.js';

export const TELEMETRY_TOPIC = 'exoarmur.telemetry.v1';
export const OPERATOR_TOPIC = 'exoarmur.operator-actions.v1';
export const RESULTS_TOPIC = 'exoarmur.execution-results.v1';
export const T0 = '2026-03-01T12:00:00.000Z';
/**
 * The Kafka record timestamp a Run gives every record unless told otherwise: as in a real run, the
 * broker appended the records long after their sensors observed them (T0 and the hours after it),
 * so policy.max_future_skew_s refuses none of them.
 */
export const RECORD_TIME = '2026-11-27T00:00:00.000Z';

export function at(offsetSeconds: number, base = T0): string {
  return new Date(msOf(base) + offsetSeconds * 1000).toISOString();
}

let counter = 0;
/** A fresh, valid ULID per call (deterministic order within a process). */
export function newUlid(timeMs = msOf(T0)): string {
  counter += 1;
  return encodeUlid(timeMs, counter.toString(16).padStart(20, '0'));
}

export type TelemetryOverrides = Partial<{
  event_id: string;
  tenant_id: string;
  cell_id: string;
  observed_at: string;
  received_at: string;
  source: Record<string, unknown>;
  event_type: string;
  severity: string;
  attributes: Record<string, unknown>;
  entity_refs: Record<string, unknown>;
  correlation_id: string;
  trace_id: string;
}> &
  Record<string, unknown>;

export function telemetry(over: TelemetryOverrides = {}): Record<string, unknown> {
  return {
    schema_version: '1',
    event_id: newUlid(),
    tenant_id: 'acme',
    cell_id: 'cell-a',
    observed_at: T0,
    received_at: T0,
    source: { kind: 'edr', name: 'falcon', host: null, sensor_id: null },
    event_type: 'malware_detected',
    severity: 'high',
    attributes: {},
    entity_refs: { host: 'host-1' },
    correlation_id: 'corr-1',
    trace_id: 'trace-1',
    ...over,
  };
}

export interface Operator {
  actor_id: string;
  public_key: string;
  privateKey: KeyObject;
}

export function makeOperator(actor_id: string): Operator {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { actor_id, public_key: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey };
}

/**
 * An approve signed by `op`, every other field defaulted (tenant acme, correlation corr-1, no
 * approval, decided 60 s after T0); `over` replaces any of them before signing.
 */
export function signedAction(op: Operator, over: Partial<OperatorActionV1> = {}): OperatorActionV1 {
  return signAction(
    {
      schema_version: '1',
      action_id: newUlid(),
      action: 'approve',
      tenant_id: 'acme',
      correlation_id: 'corr-1',
      approval_id: null,
      intent_hash: null,
      scope: null,
      actor_id: op.actor_id,
      decided_at: at(60),
      reason: null,
      ...over,
    },
    op.privateKey,
  );
}

export function configWith(partial: unknown = {}, operators: Operator[] = []): EffectiveConfig {
  const ops: Record<string, { public_key: string }> = {};
  for (const o of operators) ops[o.actor_id] = { public_key: o.public_key };
  const p = (partial ?? {}) as Record<string, unknown>;
  return buildEffectiveConfig(mergeConfig({ ...p, operators: { ...ops, ...((p['operators'] as object) ?? {}) } }));
}

export class Run {
  readonly cache = new Map<string, StateValue>();
  readonly all: OutputRecord[] = [];
  private offsets = new Map<string, number>();
  private clock = msOf('2026-11-27T00:00:00.000Z');
  /** The Kafka record timestamp of the next deliveries (RFC 3339). */
  recordTime = RECORD_TIME;

  constructor(
    public config: EffectiveConfig,
    readonly partition = 0,
  ) {}

  private nextOffset(topic: string): string {
    const n = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, n + 1);
    return String(n);
  }

  /** Delivers raw bytes (or a telemetry object as JSON) on the telemetry topic. */
  telemetry(value: Record<string, unknown> | Uint8Array | null, key?: string | null): OutputRecord[] {
    const bytes = value === null ? null : value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(JSON.stringify(value));
    const k = key !== undefined ? key : value !== null && !(value instanceof Uint8Array) ? `${String(value['tenant_id'])}:${String(value['correlation_id'])}` : null;
    return this.deliver('telemetry', TELEMETRY_TOPIC, k, bytes, {});
  }

  action(action: OperatorActionV1): OperatorActionV1 {
    const enc = encodeOperatorAction(action);
    this.deliver('operator', OPERATOR_TOPIC, `${action.tenant_id}:${action.correlation_id}`, enc.value, enc.headers);
    return action;
  }

  actionRecords(action: OperatorActionV1): OutputRecord[] {
    const enc = encodeOperatorAction(action);
    return this.deliver('operator', OPERATOR_TOPIC, `${action.tenant_id}:${action.correlation_id}`, enc.value, enc.headers);
  }

  rawAction(bytes: Buffer | null, headers: InputHeaders, key: string | null = 'acme:corr-1'): OutputRecord[] {
    return this.deliver('operator', OPERATOR_TOPIC, key, bytes, headers);
  }

  /** An actuator's result on the results topic, as the actuator encodes it. */
  result(result: ExecutionResultV1): OutputRecord[] {
    const enc = encodeRecord('result', result);
    return this.deliver('result', RESULTS_TOPIC, `${result.tenant_id}:${result.correlation_id}`, enc.value, enc.headers);
  }

  rawResult(bytes: Buffer | null, headers: InputHeaders, key: string | null = 'acme:corr-1'): OutputRecord[] {
    return this.deliver('result', RESULTS_TOPIC, key, bytes, headers);
  }

  private deliver(source: InputSource, topic: string, key: string | null, value: Buffer | null, headers: InputHeaders): OutputRecord[] {
    this.clock += 7;
    const message = { topic, partition: this.partition, offset: this.nextOffset(topic), key, value, headers, timestamp: String(msOf(this.recordTime)) };
    const before = new Map(this.cache);
    const { steps } = driveBatch(this.cache, [{ source, message, processTime: this.clock, config: coreConfigOf(this.config) }], nodePrimitives, { encode: false });
    const records = steps[0]!.records;
    // The loop applied exactly the step's state records: anything else changed means the core mutated the state it was given.
    const expected = new Map(before);
    applyStateRecords(expected, records);
    if (!sameMap(expected, this.cache)) throw new Error('step mutated the state it was given');
    // Frozen state makes any later in-place mutation by the core throw (strict mode).
    for (const r of records) if (r.role === 'state' && r.value !== null) deepFreeze(r.value);
    this.all.push(...records);
    return records;
  }

  audits(): AuditRecordV1[] {
    return this.all.filter((r) => r.role === 'audit').map((r) => r.value as AuditRecordV1);
  }
}

function deepFreeze(v: unknown): void {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}

function sameMap(a: Map<string, StateValue>, b: Map<string, StateValue>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

export function kinds(records: readonly OutputRecord[]): string[] {
  return records.map((r) => (r.role === 'audit' ? (r.value as AuditRecordV1).event_kind : r.role === 'state' ? `state:${(r.key ?? '').split('/')[0]}` : r.role));
}

export function auditKinds(records: readonly OutputRecord[]): AuditEventKind[] {
  return records.filter((r) => r.role === 'audit').map((r) => (r.value as AuditRecordV1).event_kind);
}

export function payloadOf<K extends AuditEventKind>(records: readonly OutputRecord[], kind: K): AuditRecordV1<K>['payload'] {
  const found = records.find((r) => r.role === 'audit' && (r.value as AuditRecordV1).event_kind === kind);
  if (found === undefined) throw new Error(`no ${kind} record among ${auditKinds(records).join(', ')}`);
  return (found.value as AuditRecordV1<K>).payload;
}

/** Walks one retention list of partition 0 from its head: links agree both ways, order is (due_at, bucket_id). */
export function retentionBuckets(run: Run, list: 'idem' | 'decided'): RetentionBucket[] {
  const meta = run.cache.get('meta/0')!.meta!;
  const nodes: RetentionBucket[] = [];
  let prev: string | null = null;
  for (let id = meta[`${list}_retention_head`]; id !== null;) {
    const node: RetentionBucket = run.cache.get(stateKeys.retention(id))!.retention!;
    if (node.prev !== prev) throw new Error(`bucket ${id} points back to ${node.prev}, not ${prev}`);
    nodes.push(node);
    prev = id;
    id = node.next;
  }
  if (meta[`${list}_retention_tail`] !== prev) throw new Error(`tail ${meta[`${list}_retention_tail`]} is not the last bucket ${prev}`);
  return nodes;
}

/** What an actuator reports for a released intent (ExecutionResultV1), as the reference actuator writes it. */
export function resultFor(intent: ExecutionIntentV1, outcome: ExecutionOutcome, over: Partial<ExecutionResultV1> = {}): ExecutionResultV1 {
  return {
    schema_version: '1',
    intent_id: intent.intent_id,
    intent_hash: intent.intent_hash,
    tenant_id: intent.tenant_id,
    correlation_id: intent.correlation_id,
    trace_id: intent.trace_id,
    subject: intent.subject,
    intent_type: intent.intent_type,
    outcome,
    attempt: outcome === 'gave_up' ? 5 : 1,
    driver: 'webhook',
    response_status: outcome === 'succeeded' ? 200 : outcome === 'failed' ? 404 : 503,
    response_sha256: 'e'.repeat(64),
    detail: outcome === 'succeeded' ? null : outcome === 'failed' ? 'HTTP 404' : 'HTTP 503',
    started_at: '2026-11-27T00:00:01.000+01:00',
    finished_at: '2026-11-27T00:00:02.5+01:00',
    actuator_group: 'acme.actuator',
    source_partition: 0,
    source_offset: '0',
    ...over,
  };
}
