/**
 * The actuation half of gate 6 (exactly once to actuators), from bundle files alone: the execute
 * export, the actuator's results (execution_results.jsonl), the webhook receiver's request log
 * (actuator_requests.jsonl) and the per-Idempotency-Key counts the harness wrote from it
 * (actuator_report.json), which must be exactly what the log gives. The evidence viewer checks the
 * same properties in evidence-viewer/actuation.js.
 */
import type { ExecutionResultV1 } from '../../processor/core/types.js';
import { canonicalJson } from '../../processor/core/canonical.js';
import { BUNDLE_FILES } from './files.js';
import { receiverCounts, type ReceivedRequest, type ReceiverCounts } from '../actuate/receiver.js';

/** actuator_report.json: the receiver's counts, and the results by outcome. */
export interface ActuatorReport {
  receiver: ReceiverCounts;
  results: number;
  outcomes: Record<string, number>;
}

export function actuatorReport(results: readonly ExecutionResultV1[], requests: readonly ReceivedRequest[]): ActuatorReport {
  const outcomes: Record<string, number> = {};
  for (const r of [...results].sort((a, b) => a.outcome.localeCompare(b.outcome))) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  return { receiver: receiverCounts(requests), results: results.length, outcomes };
}

export interface ActuationEvidence {
  execute_intents: readonly string[];
  results: readonly ExecutionResultV1[];
  requests: readonly ReceivedRequest[];
  /** actuator_report.json as written. */
  report: unknown;
}

/** Every way the actuation breaks "one effect per released intent" (empty = holds). */
export function actuationProblems(e: ActuationEvidence): string[] {
  const problems: string[] = [];
  const executed = new Set(e.execute_intents);
  const resultsPer = new Map<string, number>();
  for (const r of e.results) resultsPer.set(r.intent_id, (resultsPer.get(r.intent_id) ?? 0) + 1);
  for (const id of executed) if (resultsPer.get(id) !== 1) problems.push(`intent ${id} has ${resultsPer.get(id) ?? 0} results`);
  for (const id of resultsPer.keys()) if (!executed.has(id)) problems.push(`a result for intent ${id}, which is not on the execute topic`);
  const counts = receiverCounts(e.requests);
  if (canonicalJson(e.report) !== canonicalJson(actuatorReport(e.results, e.requests)))
    problems.push(`${BUNDLE_FILES.actuatorReport} is not what the results and the request log give`);
  for (const r of e.requests) {
    if (r.key === null) problems.push('a request without an Idempotency-Key');
    else if (r.key !== r.intent_id) problems.push(`a request keyed ${r.key} carried intent ${r.intent_id ?? 'none'}`);
    else if (!executed.has(r.key)) problems.push(`a request for ${r.key}, which is not on the execute topic`);
  }
  for (const [key, c] of Object.entries(counts.per_key)) if (c.applied !== 1) problems.push(`key ${key} applied ${c.applied} times`);
  for (const r of e.results)
    if (r.outcome === 'succeeded' && counts.per_key[r.intent_id] === undefined) problems.push(`intent ${r.intent_id} succeeded but the receiver never saw its key`);
  return problems;
}

/** One line for the gate's evidence. */
export function actuationSummary(e: ActuationEvidence): string {
  const c = receiverCounts(e.requests);
  const outcomes = actuatorReport(e.results, e.requests).outcomes;
  const byOutcome = Object.entries(outcomes)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return `${e.results.length} actuator results for ${e.execute_intents.length} execute records (${byOutcome || 'none'}); receiver: ${c.requests} requests over ${c.keys} Idempotency-Keys, each applied once, ${c.repeats} repeats carried the same key`;
}
