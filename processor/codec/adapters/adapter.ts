/**
 * What every sensor-format mapping shares: the shape a format reads out of one record, and the one
 * function that turns it into a TelemetryEventV1 (event id, tenant, cell, subject, correlation).
 * Each format module only says where its fields are; the rules about ids and identities live here
 * once. Pure: hashing is SHA-256 of the record's bytes, which replay re-reads from the log.
 */
import type { Decoded } from '../../core/api.js';
import { encodeUlid } from '../../core/ids.js';
import type { JsonValue, Severity, SubjectKind, TelemetryEventV1 } from '../../core/types.js';
import { SUBJECT_KINDS } from '../../core/types.js';
import { nodePrimitives } from '../../primitives.js';
import type { TimeResult } from './fields.js';

export const SENSOR_FORMATS = ['suricata', 'falco', 'wazuh', 'ocsf', 'ecs'] as const;
export type SensorFormat = (typeof SENSOR_FORMATS)[number];
/** `exoarmur` is the native TelemetryEventV1 JSON. */
export const INPUT_FORMATS = ['exoarmur', ...SENSOR_FORMATS] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** What the shell knows about a record besides its bytes: the topic's config and the record's headers. */
export interface AdapterContext {
  /** From the exoarmur-tenant header or the input topic's config; wins over anything in the record. */
  tenant_id: string | null;
  /** From the exoarmur-cell header or the input topic's config; wins over the format's own sensor name. */
  cell_id: string | null;
  /** The Kafka record timestamp (contract form): the informational received_at. */
  received_at: string;
}

export type Refs = Record<SubjectKind, string | null>;

/** What one format read from an alert record. */
export interface Mapped {
  /** The event time found, with the field it came from (for the reason when it is unreadable). */
  time: { path: string; time: TimeResult } | null;
  /** Names the fields the mapping looked at for the time (for the reason when none is present). */
  time_fields: readonly string[];
  /** An id the source guarantees unique per alert, or null: then the id derives from the bytes. */
  source_id: string | null;
  tenant_id: string | null;
  /** The sensor instance, as the format names it (the context's cell wins). */
  cell_id: string;
  product: string;
  sensor_host: string | null;
  rule_id: string | null;
  rule_name: string | null;
  /** `<format>:<rule id or name>`: the claim type unless policy.claim_types maps it. */
  event_type: string;
  severity: Severity;
  raw_severity: JsonValue;
  refs: Refs;
  /** A correlation the source itself states (Suricata community_id, OCSF correlation_uid), or null. */
  correlation_id: string | null;
  attributes: Record<string, JsonValue>;
}

export type AdapterOutcome = { kind: 'alert'; mapped: Mapped } | { kind: 'not_an_alert'; reason: string } | { kind: 'invalid'; reason_code: string; reason: string };

export function invalid(reason_code: string, reason: string): AdapterOutcome {
  return { kind: 'invalid', reason_code, reason };
}

/** The core's reason code for a sensor record that is not an alert: the core gives it a receipt and no dead letter. */
export { NOT_AN_ALERT } from '../../core/outcome.js';

/**
 * The event id: from the source's unique alert id when it has one (so a re-serialised copy of the
 * same alert is still a duplicate), else from the SHA-256 of the raw bytes (so only a byte-identical
 * redelivery is); the time part is the event time either way.
 */
export function sensorEventId(format: SensorFormat, sourceId: string | null, raw: Uint8Array, timeMs: number): string {
  const digest = sourceId === null ? nodePrimitives.sha256Hex(raw) : nodePrimitives.sha256Hex(`${format}\n${sourceId}`);
  return encodeUlid(timeMs, digest.slice(0, 20));
}

export function toTelemetry(format: SensorFormat, mapped: Mapped, raw: Uint8Array, ctx: AdapterContext): Decoded<TelemetryEventV1> {
  const tenant = ctx.tenant_id ?? mapped.tenant_id;
  if (mapped.time === null) return fail('missing_field', `${format} record has no event time (looked at ${mapped.time_fields.join(', ')})`);
  if (!mapped.time.time.ok) return fail('bad_timestamp', `${format} ${mapped.time.path} ${mapped.time.time.problem}`);
  const { iso, ms } = mapped.time.time;
  if (tenant === null) {
    return fail('no_tenant', `${format} records carry no tenant: set "tenant_id" for this topic under the config's "inputs", or send an exoarmur-tenant header`);
  }
  if (tenant.includes(':')) return fail('bad_type', `tenant ${JSON.stringify(tenant)} may not contain ":" (keys are tenant_id:correlation_id)`);
  const subjectKind = SUBJECT_KINDS.find((k) => mapped.refs[k] !== null);
  if (subjectKind === undefined) return fail('no_subject', `${format} alert names no host, user, process, ip or service to act on`);
  const eventId = sensorEventId(format, mapped.source_id, raw, ms);
  const cell = ctx.cell_id ?? mapped.cell_id;
  return {
    ok: true,
    value: {
      schema_version: '1',
      event_id: eventId,
      tenant_id: tenant,
      cell_id: cell,
      observed_at: iso,
      received_at: ctx.received_at,
      source: { kind: format, name: mapped.product, host: mapped.sensor_host, sensor_id: cell },
      event_type: mapped.event_type,
      severity: mapped.severity,
      attributes: {
        format,
        rule_id: mapped.rule_id,
        rule_name: mapped.rule_name,
        source_event_id: mapped.source_id,
        source_severity: mapped.raw_severity,
        ...mapped.attributes,
      },
      entity_refs: { ...mapped.refs },
      correlation_id: mapped.correlation_id ?? `${subjectKind}:${mapped.refs[subjectKind]!}`,
      trace_id: mapped.source_id ?? eventId,
    },
  };

  function fail(reason_code: string, reason: string): Decoded<TelemetryEventV1> {
    const hint: { tenant_id?: string; observed_at?: string } = {};
    if (tenant !== null && !tenant.includes(':')) hint.tenant_id = tenant;
    if (mapped.time?.time.ok === true) hint.observed_at = mapped.time.time.iso;
    return { ok: false, reason_code, reason, hint };
  }
}

/** Refs with every kind present, null where the format had nothing. */
export function refs(partial: Partial<Refs>): Refs {
  return { host: partial.host ?? null, user: partial.user ?? null, process: partial.process ?? null, ip: partial.ip ?? null, service: partial.service ?? null };
}
