/**
 * Sensor formats in the deterministic decode path: the raw record stays the recorded input and
 * replay re-derives the mapped TelemetryEventV1 from its bytes with these same pure mappings.
 * Which format a record is in comes from its `exoarmur-format` header, else from the config's
 * `inputs` entry for its topic, else it is native TelemetryEventV1 JSON.
 */
import type { Decoded } from '../../core/api.js';
import type { InputSpec } from '../../config/types.js';
import type { TelemetryEventV1 } from '../../core/types.js';
import { headerString, type InputHeaders } from '../avro.js';
import { decodeTelemetry, parseJsonObject } from '../telemetry.js';
import { INPUT_FORMATS, NOT_AN_ALERT, toTelemetry, type AdapterContext, type AdapterOutcome, type SensorFormat } from './adapter.js';
import { mapEcs } from './ecs.js';
import { mapFalco } from './falco.js';
import type { Json } from './fields.js';
import { mapOcsf } from './ocsf.js';
import { mapSuricata } from './suricata.js';
import { mapWazuh } from './wazuh.js';

export { INPUT_FORMATS, NOT_AN_ALERT, SENSOR_FORMATS, sensorEventId, type InputFormat, type SensorFormat } from './adapter.js';

export const FORMAT_HEADER = 'exoarmur-format';
export const TENANT_HEADER = 'exoarmur-tenant';
export const CELL_HEADER = 'exoarmur-cell';

const MAPPINGS: Record<SensorFormat, (record: Json) => AdapterOutcome> = {
  suricata: mapSuricata,
  falco: mapFalco,
  wazuh: mapWazuh,
  ocsf: mapOcsf,
  ecs: mapEcs,
};

/** One telemetry record's value decoded in the format its header or its topic's config names. */
export function decodeTelemetryInput(bytes: Uint8Array | null, headers: InputHeaders | undefined, spec: InputSpec | undefined, receivedAt: string): Decoded<TelemetryEventV1> {
  const named = headerString(headers?.[FORMAT_HEADER]);
  const format = named ?? spec?.format ?? 'exoarmur';
  if (!(INPUT_FORMATS as readonly string[]).includes(format)) {
    return { ok: false, reason_code: 'unknown_format', reason: `${FORMAT_HEADER} header ${JSON.stringify(format)} is not one of ${INPUT_FORMATS.join(', ')}` };
  }
  if (format === 'exoarmur') return decodeTelemetry(bytes);
  const ctx: AdapterContext = {
    tenant_id: headerString(headers?.[TENANT_HEADER]) ?? spec?.tenant_id ?? null,
    cell_id: headerString(headers?.[CELL_HEADER]) ?? spec?.cell_id ?? null,
    received_at: receivedAt,
  };
  return decodeSensor(format as SensorFormat, bytes, ctx);
}

export function decodeSensor(format: SensorFormat, bytes: Uint8Array | null, ctx: AdapterContext): Decoded<TelemetryEventV1> {
  const parsed = parseJsonObject(bytes, `${format} record`);
  if (!parsed.ok) return ctx.tenant_id !== null && !ctx.tenant_id.includes(':') ? { ...parsed, hint: { tenant_id: ctx.tenant_id } } : parsed;
  const outcome = MAPPINGS[format](parsed.value);
  // The configured tenant still names whose record it was when the record itself is not usable.
  const hint = ctx.tenant_id !== null && !ctx.tenant_id.includes(':') ? { tenant_id: ctx.tenant_id } : {};
  if (outcome.kind === 'not_an_alert') return { ok: false, reason_code: NOT_AN_ALERT, reason: outcome.reason, hint };
  if (outcome.kind === 'invalid') return { ok: false, reason_code: outcome.reason_code, reason: outcome.reason, hint };
  return toTelemetry(format, outcome.mapped, bytes!, ctx);
}

/** A decode failure that is a record of another kind (a flow, a stats line), not a malformed alert. */
export function isNotAnAlert(decoded: Decoded<unknown>): boolean {
  return !decoded.ok && decoded.reason_code === NOT_AN_ALERT;
}
