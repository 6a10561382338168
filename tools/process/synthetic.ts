/**
 * Synthetic TelemetryEventV1 lines for the processor's integration tests and catch-up benchmark:
 * valid events spread over tenants, cells, hosts and severities, plus the malformed kinds a
 * sensor can emit. Randomness is fine here: this is the sensor side, not the core.
 */
import { ulid } from 'ulid';

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export interface SyntheticOptions {
  count: number;
  /** ms since epoch of the first event's observed_at; one second apart. */
  startMs?: number;
  tenants?: number;
  cells?: number;
  hosts?: number;
  /** Event id of event `index` (default: a fresh ULID at its observed time — the sensor's own randomness). */
  eventId?: (index: number, observedMs: number) => string;
  /** Correlation id of event `index` (default: one per host). */
  correlationId?: (index: number, host: string) => string;
}

export function syntheticTelemetry(options: SyntheticOptions): string[] {
  const start = options.startMs ?? Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const tenants = options.tenants ?? 3;
  const cells = options.cells ?? 4;
  const hosts = options.hosts ?? 50;
  const lines: string[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const observedMs = start + i * 1000;
    const tenant = `tenant-${i % tenants}`;
    const host = `host-${i % hosts}`;
    lines.push(
      JSON.stringify({
        schema_version: '1',
        event_id: options.eventId ? options.eventId(i, observedMs) : ulid(observedMs),
        tenant_id: tenant,
        cell_id: `cell-${i % cells}`,
        observed_at: new Date(observedMs).toISOString(),
        received_at: new Date(observedMs + 250).toISOString(),
        source: { kind: 'edr', name: 'synthetic', host: null, sensor_id: null },
        event_type: i % 5 === 0 ? 'lateral_movement' : 'suspicious_process',
        severity: SEVERITIES[i % SEVERITIES.length],
        attributes: { n: i },
        entity_refs: { host, user: null, process: null, ip: null, service: null },
        correlation_id: options.correlationId ? options.correlationId(i, host) : `corr-${host}`,
        trace_id: `trace-${i}`,
      }),
    );
  }
  return lines;
}

/** Lines a broken sensor emits: not JSON, JSON with an unknown field, wrong types. */
export function malformedTelemetry(valid: string): string[] {
  const event = JSON.parse(valid) as Record<string, unknown>;
  return ['this is not json {', JSON.stringify({ ...event, event_id: ulid(), unexpected_field: true }), JSON.stringify({ ...event, event_id: ulid(), severity: 42 })];
}

/** `count` deliveries: every line once, then `duplicates` of them again, interleaved. */
export function withDuplicates(lines: readonly string[], duplicates: number, random: () => number = Math.random): string[] {
  const out = [...lines];
  for (let d = 0; d < duplicates; d += 1) {
    const line = lines[Math.floor(random() * lines.length)]!;
    out.splice(Math.floor(random() * (out.length + 1)), 0, line);
  }
  return out;
}
