/**
 * Hash expectations computed independently of the producer, from docs/contracts.md alone: each
 * canonical form below is written out by hand (keys sorted, no whitespace, times in ms "Z" form)
 * and each SHA-256 is a literal taken from `printf '%s' '<form>' | sha256sum`, never from
 * canonicalJson, recordHash or GENESIS_HASH. The ids are checked against literals derived the same
 * way (ulid: 48-bit event time + the first 80 bits of SHA-256("kind\ntenant\nkey\nindex")).
 * One record of each hashed kind: an audit record, an intent, a config, an operator action's
 * signed form, and a rejected input's value hash.
 */
import test from 'ava';
import { createHash, sign } from 'node:crypto';
import { configWith, makeOperator, payloadOf, Run, telemetry } from '../testing/harness.js';
import { signAction } from '../operator-signing.js';
import { actionSigningString, canonicalJson, type AuditRecordV1, type OperatorActionV1 } from './index.js';

/** An independent SHA-256 (node:crypto over the UTF-8 bytes), only to compare a literal with the text it was taken from. */
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const ZEROS = '0000000000000000000000000000000000000000000000000000000000000000';

const CONFIG_FORM =
  '{"app_id":"exoarmur","broker_auth":{"mechanism":null,"password":null,"username":null},"brokers":[],"operators":{},"partitions":3,"pinned_policy_sha256":null,' +
  '"policy":{"action_overrides":{},"approval_ttl_s":900,"belief_ttl_s":3600,"claim_types":{},"default_trust":0.85,' +
  '"intent_types":{"A0_observe":"observe","A1_soft_containment":"soft_contain","A2_hard_containment":"isolate","A3_irreversible":"irreversible_action"},' +
  '"quorum_size":2,"severity_confidence":{"critical":0.95,"high":0.8,"low":0.2,"medium":0.5},"trust":{"cell-low":0.3}},"processing_guarantee":"exactly_once",' +
  '"topics":{"audit":"exoarmur.audit.v1","config":"exoarmur.config.v1","dlq":"exoarmur.dlq.v1","execute":"exoarmur.intents.execute.v1",' +
  '"operator_actions":"exoarmur.operator-actions.v1","state":"exoarmur.state.v1","telemetry":"exoarmur.telemetry.v1"}}';
const CONFIG_SHA256 = '0dd6d461da538f79783def395b74a0745c1d14aee9ee99a34e2f1256239c8889';
const POLICY_SHA256 = '2c0ebee208262517ffbebf3f39f1349219ec47e0506b090730a3c8b1a4e9866b';

const INTENT_FORM =
  '{"action_class":"A2_hard_containment","claim_type":"malware_detected","classification":"malicious","confidence":0.8,"correlation_id":"corr-hash",' +
  '"event_id":"01JQ0000000000000000000001","event_time":"2026-03-01T12:00:00.000Z","intent_id":"01KJMMA2G02ZPZVKE41JTZZQX6","intent_type":"isolate",' +
  '"subject":"host-1","subject_kind":"host","tenant_id":"acme","trace_id":"trace-hash"}';
const INTENT_SHA256 = 'e9581b017e6c60bc60b42464046ec359273dac71ed26fbc4175e765752817de0';

// The first record of partition 0: prev_hash is 64 zeros, seq 0; process_time is the harness's first stamp.
const AUDIT_FORM =
  '{"audit_id":"01KJMMA2G0GMD25M3EN7B4JC2P","config_hash":"0dd6d461da538f79783def395b74a0745c1d14aee9ee99a34e2f1256239c8889","correlation_id":"corr-hash",' +
  '"event_kind":"telemetry_received","event_time":"2026-03-01T12:00:00.000Z","idempotency_key":"acme:01JQ0000000000000000000001",' +
  '"input":{"offset":"0","partition":0,"topic":"exoarmur.telemetry.v1"},' +
  '"payload":{"cell_id":"cell-low","event_id":"01JQ0000000000000000000001","event_type":"malware_detected","observed_at":"2026-03-01T12:00:00.000Z",' +
  '"received_at":"2026-03-01T12:00:00.250Z","severity":"high","source_kind":"edr","source_name":"falcon"},' +
  '"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","process_time":"2026-11-27T00:00:00.007Z","seq":0,"tenant_id":"acme","trace_id":"trace-hash"}';
const AUDIT_SHA256 = 'ec2d9ee1ecb8b6174abd7b9ab80a174c6c0e2d8d95c2485ef00e6e2d7d409adb';

// ulid('audit', 'acme', 'acme:01JQ…01@0:0', 0, 12:00:00.000Z): SHA-256("audit\nacme\nacme:01JQ0000000000000000000001@0:0\n0") = 851a22d06ea9d649305634cd…
const AUDIT_ID = '01KJMMA2G0GMD25M3EN7B4JC2P';
// The same input's second record, index 1: SHA-256("audit\nacme\nacme:01JQ0000000000000000000001@0:0\n1") = 853b65f6fbb1d729d8d9b0b3…
const SECOND_AUDIT_ID = '01KJMMA2G0GMXPBXQVP7BJKP6S';
// ulid('intent', 'acme', 'acme:01JQ…01', 0, 12:00:00.000Z): SHA-256("intent\nacme\nacme:01JQ0000000000000000000001\n0") = 17edfdcdc40cb5ffdfa65617…
const INTENT_ID = '01KJMMA2G02ZPZVKE41JTZZQX6';

const ACTION_FORM =
  '{"action":"approve","action_id":"01JQ0000000000000000000009","actor_id":"alice","approval_id":"01KJMMA2G0AAAAAAAAAAAAAAAA","correlation_id":"corr-hash",' +
  '"decided_at":"2026-03-01T12:01:00.000Z","intent_hash":"e9581b017e6c60bc60b42464046ec359273dac71ed26fbc4175e765752817de0","reason":null,' +
  '"schema_version":"1","scope":null,"tenant_id":"acme"}';
const ACTION_SHA256 = '5c2ac9a14f2c2e5cdaf173a0042143a3873e10006b95b0bbb228dded1f7c04a6';

/** `printf '%s' 'not json' | sha256sum` */
const NOT_JSON_SHA256 = '7ccfa1fbf3940e6f0c0375d87c0f9235a50514e14cb427bdfaf5077987b26ccf';

test('each literal is the SHA-256 of the form written beside it (the literals themselves are not mistyped)', (t) => {
  t.deepEqual([CONFIG_FORM, INTENT_FORM, AUDIT_FORM, ACTION_FORM, 'not json'].map(sha256), [CONFIG_SHA256, INTENT_SHA256, AUDIT_SHA256, ACTION_SHA256, NOT_JSON_SHA256]);
  t.is(ZEROS.length, 64);
});

function hashedRun() {
  const run = new Run(configWith({ policy: { trust: { 'cell-low': 0.3 } } }));
  const out = run.telemetry(
    telemetry({
      event_id: '01JQ0000000000000000000001',
      cell_id: 'cell-low',
      observed_at: '2026-03-01T12:00:00.000Z',
      received_at: '2026-03-01T12:00:00.250Z',
      correlation_id: 'corr-hash',
      trace_id: 'trace-hash',
    }),
  );
  return { run, out };
}

test('config: the effective config canonicalises to the hand-written form and its hash is the literal', (t) => {
  const { run } = hashedRun();
  t.is(canonicalJson(run.config.config), CONFIG_FORM);
  t.is(run.config.config_hash, CONFIG_SHA256);
  t.is(run.config.policy_sha256, POLICY_SHA256);
});

test('intent: the proposed intent canonicalises to the hand-written form, intent_hash and intent_id are the literals', (t) => {
  const { out } = hashedRun();
  const proposed = payloadOf(out, 'intent_proposed');
  t.is(canonicalJson(proposed.intent), INTENT_FORM);
  t.is(proposed.intent_hash, INTENT_SHA256);
  t.is(proposed.intent.intent_id, INTENT_ID);
  t.is(payloadOf(out, 'approval_requested').intent_hash, INTENT_SHA256);
});

test('audit record: the first record of a partition is the hand-written form, its record_hash the literal, its prev_hash 64 zeros', (t) => {
  const { out } = hashedRun();
  const first = out.find((r) => r.role === 'audit')!.value as AuditRecordV1;
  const { record_hash: recordHash, ...rest } = first;
  t.is(canonicalJson(rest), AUDIT_FORM);
  t.is(recordHash, AUDIT_SHA256);
  t.is(first.prev_hash, ZEROS);
  t.is(first.audit_id, AUDIT_ID);
  // The next record chains on the literal.
  const second = out.filter((r) => r.role === 'audit')[1]!.value as AuditRecordV1;
  t.like(second, { seq: 1, prev_hash: AUDIT_SHA256, audit_id: SECOND_AUDIT_ID });
  // Every audit record of the input goes out under the Kafka key tenant:correlation.
  t.deepEqual([...new Set(out.filter((r) => r.role === 'audit').map((r) => r.key))], ['acme:corr-hash']);
});

test('operator action: the signed form is the hand-written text, and an Ed25519 signature over exactly its bytes is accepted', (t) => {
  const alice = makeOperator('alice');
  const unsigned: Omit<OperatorActionV1, 'signature'> = {
    schema_version: '1',
    action_id: '01JQ0000000000000000000009',
    action: 'approve',
    tenant_id: 'acme',
    correlation_id: 'corr-hash',
    approval_id: '01KJMMA2G0AAAAAAAAAAAAAAAA',
    intent_hash: INTENT_SHA256,
    scope: null,
    actor_id: 'alice',
    decided_at: '2026-03-01T12:01:00.000Z',
    reason: null,
    intent_id: null,
    keep_until: null,
  };
  // intent_id and keep_until are null here, so they are not signed: the form is the one signed before they existed.
  t.is(actionSigningString({ ...unsigned, signature: 'ignored' }), ACTION_FORM);
  t.is(sha256(actionSigningString(signAction(unsigned, alice.privateKey))), ACTION_SHA256);
  // Signed over the hand-written bytes (not over anything the producer built), the core accepts the
  // signature and goes on to the next rule: the approval does not exist on this partition.
  const signature = sign(null, Buffer.from(ACTION_FORM, 'utf8'), alice.privateKey).toString('base64');
  const run = new Run(configWith({}, [alice]));
  t.like(payloadOf(run.actionRecords({ ...unsigned, signature }), 'operator_action_rejected'), { reason_code: 'unknown_approval' });
  const forged = sign(null, Buffer.from(ACTION_FORM.replace('"reason":null', '"reason":"x"'), 'utf8'), alice.privateKey).toString('base64');
  t.like(payloadOf(run.actionRecords({ ...unsigned, action_id: '01JQ000000000000000000000A', signature: forged }), 'operator_action_rejected'), { reason_code: 'bad_signature' });
});

test('rejected input: the receipt carries the SHA-256 of the raw bytes as the literal', (t) => {
  const run = new Run(configWith());
  const out = run.telemetry(Buffer.from('not json', 'utf8'), 'acme:corr-x');
  t.like(payloadOf(out, 'telemetry_rejected'), { value_sha256: NOT_JSON_SHA256, value_size: 8 });
  t.is((out.find((r) => r.role === 'audit')!.value as AuditRecordV1).idempotency_key, `acme:raw-sha256:${NOT_JSON_SHA256}`);
});
