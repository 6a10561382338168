/**
 * The processor's checkpoint signing key (config `checkpoints`): made by `exoarmur keygen`, read
 * once by the composition root, checked against the public key the config pins, and handed to the
 * engine as a signing function. The core never sees the key.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { CheckpointSigner } from './core/checkpoint.js';
import type { CheckpointConfig } from './config/types.js';
import { UsageError } from './errors.js';

/** Base64 SPKI DER of an Ed25519 public key: the form `checkpoints.public_key` and `--trust` take. */
export function publicKeyBase64(key: KeyObject): string {
  return (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' }).toString('base64');
}

/** A signer over a PKCS#8 PEM Ed25519 private key. */
export function signerFromPem(pem: string, where: string): CheckpointSigner & { publicKey: string } {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (cause) {
    throw new UsageError('CHECKPOINT_KEY_INVALID', `${where} is not a PEM private key: ${(cause as Error).message}; make one with \`exoarmur keygen --out FILE\``, { cause });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new UsageError('CHECKPOINT_KEY_INVALID', `${where} holds a ${key.asymmetricKeyType} key, not Ed25519; make one with \`exoarmur keygen --out FILE\``);
  return { publicKey: publicKeyBase64(key), sign: (message) => sign(null, message, key).toString('base64') };
}

/** Reads `checkpoints.key_file` and refuses a key whose public half is not the one the config pins. */
export function loadCheckpointSigner(config: CheckpointConfig): CheckpointSigner {
  let pem: string;
  try {
    pem = readFileSync(config.key_file, 'utf8');
  } catch (cause) {
    throw new UsageError(
      'CHECKPOINT_KEY_INVALID',
      `checkpoints.key_file ${config.key_file} cannot be read (${(cause as Error).message}); make one with \`exoarmur keygen --out FILE\``,
      { cause },
    );
  }
  const signer = signerFromPem(pem, `checkpoints.key_file ${config.key_file}`);
  if (signer.publicKey !== config.public_key) {
    throw new UsageError(
      'CHECKPOINT_KEY_MISMATCH',
      `checkpoints.key_file ${config.key_file} is not the key of checkpoints.public_key; put the public key keygen printed for that file in the config`,
    );
  }
  return signer;
}

/** Writes a fresh Ed25519 key (PKCS#8 PEM, mode 0600) to `file` and returns the config entry for it. */
export function generateCheckpointKey(file: string, topic: string): CheckpointConfig {
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600, flag: 'wx' });
  return { topic, key_file: file, public_key: publicKeyBase64(privateKey) };
}
