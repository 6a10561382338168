/** What an operator signs (docs/contracts.md): canonical JSON of the action without `signature`, UTF-8. */
import { canonicalJson } from './canonical.js';
import type { OperatorActionV1 } from './types.js';

export function actionSigningString(action: Omit<OperatorActionV1, 'signature'> | OperatorActionV1): string {
  const { signature: _ignored, ...unsigned } = action as OperatorActionV1;
  return canonicalJson(unsigned);
}

export function actionSigningBytes(action: Omit<OperatorActionV1, 'signature'> | OperatorActionV1): Uint8Array {
  return new TextEncoder().encode(actionSigningString(action));
}
