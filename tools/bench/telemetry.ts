/**
 * Realistic telemetry for the benchmark, generated in chunks so a million events never sit in
 * memory at once: the synthetic sensor of tools/process/synthetic.ts with more tenants, cells and
 * hosts, keyed exactly as `exoarmur inject` keys a line.
 */
import type { Message } from '../../processor/io/client.js';
import { syntheticTelemetry } from '../process/synthetic.js';
import { telemetryKey } from '../inject/inject.js';

export const BENCH_SHAPE = { tenants: 7, cells: 5, hosts: 400 } as const;
const FIRST_EVENT_MS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

/** Telemetry lines number `from` .. `from + count - 1` of a bench data set (one second of event time apart). */
export function telemetryLines(from: number, count: number): string[] {
  return syntheticTelemetry({ count, startMs: FIRST_EVENT_MS + from * 1000, ...BENCH_SHAPE });
}

export function telemetryMessage(line: string): Message {
  return { key: telemetryKey(line), value: Buffer.from(line, 'utf8') };
}

/** `tenant_id:event_id`: the idempotency key the core derives, which names the event's audit records. */
export function idempotencyKey(line: string): string {
  const event = JSON.parse(line) as { tenant_id: string; event_id: string };
  return `${event.tenant_id}:${event.event_id}`;
}
