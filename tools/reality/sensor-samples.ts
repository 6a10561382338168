/**
 * A scenario's `sensor` step as the record the harness sends: a public sample's bytes
 * (fixtures/sensors) on the telemetry topic with the `exoarmur-format` and `exoarmur-tenant`
 * headers, so the processor reads it through its adapter. The harness maps the sample with the
 * same pure adapter only to key it like native telemetry (tenant_id:correlation_id, so its beliefs
 * meet their correlation's partition) and to name the event id an `expect` line refers to.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { CELL_HEADER, decodeSensor, FORMAT_HEADER, TENANT_HEADER } from '../../processor/codec/adapters/index.js';
import { UsageError } from '../../processor/errors.js';
import type { Outgoing } from './analysis.js';
import type { SensorStep } from './scenario.js';

/** The mapped event's received_at is the Kafka timestamp; the key and event id do not depend on it. */
const ANY_RECEIVED_AT = '1970-01-01T00:00:00.000Z';

export function sensorOutgoing(step: SensorStep, root: string): Outgoing {
  const path = isAbsolute(step.file) ? step.file : join(root, step.file);
  if (!existsSync(path))
    throw new UsageError(
      'SCENARIO_INVALID',
      `sensor sample ${step.file} does not exist (paths are relative to the repository root, e.g. fixtures/sensors/falco/run-shell-untrusted.json)`,
    );
  // One record per file; the final newline is the file's, not the record's (a shipper strips it).
  const line = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  const headers: Record<string, string> = { [FORMAT_HEADER]: step.format, [TENANT_HEADER]: step.tenant_id, ...(step.cell_id === undefined ? {} : { [CELL_HEADER]: step.cell_id }) };
  const mapped = decodeSensor(step.format, Buffer.from(line, 'utf8'), { tenant_id: step.tenant_id, cell_id: step.cell_id ?? null, received_at: ANY_RECEIVED_AT });
  if (!mapped.ok) {
    // Not an alert or malformed: the processor rejects it at receipt; it is keyed by its sample so it lands in one place.
    return { line, key: `${step.tenant_id}:${step.file}`, headers, eventId: null };
  }
  return { line, key: `${mapped.value.tenant_id}:${mapped.value.correlation_id}`, headers, eventId: mapped.value.event_id };
}
