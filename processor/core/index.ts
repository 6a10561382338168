/**
 * The decision core's public surface. `step` is pure: a function of (state, input, config,
 * primitives) that never mutates `state`; every change is a role 'state' output record.
 */
import type { CoreInput, Primitives, StepResult } from './api.js';
import type { CoreConfig } from './config-types.js';
import { StepContext } from './context.js';
import { identifyInput } from './identity.js';
import { stepOperator } from './operator.js';
import { stepResult } from './result.js';
import type { StateView } from './state.js';
import { stepTelemetry } from './telemetry.js';

export function step(state: StateView, input: CoreInput, config: CoreConfig, prims: Primitives): StepResult {
  // The idempotency key is known before the context exists: every id the step derives uses it.
  const identified = identifyInput(input, prims);
  const ctx = new StepContext(state, input, config, prims, identified.idempotencyKey);
  if (identified.kind === 'telemetry' || (identified.kind === 'undecodable' && input.source === 'telemetry')) stepTelemetry(ctx, identified);
  else if (identified.kind === 'result' || (identified.kind === 'undecodable' && input.source === 'result')) stepResult(ctx, identified);
  else stepOperator(ctx, identified);
  return ctx.finish();
}

export type { CoreInput, Decoded, DecodeHint, InputSource, OutputRecord, OutputRole, Primitives, StepResult } from './api.js';
export type { CoreConfig, OperatorRegistry, Policy } from './config-types.js';
export {
  applyStateEntry,
  applyStateRecords,
  coalesceStateRecords,
  keysAfterChanges,
  stateKeyOf,
  stateKeys,
  stateRecord,
  IDEMPOTENCY_MARK,
  type StateValue,
  type StateView,
} from './state.js';
export { canonicalJson } from './canonical.js';
export { deterministicUlid, isUlid } from './ids.js';
export { recordHash, verifyChain, GENESIS_HASH, type ChainBreak } from './chain.js';
export { actionSigningBytes, actionSigningString } from './signing.js';
export { evaluateGate, type GateInput, type GateDecision } from './gate.js';
export * from './types.js';
