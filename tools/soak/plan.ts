/**
 * The soak's seeded plan, pure: which faults, at what time, and the telemetry each load tick
 * offers (events, duplicates of earlier ones, late events). The same seed gives the same plan and
 * the same lines, so a failing soak can be run again as it was.
 */
import { SeededRandom } from '../lib/seeded-random.js';

export const FAULT_KINDS = ['kill_leader', 'kill_processor', 'join_leave', 'cluster_restart'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  kind: FaultKind;
  /** Milliseconds after the load starts. */
  atMs: number;
}

/** How many of each fault a soak of `minutes` gets: one per five minutes of each, a whole-cluster restart per ten (at least one of each). */
export function faultCounts(minutes: number, kinds: readonly FaultKind[] = FAULT_KINDS): Record<FaultKind, number> {
  const every = (m: number) => Math.max(1, Math.floor(minutes / m));
  const counts: Record<FaultKind, number> = { kill_leader: every(5), kill_processor: every(5), join_leave: every(5), cluster_restart: every(10) };
  for (const kind of FAULT_KINDS) if (!kinds.includes(kind)) counts[kind] = 0;
  return counts;
}

/**
 * The faults in a seeded order, one per equal slot of the load's duration (the last 20% kept
 * quiet so the end sees the system settle under load), each at a seeded time in the first 60% of
 * its slot.
 */
export function faultPlan(seed: number, durationMs: number, counts: Record<FaultKind, number>): PlannedFault[] {
  const random = new SeededRandom(seed);
  const kinds: FaultKind[] = FAULT_KINDS.flatMap((kind) => Array.from({ length: counts[kind] }, () => kind));
  for (let i = kinds.length - 1; i > 0; i -= 1) {
    const j = random.int(i + 1);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  const slot = (durationMs * 0.8) / Math.max(1, kinds.length);
  return kinds.map((kind, i) => ({ kind, atMs: Math.round(i * slot + random.next() * 0.6 * slot) }));
}

/** Event time of the soak's telemetry: the first tick is observed here, each later tick one second on. */
export const SOAK_T0_MS = Date.UTC(2026, 5, 1, 0, 0, 0, 0);
export const SOAK_TENANTS = ['soak-a', 'soak-b'] as const;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export interface LoadTick {
  /** Telemetry lines to offer this tick, in order. */
  lines: string[];
}

/**
 * The telemetry of tick `tick` (`perTick` fresh events and their duplicates): every tenth event is
 * observed up to a minute late (out of order), every eighth event repeats an earlier one
 * (a duplicate delivery, as an at-least-once sensor sends). `recent` keeps the lines a duplicate
 * is drawn from.
 */
export function loadTick(random: SeededRandom, tick: number, perTick: number, recent: string[]): LoadTick {
  const lines: string[] = [];
  for (let i = 0; i < perTick; i += 1) {
    const n = tick * perTick + i;
    const late = random.int(10) === 0;
    const observedMs = SOAK_T0_MS + tick * 1000 + i * Math.floor(1000 / perTick) - (late ? 1000 + random.int(60_000) : 0);
    const host = `soak-host-${random.int(40)}`;
    const tenant = SOAK_TENANTS[random.int(SOAK_TENANTS.length)]!;
    const line = JSON.stringify({
      schema_version: '1',
      event_id: random.ulid(Math.max(0, observedMs)),
      tenant_id: tenant,
      cell_id: `soak-cell-${random.int(4)}`,
      observed_at: new Date(observedMs).toISOString(),
      received_at: new Date(observedMs + 50).toISOString(),
      source: { kind: 'edr', name: 'soak', host: null, sensor_id: null },
      event_type: random.int(5) === 0 ? 'lateral_movement' : 'suspicious_process',
      severity: SEVERITIES[random.int(SEVERITIES.length)]!,
      attributes: { n },
      entity_refs: { host, user: null, process: null, ip: null, service: null },
      correlation_id: `soak-${host}`,
      trace_id: `soak-trace-${n}`,
    });
    lines.push(line);
    recent.push(line);
    if (random.int(8) === 0 && recent.length > 0) lines.push(recent[random.int(recent.length)]!);
  }
  if (recent.length > 500) recent.splice(0, recent.length - 500);
  return { lines };
}
