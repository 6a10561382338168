/**
 * The operator's side of an OperatorActionV1 (docs/contracts.md): Ed25519 keys, building an
 * action (signing is processor/operator-signing.ts). Unlike the core, this is where a real clock and real randomness belong:
 * `decided_at` is the operator's own clock (recorded, and judged against the approval's expiry by
 * the core) and `action_id` is a fresh ULID per action.
 */
import { generateKeyPairSync } from 'node:crypto';
import { ulid } from 'ulid';
import type { KillSwitchScope, OperatorActionKind } from '../../processor/core/types.js';
import type { UnsignedOperatorAction } from '../../processor/operator-signing.js';
import { UsageError } from '../../processor/errors.js';

export interface OperatorKey {
  actor_id: string;
  /** Base64 of the SPKI DER public key: the value of `operators.<actor_id>.public_key` in the config. */
  public_key: string;
  /** PKCS#8 PEM; whoever holds it can act as `actor_id`. */
  private_key_pem: string;
}

export function generateOperatorKey(actorId: string): OperatorKey {
  if (actorId.length === 0) throw new UsageError('ACTOR_MISSING', 'an operator key needs a non-empty actor id: pass --actor ID');
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    actor_id: actorId,
    public_key: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    private_key_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** The config fragment that registers a key: `{ "<actor_id>": { "public_key": "<base64 SPKI DER>" } }`. */
export function registryEntry(key: Pick<OperatorKey, 'actor_id' | 'public_key'>): Record<string, { public_key: string }> {
  return { [key.actor_id]: { public_key: key.public_key } };
}

export interface BuildActionInput {
  action: OperatorActionKind;
  tenant_id: string;
  correlation_id: string;
  actor_id: string;
  approval_id?: string | null;
  intent_hash?: string | null;
  scope?: KillSwitchScope | null;
  reason?: string | null;
  /** keep_contained: the containment intent and its new end (null: no end). */
  intent_id?: string | null;
  keep_until?: string | null;
  /** Defaults to the operator's clock now (RFC 3339, ms, UTC "Z"). */
  decided_at?: string;
  /** Defaults to a fresh ULID. */
  action_id?: string;
}

/** An unsigned action with every optional field explicit (null), ready for signAction. */
export function buildAction(input: BuildActionInput): UnsignedOperatorAction {
  return {
    schema_version: '1',
    action_id: input.action_id ?? ulid(),
    action: input.action,
    tenant_id: input.tenant_id,
    correlation_id: input.correlation_id,
    approval_id: input.approval_id ?? null,
    intent_hash: input.intent_hash ?? null,
    scope: input.scope ?? null,
    actor_id: input.actor_id,
    decided_at: input.decided_at ?? new Date().toISOString(),
    reason: input.reason ?? null,
    intent_id: input.intent_id ?? null,
    keep_until: input.keep_until ?? null,
  };
}
