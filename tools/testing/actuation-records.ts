/** Test support: whole ExecutionResultV1 records and receiver log lines for the actuation checks. */
import type { ExecutionOutcome, ExecutionResultV1 } from '../../processor/core/types.js';
import type { ReceivedRequest } from '../actuate/receiver.js';
import { actuatorReport, type ActuationEvidence } from '../bundle/actuation-evidence.js';

export function executionResult(intentId: string, outcome: ExecutionOutcome = 'succeeded', attempt = 1): ExecutionResultV1 {
  return {
    schema_version: '1',
    intent_id: intentId,
    intent_hash: 'a'.repeat(64),
    tenant_id: 't1',
    correlation_id: `c-${intentId}`,
    trace_id: `tr-${intentId}`,
    subject: `host-${intentId}`,
    intent_type: 'isolate_host',
    outcome,
    attempt,
    driver: 'webhook',
    response_status: outcome === 'succeeded' ? 200 : 503,
    response_sha256: 'b'.repeat(64),
    detail: outcome === 'succeeded' ? null : 'HTTP 503',
    started_at: '2026-03-01T10:00:00.000Z',
    finished_at: '2026-03-01T10:00:00.250Z',
    actuator_group: 'app.actuator',
    source_partition: 0,
    source_offset: '0',
  };
}

export function receiverLine(key: string | null, effect: ReceivedRequest['effect'], attempt = 1, intentId: string | null = key): ReceivedRequest {
  return { key, intent_id: intentId, attempt, effect, status: effect === 'refused' ? 400 : 200 };
}

/** Evidence whose report is what its results and requests give. */
export function actuationOf(executeIntents: readonly string[], results: readonly ExecutionResultV1[], requests: readonly ReceivedRequest[]): ActuationEvidence {
  return { execute_intents: executeIntents, results, requests, report: actuatorReport(results, requests) };
}
