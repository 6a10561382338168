/**
 * Results back into the audit trail (issue 15): every consumed ExecutionResultV1 gets its receipt
 * and, when it is new, an execution_succeeded or execution_failed record (gave_up is a failure,
 * with its reason) linked to the released intent by intent_id and intent_hash. Its event time is
 * the result's own finished_at as the actuator recorded it; no clock is read. A result moves no
 * stream time: only telemetry observed_at does.
 */
import type { StepContext } from './context.js';
import type { IdentifiedInput } from './identity.js';
import { firstDelivery, rejectUndecodable } from './outcome.js';
import type { ExecutionReported } from './audit-types.js';
import type { ExecutionResultV1 } from './types.js';

export function stepResult(ctx: StepContext, identified: Extract<IdentifiedInput, { kind: 'result' | 'undecodable' }>): void {
  const { input } = ctx;
  if (identified.kind === 'undecodable') {
    rejectUndecodable(ctx, identified, 'result_rejected', input.kafka_timestamp);
    return;
  }
  const r = identified.result;
  const subject = { tenant_id: r.tenant_id, correlation_id: r.correlation_id, trace_id: r.trace_id === '' ? null : r.trace_id, event_time: r.finished_at };
  if (!firstDelivery(ctx, subject, { action_id: null, cell_id: null, correlation_id: r.correlation_id, event_id: null, tenant_id: r.tenant_id })) return;
  ctx.audit.append('result_received', subject, { actuator_group: r.actuator_group, attempt: r.attempt, finished_at: r.finished_at, intent_id: r.intent_id, outcome: r.outcome });
  ctx.audit.append(r.outcome === 'succeeded' ? 'execution_succeeded' : 'execution_failed', subject, executionReported(r));
}

/** Why an execution did not succeed, in words; null when it did. */
export function failureReason(r: Pick<ExecutionResultV1, 'outcome' | 'attempt' | 'detail'>): string | null {
  if (r.outcome === 'succeeded') return null;
  if (r.outcome === 'gave_up') return `gave up after ${r.attempt} attempt${r.attempt === 1 ? '' : 's'}: ${r.detail ?? 'no attempt was answered'}`;
  return `failed: ${r.detail ?? 'the driver refused it'}`;
}

function executionReported(r: ExecutionResultV1): ExecutionReported {
  return {
    actuator_group: r.actuator_group,
    attempt: r.attempt,
    driver: r.driver,
    execute_offset: r.source_offset,
    execute_partition: r.source_partition,
    finished_at: r.finished_at,
    intent_hash: r.intent_hash,
    intent_id: r.intent_id,
    intent_type: r.intent_type,
    outcome: r.outcome,
    reason: failureReason(r),
    response_sha256: r.response_sha256,
    response_status: r.response_status,
    started_at: r.started_at,
    subject: r.subject,
  };
}
