/**
 * Hostile operator actions. Two kinds: records the codec must refuse (unknown schema or
 * fingerprint, broken Avro, fields Avro cannot police), and well-formed actions the core must
 * refuse against real pending approvals: forged, replayed, expired, bound to the wrong hash, for
 * the wrong tenant or partition. The approvals come from setup telemetry on APPROVAL_PARTITION;
 * their ids and intent hashes are derived here by the real engine, exactly as the processor will.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { encodeOperatorAction, FINGERPRINT_HEADER, MAX_FIELD_CHARS, SCHEMA_HEADER, SCHEMAS, type ConsumedMessage } from '../../processor/codec/index.js';
import { buildEffectiveConfig, coreConfigOf, mergeConfig } from '../../processor/config/index.js';
import type { AuditPayloads, AuditRecordV1, OperatorActionV1 } from '../../processor/core/types.js';
import { ExoArmurError } from '../../processor/errors.js';
import { driveBatch } from '../../processor/engine/batch.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { signAction, type UnsignedOperatorAction } from '../../processor/operator-signing.js';
import { APPROVAL_PARTITION, CORPUS_RECORD_TIME_MS, CORPUS_T0_MS, rejected, validEvent, type Expected, type HostileRecord, type SeededRandom } from './corpus.js';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SETUP_TENANT = 'tenant-ops';
const APPROVALS = 4;

interface Actor {
  id: string;
  publicKey: string;
  privateKeyPem: string;
}

function seededActor(id: string, random: SeededRandom): Actor {
  const key: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, random.bytes(32)]), format: 'der', type: 'pkcs8' });
  return {
    id,
    publicKey: createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64'),
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

interface Approval {
  approval_id: string;
  intent_hash: string;
  expires_at: string;
  correlation_id: string;
}

export interface OperatorCorpus {
  records: HostileRecord[];
  /** The config the processor must run with: the registered operators (alice, bob; mallory is not). */
  config: { operators: Record<string, { public_key: string }> };
}

const RECEIVED: Expected = { receipt: 'action_received', reason_code: null };
const refused = (code: string): Expected => ({ receipt: 'action_received', reason_code: code });

export function operatorCases(random: SeededRandom): OperatorCorpus {
  const [alice, bob, mallory] = ['alice', 'bob', 'mallory'].map((id) => seededActor(id, random)) as [Actor, Actor, Actor];
  const config = { operators: { alice: { public_key: alice.publicKey }, bob: { public_key: bob.publicKey } } };
  const records: HostileRecord[] = [];
  const setup = setupTelemetry(random, records);
  const approvals = derivedApprovals(setup, config);
  let turn = 0;

  const action = (over: Partial<UnsignedOperatorAction> & { approval?: Approval }): Omit<OperatorActionV1, 'signature'> => ({
    schema_version: '1',
    action_id: random.ulid(CORPUS_T0_MS + 60_000),
    action: 'approve',
    tenant_id: SETUP_TENANT,
    correlation_id: over.approval?.correlation_id ?? `corr-${random.hex(8)}`,
    approval_id: over.approval?.approval_id ?? null,
    intent_hash: over.approval?.intent_hash ?? null,
    scope: null,
    actor_id: 'alice',
    decided_at: new Date(CORPUS_T0_MS + 60_000).toISOString(),
    reason: null,
    intent_id: null,
    keep_until: null,
    ...Object.fromEntries(Object.entries(over).filter(([k]) => k !== 'approval')),
  });
  const push = (
    cls: string,
    name: string,
    signed: OperatorActionV1,
    expect: Expected,
    options: { partition?: number; phase?: 'first' | 'actions'; headers?: Record<string, Buffer>; value?: Buffer | null } = {},
  ): void => {
    const encoded = encodeOperatorAction(signed);
    const phase = options.phase ?? 'actions';
    records.push({
      class: cls,
      name,
      topic: 'operator_actions',
      partition: options.partition ?? (phase === 'actions' ? APPROVAL_PARTITION : 1 + (turn++ % 2)),
      key: Buffer.from(`${signed.tenant_id.includes(':') ? 'tenant-x' : signed.tenant_id.slice(0, 64)}:${signed.correlation_id.slice(0, 64) || 'corr'}`),
      value: options.value === undefined ? encoded.value : options.value,
      headers: options.headers ?? Object.fromEntries(Object.entries(encoded.headers).map(([k, v]) => [k, Buffer.from(v)])),
      phase,
      expect,
    });
  };
  const [a0, a1, a2, a3] = approvals as [Approval, Approval, Approval, Approval];

  // Replayed: the same signed bytes twice, and a vote on an approval already granted.
  const first = signAction(action({ approval: a0 }), alice.privateKeyPem);
  push('operator_replayed', 'alice approves (valid, first vote of 2)', first, RECEIVED);
  push('operator_replayed', 'the same signed approval delivered again', first, { receipt: 'action_duplicate', reason_code: null });
  push('operator_replayed', 'bob approves (valid, grants the quorum)', signAction(action({ approval: a0, actor_id: 'bob' }), bob.privateKeyPem), RECEIVED);
  push('operator_replayed', 'alice approves the granted approval again, new action id', signAction(action({ approval: a0 }), alice.privateKeyPem), refused('approval_not_pending'));

  // Forged.
  push('operator_forged', 'signed by an unregistered key, claiming to be alice', signAction(action({ approval: a1 }), mallory.privateKeyPem), refused('bad_signature'));
  const tampered = signAction(action({ approval: a1, action: 'deny', reason: 'benign' }), alice.privateKeyPem);
  push('operator_forged', "alice's signed deny with its reason edited after signing", { ...tampered, reason: 'benign, and more' }, refused('bad_signature'));
  push(
    'operator_forged',
    'an actor nobody registered (mallory, her own key)',
    signAction(action({ approval: a1, actor_id: 'mallory' }), mallory.privateKeyPem),
    refused('unknown_actor'),
  );
  push('operator_forged', 'actor_id "__proto__"', signAction(action({ approval: a1, actor_id: '__proto__' }), mallory.privateKeyPem), refused('unknown_actor'));
  push('operator_forged', 'actor_id "constructor"', signAction(action({ approval: a1, actor_id: 'constructor' }), mallory.privateKeyPem), refused('unknown_actor'));
  push('operator_forged', 'a signature of 64 zero bytes', { ...action({ approval: a1 }), signature: Buffer.alloc(64).toString('base64') }, refused('bad_signature'));
  push('operator_forged', 'a signature that is not base64', { ...action({ approval: a1 }), signature: '!!not base64!!' }, refused('bad_signature'));
  push(
    'operator_forged',
    'a global kill switch signed by an unregistered key as alice',
    signAction(action({ action: 'kill_switch_on', scope: 'global', reason: 'forged' }), mallory.privateKeyPem),
    refused('bad_signature'),
  );

  // Expired, wrong hash, wrong tenant, wrong partition, no such approval.
  const late = new Date(Date.parse(a2.expires_at) + 1).toISOString();
  push('operator_expired', 'alice approves 1 ms after the expiry', signAction(action({ approval: a2, decided_at: late }), alice.privateKeyPem), refused('after_expiry'));
  push(
    'operator_wrong_hash',
    "bound to another approval's intent hash",
    signAction(action({ approval: a3, intent_hash: a1.intent_hash }), alice.privateKeyPem),
    refused('intent_hash_mismatch'),
  );
  push('operator_wrong_hash', 'bound to no intent hash', signAction({ ...action({ approval: a3 }), intent_hash: null }, alice.privateKeyPem), refused('intent_hash_mismatch'));
  push(
    'operator_wrong_tenant',
    'approval of tenant-ops approved for tenant-other',
    signAction(action({ approval: a3, tenant_id: 'tenant-other' }), alice.privateKeyPem),
    refused('tenant_mismatch'),
  );
  push(
    'operator_wrong_partition',
    `sent to partition ${APPROVAL_PARTITION + 1}, the approval lives on ${APPROVAL_PARTITION}`,
    signAction(action({ approval: a3 }), alice.privateKeyPem),
    refused('unknown_approval'),
    {
      partition: APPROVAL_PARTITION + 1,
    },
  );
  push(
    'operator_wrong_partition',
    'an approval id that never existed',
    signAction(action({ approval: { ...a3, approval_id: random.ulid(CORPUS_T0_MS) } }), alice.privateKeyPem),
    refused('unknown_approval'),
  );
  push('operator_forged', 'a deny without a reason', signAction(action({ approval: a3, action: 'deny' }), alice.privateKeyPem), refused('reason_required'));
  push('operator_forged', 'a kill switch without a scope', signAction(action({ action: 'kill_switch_on', reason: 'no scope' }), alice.privateKeyPem), refused('scope_required'));

  codecCases(random, alice, (cls, name, signed, expect, options) => push(cls, name, signed, expect, { ...options, phase: 'first' }), action);
  return { records, config };
}

type Push = (cls: string, name: string, signed: OperatorActionV1, expect: Expected, options?: { headers?: Record<string, Buffer>; value?: Buffer | null }) => void;

/** Records the codec refuses before any state is read. */
function codecCases(random: SeededRandom, alice: Actor, push: Push, action: (over: Partial<UnsignedOperatorAction>) => Omit<OperatorActionV1, 'signature'>): void {
  const signed = (over: Partial<UnsignedOperatorAction> = {}): OperatorActionV1 => signAction(action(over), alice.privateKeyPem);
  const name = Buffer.from(SCHEMAS.operator.name);
  const fingerprint = Buffer.from(SCHEMAS.operator.fingerprint);
  const unknown = (reason: string): Expected => rejected(reason, 'operator_actions');
  push('unknown_schema', 'a fingerprint of another schema version', signed(), unknown('unknown_schema'), {
    headers: { [SCHEMA_HEADER]: name, [FINGERPRINT_HEADER]: Buffer.from('ff'.repeat(32)) },
  });
  push('unknown_schema', 'no fingerprint header', signed(), unknown('unknown_schema'), { headers: { [SCHEMA_HEADER]: name } });
  push('unknown_schema', 'no headers at all', signed(), unknown('unknown_schema'), { headers: {} });
  push('unknown_schema', 'named exoarmur.OperatorActionV2', signed(), unknown('unknown_schema'), {
    headers: { [SCHEMA_HEADER]: Buffer.from('exoarmur.OperatorActionV2'), [FINGERPRINT_HEADER]: fingerprint },
  });
  push('unknown_schema', "the audit record's schema name and true fingerprint", signed(), unknown('unknown_schema'), {
    headers: { [SCHEMA_HEADER]: Buffer.from(SCHEMAS.audit.name), [FINGERPRINT_HEADER]: Buffer.from(SCHEMAS.audit.fingerprint) },
  });
  push('oversized_headers', 'a 256 KiB fingerprint header', signed(), unknown('unknown_schema'), {
    headers: { [SCHEMA_HEADER]: name, [FINGERPRINT_HEADER]: Buffer.alloc(256 * 1024, 0x66) },
  });
  push('oversized_headers', 'a 256 KiB schema-name header', signed(), unknown('unknown_schema'), {
    headers: { [SCHEMA_HEADER]: Buffer.alloc(256 * 1024, 0x6e), [FINGERPRINT_HEADER]: fingerprint },
  });

  const bytes = encodeOperatorAction(signed()).value!;
  push('truncated_avro', `the first ${bytes.length >> 1} of ${bytes.length} bytes`, signed(), unknown('bad_avro'), { value: bytes.subarray(0, bytes.length >> 1) });
  push('truncated_avro', 'a valid action with 3 trailing bytes', signed(), unknown('bad_avro'), {
    value: Buffer.concat([encodeOperatorAction(signed()).value!, Buffer.from([1, 2, 3])]),
  });
  push('truncated_avro', 'an empty value', signed(), unknown('bad_avro'), { value: Buffer.alloc(0) });
  push('truncated_avro', 'a tombstone (null value)', signed(), unknown('null_value'), { value: null });
  push('truncated_avro', 'JSON text under the Avro headers', signed(), unknown('bad_avro'), { value: Buffer.from(JSON.stringify(signed())) });
  push('truncated_avro', '4 KiB of seeded random bytes', signed(), unknown('bad_avro'), { value: random.bytes(4096) });
  // A string length prefix of 2^62 (zig-zag varint) where schema_version starts.
  push('huge_values', 'a string length prefix of 2^62', signed(), unknown('bad_avro'), { value: Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x31]) });
  push('huge_values', `actor_id of ${MAX_FIELD_CHARS + 1} characters`, signed({ actor_id: 'a'.repeat(MAX_FIELD_CHARS + 1) }), unknown('too_long'));
  push('huge_values', `a reason of ${4 * MAX_FIELD_CHARS + 1} characters`, signed({ action: 'deny', reason: 'r'.repeat(4 * MAX_FIELD_CHARS + 1) }), unknown('too_long'));
  push('wrong_type', 'schema_version "2"', signed({ schema_version: '2' as '1' }), unknown('bad_schema_version'));
  push('wrong_type', 'action_id that is no ULID', signed({ action_id: 'not-a-ulid' }), unknown('bad_ulid'));
  push('wrong_type', 'tenant_id with a colon', signed({ tenant_id: 'a:b' }), unknown('bad_type'));
  push('wrong_type', 'an empty correlation_id', signed({ correlation_id: '' }), unknown('bad_type'));
  push('wrong_type', 'an empty actor_id', signed({ actor_id: '' }), unknown('bad_type'));
  push('wrong_type', 'an empty signature', { ...action({}), signature: '' }, unknown('bad_type'));
  push('timestamp_edges', 'decided_at 9000-01-01T00:00:00Z', signed({ decided_at: '9000-01-01T00:00:00Z' }), unknown('bad_timestamp'));
  push('timestamp_edges', 'decided_at 1969-12-31T23:59:59.999Z', signed({ decided_at: '1969-12-31T23:59:59.999Z' }), unknown('bad_timestamp'));
  push('timestamp_edges', 'decided_at "yesterday"', signed({ decided_at: 'yesterday' }), unknown('bad_timestamp'));
}

/** Valid high-severity events, one per approval: each is held for a quorum (SG-404) on APPROVAL_PARTITION. */
function setupTelemetry(random: SeededRandom, records: HostileRecord[]): ConsumedMessage[] {
  const messages: ConsumedMessage[] = [];
  for (let i = 0; i < APPROVALS; i++) {
    const event = validEvent(random, CORPUS_T0_MS + i * 1000, { tenant_id: SETUP_TENANT, severity: 'high', correlation_id: `corr-approval-${i}-${random.hex(6)}` });
    const key = Buffer.from(`${SETUP_TENANT}:${String(event['correlation_id'])}`);
    const value = Buffer.from(JSON.stringify(event));
    messages.push({ topic: 'telemetry', partition: APPROVAL_PARTITION, offset: String(i), key, value, timestamp: String(CORPUS_RECORD_TIME_MS) });
    records.push({
      class: 'setup',
      name: `high-severity event ${i}, held for a quorum`,
      topic: 'telemetry',
      partition: APPROVAL_PARTITION,
      key,
      value,
      headers: {},
      phase: 'first',
      expect: { receipt: 'telemetry_received', reason_code: null },
    });
  }
  return messages;
}

/** The approvals the setup events open, by the real engine under the corpus config. */
function derivedApprovals(setup: ConsumedMessage[], partial: Record<string, unknown>): Approval[] {
  const config = coreConfigOf(buildEffectiveConfig(mergeConfig(partial)));
  const { steps } = driveBatch(
    new Map(),
    setup.map((message) => ({ source: 'telemetry' as const, message, processTime: 0, config })),
    nodePrimitives,
    { encode: false },
  );
  const out: Approval[] = [];
  for (const { records } of steps) {
    for (const record of records) {
      const audit = record.value as AuditRecordV1;
      if (record.role === 'audit' && audit.event_kind === 'approval_requested') {
        const p = audit.payload as AuditPayloads['approval_requested'];
        out.push({ approval_id: p.approval_id, intent_hash: p.intent_hash, expires_at: p.expires_at, correlation_id: audit.correlation_id });
      }
    }
  }
  if (out.length !== setup.length)
    throw new ExoArmurError('HOSTILE_CORPUS_DRIFT', `the setup events opened ${out.length} approvals, not ${setup.length}: the default policy changed`);
  return out;
}
