/**
 * Per-run operator identities: an Ed25519 key per actor the scenario names, registered in the
 * run's config, so the signatures in this run's evidence can only have come from this run.
 */
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { ulid } from 'ulid';
import { encodeOperatorAction } from '../../processor/codec/index.js';
import { actionSigningBytes } from '../../processor/core/signing.js';
import type { OperatorActionV1 } from '../../processor/core/types.js';

export interface RunKey {
  publicKey: string;
  privateKey: KeyObject;
}

export function generateRunKeys(actors: readonly string[]): Map<string, RunKey> {
  const keys = new Map<string, RunKey>();
  for (const actor of actors) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    keys.set(actor, { publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), privateKey });
  }
  return keys;
}

/** The config's `operators` registry for the run's keys. */
export function operatorRegistry(keys: ReadonlyMap<string, RunKey>): Record<string, { public_key: string }> {
  const registry: Record<string, { public_key: string }> = {};
  for (const [actor, key] of keys) registry[actor] = { public_key: key.publicKey };
  return registry;
}

export function signedAction(unsigned: Omit<OperatorActionV1, 'signature' | 'action_id' | 'schema_version'>, key: RunKey): OperatorActionV1 {
  const body: Omit<OperatorActionV1, 'signature'> = { schema_version: '1', action_id: ulid(), ...unsigned };
  return { ...body, signature: sign(null, actionSigningBytes(body), createPrivateKey(key.privateKey.export({ type: 'pkcs8', format: 'pem' }))).toString('base64') };
}

/** Sends the action, acks=all, to the given partitions; returns the offset of each copy. */
export async function publishActionTo(producer: Producer, topic: string, action: OperatorActionV1, partitions: readonly number[]): Promise<Array<{ partition: number; offset: string }>> {
  const encoded = encodeOperatorAction(action);
  const out: Array<{ partition: number; offset: string }> = [];
  for (const partition of partitions) {
    const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: `${action.tenant_id}:${action.correlation_id}`, value: encoded.value, headers: encoded.headers, partition }] });
    out.push({ partition, offset: meta?.baseOffset ?? '-1' });
  }
  return out;
}
