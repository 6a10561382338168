import test from 'ava';
import { decodeOperatorAction, encodeOperatorAction } from '../../processor/codec/index.js';
import { actionSigningBytes } from '../../processor/core/signing.js';
import { isUlid } from '../../processor/core/ids.js';
import { mergeConfig } from '../../processor/config/index.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { buildAction, generateOperatorKey, registryEntry } from './sign.js';
import { signAction } from '../../processor/operator-signing.js';

const approve = (actor: string) =>
  buildAction({
    action: 'approve',
    tenant_id: 't1',
    correlation_id: 'c1',
    actor_id: actor,
    approval_id: '01J0000000000000000000000A',
    intent_hash: 'a'.repeat(64),
    decided_at: '2026-01-02T03:04:05.678Z',
  });

test('a signed action verifies against the generated public key with the core primitives', (t) => {
  const key = generateOperatorKey('alice');
  const signed = signAction(approve('alice'), key.private_key_pem);
  t.true(nodePrimitives.verifyEd25519(key.public_key, actionSigningBytes(signed), signed.signature));
});

test('any edit to a signed field, or another key, breaks verification', (t) => {
  const key = generateOperatorKey('alice');
  const other = generateOperatorKey('alice');
  const signed = signAction(approve('alice'), key.private_key_pem);
  t.false(nodePrimitives.verifyEd25519(key.public_key, actionSigningBytes({ ...signed, reason: 'edited' }), signed.signature));
  t.false(nodePrimitives.verifyEd25519(key.public_key, actionSigningBytes({ ...signed, decided_at: '2026-01-02T03:04:05.679Z' }), signed.signature));
  t.false(nodePrimitives.verifyEd25519(other.public_key, actionSigningBytes(signed), signed.signature));
});

test('re-signing replaces a previous signature instead of signing over it', (t) => {
  const key = generateOperatorKey('alice');
  const once = signAction(approve('alice'), key.private_key_pem);
  const twice = signAction(once, key.private_key_pem);
  t.is(twice.signature, once.signature); // Ed25519 is deterministic: same body, same signature.
});

test('buildAction fills schema_version, a fresh ULID, the operator clock and explicit nulls', (t) => {
  const before = Date.now();
  const a = buildAction({ action: 'kill_switch_on', tenant_id: 't1', correlation_id: 'kill', actor_id: 'bob', scope: 'global', reason: 'drill' });
  const b = buildAction({ action: 'kill_switch_on', tenant_id: 't1', correlation_id: 'kill', actor_id: 'bob', scope: 'global', reason: 'drill' });
  t.is(a.schema_version, '1');
  t.true(isUlid(a.action_id));
  t.not(a.action_id, b.action_id);
  t.true(Date.parse(a.decided_at) >= before - 1 && Date.parse(a.decided_at) <= Date.now());
  t.is(a.decided_at, new Date(Date.parse(a.decided_at)).toISOString());
  t.deepEqual(
    { approval_id: a.approval_id, intent_hash: a.intent_hash, scope: a.scope, reason: a.reason },
    { approval_id: null, intent_hash: null, scope: 'global', reason: 'drill' },
  );
});

test('the registry entry is accepted by config validation and the action round-trips through the codec', (t) => {
  const key = generateOperatorKey('carol');
  const config = mergeConfig({ operators: registryEntry(key) });
  t.deepEqual(config.operators, { carol: { public_key: key.public_key } });
  const signed = signAction(approve('carol'), key.private_key_pem);
  const encoded = encodeOperatorAction(signed);
  t.deepEqual(decodeOperatorAction(encoded.value, encoded.headers), { ok: true, value: signed });
});

test('a non-Ed25519 or garbage private key is a usage error naming the fix', (t) => {
  const error = t.throws(() => signAction(approve('x'), 'not a pem'));
  t.regex(error?.message ?? '', /operator keygen/);
});
