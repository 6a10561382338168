/**
 * The decisions of a run by scenario event id, as read back from its audit trail: the intent hash, the safety
 * verdict and rule, the approval requirement and the final state of the intent born from the event's first
 * delivery. Gate 4 compares the compose run's with the embedded run's, decision for decision. Pure.
 */
import { RECEIPT_KINDS, type AuditRecordV1 } from '../../processor/core/types.js';
import { fateOf, type Delivery } from './analysis.js';
import type { SensorStep, Step } from './scenario.js';

export interface Decision {
  event_id: string;
  /** `topic/partition/offset` of the event's first delivery in its run (not compared: each run has its own topics). */
  input: string;
  intent_hash: string | null;
  verdict: string | null;
  rule: string | null;
  approval: 'none' | 'human' | 'quorum';
  final: string | null;
}

/**
 * The event ids the scenario itself delivers (telemetry lines, raw lines that carry one, and sensor
 * samples by the id their adapter derives, `sensorEventId`); never the harness's burst filler.
 */
export function scenarioEventIds(steps: readonly Step[], sensorEventId: (step: SensorStep) => string | null): Set<string> {
  const ids = new Set<string>();
  for (const step of steps) {
    if (step.kind === 'telemetry' && typeof step.event['event_id'] === 'string') ids.add(step.event['event_id']);
    if (step.kind === 'sensor') {
      const id = sensorEventId(step.sensor);
      if (id !== null) ids.add(id);
    }
    if (step.kind === 'raw') {
      try {
        const parsed = JSON.parse(step.line) as { event_id?: unknown };
        if (typeof parsed.event_id === 'string') ids.add(parsed.event_id);
      } catch {
        // A raw line that is not JSON carries no event id to compare by.
      }
    }
  }
  return ids;
}

/** The decision at one telemetry delivery of `audit`: its fate, and the intent hash its receipt's key proposed. */
export function decisionAt(audit: readonly AuditRecordV1[], telemetryTopic: string, partition: number, offset: string, eventId: string): Decision {
  const fate = fateOf(audit, telemetryTopic, partition, offset);
  const at = `${telemetryTopic}/${partition}/${offset}`;
  const receipt = audit.find((r) => RECEIPT_KINDS.has(r.event_kind) && `${r.input.topic}/${r.input.partition}/${r.input.offset}` === at);
  const proposed = receipt === undefined ? undefined : audit.find((r) => r.event_kind === 'intent_proposed' && r.idempotency_key === receipt.idempotency_key);
  return {
    event_id: eventId,
    input: at,
    intent_hash: (proposed as AuditRecordV1<'intent_proposed'> | undefined)?.payload.intent_hash ?? null,
    verdict: fate.verdict,
    rule: fate.rule,
    approval: fate.approval,
    final: fate.final,
  };
}

/** One decision per event id of `eventIds`, from the fate of that event's first delivery. */
export function decisionsByEvent(audit: readonly AuditRecordV1[], deliveries: readonly Delivery[], telemetryTopic: string, eventIds: ReadonlySet<string>): Map<string, Decision> {
  const out = new Map<string, Decision>();
  for (const d of deliveries) {
    if (d.eventId === null || !eventIds.has(d.eventId) || out.has(d.eventId)) continue;
    out.set(d.eventId, decisionAt(audit, telemetryTopic, d.partition, d.offset, d.eventId));
  }
  return out;
}

export const DECISION_FIELDS = ['intent_hash', 'verdict', 'rule', 'approval', 'final'] as const;

/** Every difference, one line each: an event decided in one run only, or a field that differs. */
export function compareDecisions(expected: ReadonlyMap<string, Decision>, actual: ReadonlyMap<string, Decision>): string[] {
  const mismatches: string[] = [];
  for (const id of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
    const e = expected.get(id);
    const a = actual.get(id);
    if (e === undefined || a === undefined) {
      mismatches.push(`${id} decided only in the ${e === undefined ? 'compose' : 'embedded'} run`);
      continue;
    }
    for (const field of DECISION_FIELDS) if (e[field] !== a[field]) mismatches.push(`${id} ${field} ${String(a[field])} != embedded ${String(e[field])}`);
  }
  return mismatches;
}
