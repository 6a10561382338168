/**
 * The shape of the hostile-input corpus and what it shares: a seeded generator (the same seed gives
 * the same bytes), record builders, and each case's expected receipt and reason code. The corpus is
 * the sender's side, so randomness is fine here; it is seeded only so a failing run can be repeated.
 */
import { SeededRandom } from '../lib/seeded-random.js';

export { SeededRandom };

/** The input topics a hostile record goes to (config topic keys). */
export type InputTopicKey = 'telemetry' | 'operator_actions';

/**
 * When a record is sent: `first` with the setup telemetry (nothing depends on state), `actions`
 * once everything sent before is committed (operator actions aimed at the setup's approvals).
 */
export type Phase = 'first' | 'actions';

export interface Expected {
  /** The receipt kind the record must get. */
  receipt: 'telemetry_received' | 'telemetry_rejected' | 'telemetry_duplicate' | 'action_received' | 'action_rejected' | 'action_duplicate';
  /** The reason code of its rejection (receipt or operator_action_rejected); null when nothing is rejected. */
  reason_code: string | null;
}

export interface HostileRecord {
  /** The class of the list this record belongs to, e.g. `truncated_json`. */
  class: string;
  /** Unique within the corpus: what exactly is wrong. */
  name: string;
  topic: InputTopicKey;
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
  phase: Phase;
  expect: Expected;
}

/** Event time of the corpus: setup telemetry is observed from here, one second apart. */
export const CORPUS_T0_MS = Date.UTC(2026, 2, 1, 12, 0, 0, 0);

/**
 * The Kafka record timestamp every corpus record is sent with: two hours after T0, so after every
 * event time the corpus means to be valid (T0 up to an hour after it), whatever the sender's clock
 * says, and so policy.max_future_skew_s refuses exactly the cases that name event_time_in_future.
 * A past timestamp is one the broker takes (log.message.timestamp.before.max.ms is unbounded by default).
 */
export const CORPUS_RECORD_TIME_MS = CORPUS_T0_MS + 2 * 3_600_000;

/** The partition the setup approvals live on; hostile telemetry goes to the others, so its event times cannot expire them. */
export const APPROVAL_PARTITION = 0;

export const PARTITIONS = 3;

export function rejected(reason_code: string, topic: InputTopicKey = 'telemetry'): Expected {
  return { receipt: topic === 'telemetry' ? 'telemetry_rejected' : 'action_rejected', reason_code };
}

export const ACCEPTED_TELEMETRY: Expected = { receipt: 'telemetry_received', reason_code: null };

/** A valid TelemetryEventV1 object (the base every telemetry case bends). */
export function validEvent(random: SeededRandom, observedMs: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: '1',
    event_id: random.ulid(observedMs),
    tenant_id: 'tenant-hostile',
    cell_id: 'cell-h',
    observed_at: new Date(observedMs).toISOString(),
    received_at: new Date(observedMs + 100).toISOString(),
    source: { kind: 'edr', name: 'hostile-corpus', host: null, sensor_id: null },
    event_type: 'suspicious_process',
    severity: 'low',
    attributes: { n: random.int(1_000_000) },
    entity_refs: { host: `host-${random.hex(6)}`, user: null, process: null, ip: null, service: null },
    correlation_id: `corr-${random.hex(8)}`,
    trace_id: `trace-${random.hex(8)}`,
    ...over,
  };
}

/** Builds telemetry records on the hostile partitions (1 and 2 in turn), keyed tenant:correlation unless told otherwise. */
export class TelemetryCases {
  readonly records: HostileRecord[] = [];
  private turn = 0;
  constructor(readonly random: SeededRandom) {}

  add(cls: string, name: string, value: Buffer | string | null, expect: Expected, options: { key?: Buffer | string | null; headers?: Record<string, Buffer> } = {}): void {
    const partition = 1 + (this.turn++ % (PARTITIONS - 1));
    const key = options.key === undefined ? `tenant-hostile:corr-${this.random.hex(8)}` : options.key;
    this.records.push({
      class: cls,
      name,
      topic: 'telemetry',
      partition,
      key: key === null ? null : Buffer.isBuffer(key) ? key : Buffer.from(key, 'utf8'),
      value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'),
      headers: options.headers ?? {},
      phase: 'first',
      expect,
    });
  }

  /** A valid event with some fields replaced (undefined deletes one), as JSON text. */
  event(over: Record<string, unknown>, observedMs = CORPUS_T0_MS + this.random.int(3_600_000)): string {
    const event = validEvent(this.random, observedMs);
    for (const [k, v] of Object.entries(over)) {
      if (v === undefined) delete event[k];
      else event[k] = v;
    }
    return JSON.stringify(event);
  }
}
