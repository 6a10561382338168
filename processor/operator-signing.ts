/**
 * Signing an OperatorActionV1 (docs/contracts.md): Ed25519 over the canonical JSON of the action
 * without `signature`. The one implementation, used by the operator CLI, the reality player and
 * the tests; the core only verifies (core/signing.ts gives the bytes both sides use).
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { actionSigningBytes, type UnsignedAction } from './core/signing.js';
import type { OperatorActionV1 } from './core/types.js';
import { UsageError } from './errors.js';

/** The new keep_contained fields may be left out; a signed action carries them as explicit nulls. */
export type UnsignedOperatorAction = UnsignedAction;

/** Signs the action (any signature given is replaced) with an Ed25519 private key: a KeyObject or PKCS#8 PEM. */
export function signAction(unsigned: UnsignedOperatorAction | OperatorActionV1, privateKey: KeyObject | string): OperatorActionV1 {
  const key = typeof privateKey === 'string' ? parsePrivateKey(privateKey) : privateKey;
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new UsageError(
      'OPERATOR_KEY_INVALID',
      `the private key is ${key.asymmetricKeyType ?? 'of unknown type'}, not Ed25519; pass the file written by \`exoarmur operator keygen\``,
    );
  }
  const { signature: _replaced, ...rest } = unsigned as OperatorActionV1;
  const body: UnsignedOperatorAction = rest;
  return { intent_id: null, keep_until: null, ...body, signature: sign(null, actionSigningBytes(body), key).toString('base64') };
}

function parsePrivateKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new UsageError('OPERATOR_KEY_INVALID', `the private key is not a PEM key: ${(err as Error).message}; pass the file written by \`exoarmur operator keygen\``, {
      cause: err,
    });
  }
}
