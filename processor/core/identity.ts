/**
 * Who an input is and its idempotency key, known before the step starts (DESIGN §2): telemetry is
 * `tenant_id:event_id`, an operator action `tenant_id:action_id`, an actuator's result
 * `tenant_id:result:<actuator_group>/<intent_id>`, and a value the codec could not
 * decode, from either topic, is identified by its bytes, `tenant:raw-sha256:<hex>`, so a redelivery
 * of the same bytes is a duplicate.
 */
import type { CoreInput, DecodeHint, Primitives } from './api.js';
import type { ExecutionResultV1, OperatorActionV1, TelemetryEventV1 } from './types.js';

export interface InputIdentity {
  tenant_id: string;
  correlation_id: string;
  trace_id: string | null;
}

export type IdentifiedInput =
  | { kind: 'undecodable'; idempotencyKey: string; who: InputIdentity; valueSha: string | null; reason: string; reasonCode: string; hint: DecodeHint | undefined }
  | { kind: 'telemetry'; idempotencyKey: string; event: TelemetryEventV1 }
  | { kind: 'operator'; idempotencyKey: string; action: OperatorActionV1 }
  | { kind: 'result'; idempotencyKey: string; result: ExecutionResultV1 };

export function identifyInput(input: CoreInput, prims: Primitives): IdentifiedInput {
  const decoded = input.decoded;
  if (!decoded.ok) {
    const who = identityFromKey(input.key, decoded.hint);
    const valueSha = input.value === null ? null : prims.sha256Hex(input.value);
    return {
      kind: 'undecodable',
      idempotencyKey: `${who.tenant_id}:raw-sha256:${valueSha ?? 'null'}`,
      who,
      valueSha,
      reason: decoded.reason,
      reasonCode: decoded.reason_code ?? 'invalid',
      hint: decoded.hint,
    };
  }
  if (input.source === 'telemetry') {
    const event = decoded.value as TelemetryEventV1;
    return { kind: 'telemetry', idempotencyKey: `${event.tenant_id}:${event.event_id}`, event };
  }
  if (input.source === 'result') {
    const result = decoded.value as ExecutionResultV1;
    // One final result per intent per actuator group: a second copy of it is a duplicate.
    return { kind: 'result', idempotencyKey: `${result.tenant_id}:result:${result.actuator_group}/${result.intent_id}`, result };
  }
  const action = decoded.value as OperatorActionV1;
  return { kind: 'operator', idempotencyKey: `${action.tenant_id}:${action.action_id}`, action };
}

/**
 * Longest key part taken as an identity (the codec's limit on string fields). An identity is copied
 * into the receipt's tenant, idempotency key and Kafka key: a 3 MiB key taken whole made a 9 MiB
 * receipt the output topics refuse, which halted the processor.
 */
export const MAX_KEY_IDENTITY_CHARS = 1024;

/** Tenant and correlation of a record we cannot read: from the Kafka key `tenant:correlation` (parts of at most MAX_KEY_IDENTITY_CHARS), else "unknown". */
export function identityFromKey(key: string | null, hint: DecodeHint | undefined): InputIdentity {
  const colon = key === null ? -1 : key.indexOf(':');
  const part = (text: string): string | null => (text.length > 0 && text.length <= MAX_KEY_IDENTITY_CHARS ? text : null);
  const keyTenant = key !== null && colon > 0 ? part(key.slice(0, colon)) : null;
  const keyCorrelation = key !== null && colon > 0 ? part(key.slice(colon + 1)) : null;
  return {
    tenant_id: hint?.tenant_id ?? keyTenant ?? 'unknown',
    correlation_id: hint?.correlation_id ?? keyCorrelation ?? 'unknown',
    trace_id: hint?.trace_id ?? null,
  };
}
