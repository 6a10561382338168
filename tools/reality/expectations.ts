/**
 * The scenario's `expect` lines judged against the committed trail. Pure: the steps, the
 * deliveries the player made and the audit trail in, one readable line per unmet expectation out.
 */
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { fateOf, type Delivery, type Fate } from './analysis.js';
import type { Expectation, Step } from './scenario.js';

/** Every way a fate differs from its expectation, as readable strings (empty = met). */
export function unmetExpectation(expect: Expectation, fate: Fate): string[] {
  const problems: string[] = [];
  const check = (field: string, wanted: string | undefined, got: string | null) => {
    if (wanted !== undefined && wanted !== got) problems.push(`${expect.event_id}: ${field} expected ${wanted}, got ${got ?? 'none'}`);
  };
  check('verdict', expect.verdict, fate.verdict);
  check('rule', expect.rule, fate.rule);
  check('approval', expect.approval, fate.approval);
  check('final', expect.final, fate.final);
  check('execution', expect.execution, fate.execution);
  return problems;
}

/**
 * The delivery an expectation is about: the first delivery of that telemetry event; for an event id
 * no telemetry line carries, the first raw (undecodable) line whose text contains it.
 */
export function deliveryFor(eventId: string, steps: readonly Step[], deliveries: readonly Delivery[]): Delivery | undefined {
  const byEvent = deliveries.find((d) => d.eventId === eventId);
  if (byEvent) return byEvent;
  const telemetryCarriesIt = steps.some((s) => s.kind === 'telemetry' && s.event['event_id'] === eventId);
  return telemetryCarriesIt ? undefined : deliveries.find((d) => d.eventId === null && d.line.includes(eventId));
}

/** Every unmet `expect` line of the scenario, in scenario order (empty = all met). */
export function unmetExpectations(steps: readonly Step[], deliveries: readonly Delivery[], audit: readonly AuditRecordV1[], telemetryTopic: string): string[] {
  const failures: string[] = [];
  for (const step of steps) {
    if (step.kind !== 'expect') continue;
    const delivery = deliveryFor(step.expect.event_id, steps, deliveries);
    if (!delivery) {
      failures.push(`${step.expect.event_id}: no delivery carries this event_id`);
      continue;
    }
    failures.push(...unmetExpectation(step.expect, fateOf(audit, telemetryTopic, delivery.partition, delivery.offset)));
  }
  return failures;
}
