/**
 * What an operator signs (docs/contracts.md): canonical JSON of the action without `signature`,
 * UTF-8. The fields added after the first signed actions (keep_contained's `intent_id` and
 * `keep_until`) are left out while they are null, so every action signed before they existed
 * (recorded runs, scenario files) has the same signing bytes as when it was signed.
 */
import { canonicalJson } from './canonical.js';
import type { OperatorActionV1 } from './types.js';

/** Fields signed only when they carry a value. */
const SIGNED_WHEN_SET = ['intent_id', 'keep_until'] as const;

/** An action before signing: the fields signed only when set may be left out (they are null then). */
export type UnsignedAction = Omit<OperatorActionV1, 'signature' | (typeof SIGNED_WHEN_SET)[number]> & Partial<Pick<OperatorActionV1, (typeof SIGNED_WHEN_SET)[number]>>;

export function actionSigningString(action: UnsignedAction | OperatorActionV1): string {
  const { signature: _ignored, ...unsigned } = action as OperatorActionV1;
  const isUnset = (field: string, value: unknown): boolean => (SIGNED_WHEN_SET as readonly string[]).includes(field) && (value === null || value === undefined);
  return canonicalJson(Object.fromEntries(Object.entries(unsigned).filter(([field, value]) => !isUnset(field, value))));
}

export function actionSigningBytes(action: UnsignedAction | OperatorActionV1): Uint8Array {
  return new TextEncoder().encode(actionSigningString(action));
}
