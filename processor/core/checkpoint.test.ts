/**
 * Signed checkpoints, against expectations built apart from the producer: the Merkle hashes by
 * node:crypto from RFC 6962's definition (leaf = SHA-256(0x00 || bytes), node = SHA-256(0x01 || l || r)),
 * the signed bytes as a hand-written canonical form, the signature by node:crypto over that text.
 * checkpointProblem: each refusal in its words, each with its twin that holds.
 */
import test from 'ava';
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { nodePrimitives as p } from '../primitives.js';
import { appendRecord, checkpointProblem, checkpointSigningBytes, frontierOf, signCheckpoint, type CheckpointV1 } from './checkpoint.js';
import { EMPTY_FRONTIER, type MerkleFrontier } from './merkle.js';

// A fixed Ed25519 key (PKCS#8 DER prefix + a 32-byte seed), so every signature below is one value.
const key = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 7)]), format: 'der', type: 'pkcs8' });
const publicKey = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
const otherKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, 8)]), format: 'der', type: 'pkcs8' });
const otherPublicKey = createPublicKey(otherKey).export({ type: 'spki', format: 'der' }).toString('base64');
const signer = { sign: (message: Uint8Array) => sign(null, message, key).toString('base64') };

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest('hex');
const leaf = (recordHash: string) => sha(Buffer.from([0]), Buffer.from(recordHash, 'hex'));
const node = (l: string, r: string) => sha(Buffer.from([1]), Buffer.from(l, 'hex'), Buffer.from(r, 'hex'));

const RECORDS = ['aa', 'bb', 'cc'].map((b) => b.repeat(32));
const [L0, L1, L2] = RECORDS.map(leaf) as [string, string, string];
const ROOT = node(node(L0, L1), L2);
const CONFIG_HASH = 'c'.repeat(64);
const INPUTS = [{ topic: 'exoarmur.telemetry.v1', first_offset: '0', last_offset: '4' }];
const FORM =
  `{"config_hash":"${CONFIG_HASH}","frontier":["${node(L0, L1)}","${L2}"],"head_record_hash":"${RECORDS[2]}","head_seq":2,` +
  `"inputs":[{"first_offset":"0","last_offset":"4","topic":"exoarmur.telemetry.v1"}],"merkle_root":"${ROOT}","partition":1,"record_count":3,"schema_version":"1"}`;

function threeRecords(): MerkleFrontier {
  return RECORDS.reduce((f, h) => appendRecord(p, f, h), EMPTY_FRONTIER);
}

function signed(): CheckpointV1 {
  return signCheckpoint(p, signer, { partition: 1, frontier: threeRecords(), head: { seq: 2, record_hash: RECORDS[2]! }, config_hash: CONFIG_HASH, inputs: INPUTS });
}

/** The checkpoint with `over` applied and signed again over its hand-built form, so only `over` can be wrong. */
function resigned(over: Partial<CheckpointV1>): CheckpointV1 {
  const { signature: _old, ...unsigned } = { ...signed(), ...over };
  return { ...unsigned, signature: sign(null, checkpointSigningBytes(unsigned), key).toString('base64') };
}

test('appending record hashes: one RFC 6962 leaf each, the frontier one subtree root per set bit of the size', (t) => {
  t.deepEqual(appendRecord(p, EMPTY_FRONTIER, RECORDS[0]!), { size: 1, nodes: [L0] });
  t.deepEqual(threeRecords(), { size: 3, nodes: [node(L0, L1), L2] });
});

test('a checkpoint, whole: its fields, and an Ed25519 signature over exactly the hand-written canonical form', (t) => {
  t.deepEqual(signed(), {
    schema_version: '1',
    partition: 1,
    record_count: 3,
    head_seq: 2,
    head_record_hash: RECORDS[2],
    merkle_root: ROOT,
    frontier: [node(L0, L1), L2],
    config_hash: CONFIG_HASH,
    inputs: INPUTS,
    signature: sign(null, Buffer.from(FORM, 'utf8'), key).toString('base64'),
  });
  t.is(new TextDecoder().decode(checkpointSigningBytes(signed())), FORM, 'the signature is not part of what it signs');
});

test('frontierOf: nothing before the first checkpoint; after one, its size and a copy of its frontier', (t) => {
  t.deepEqual(frontierOf(null), { size: 0, nodes: [] });
  const checkpoint = signed();
  const frontier = frontierOf(checkpoint);
  t.deepEqual(frontier, { size: 3, nodes: [node(L0, L1), L2] });
  frontier.nodes.push('appended');
  t.deepEqual(checkpoint.frontier, [node(L0, L1), L2], 'extending the tree leaves the checkpoint as signed');
});

test('checkpointProblem: each refusal in its words, each beside its twin that holds', (t) => {
  const rows: Array<{ name: string; checkpoint: CheckpointV1; trusted: string; problem: string | null }> = [
    { name: 'as signed, with the signer key', checkpoint: signed(), trusted: publicKey, problem: null },
    { name: 'another trusted key', checkpoint: signed(), trusted: otherPublicKey, problem: 'Ed25519 signature does not verify with the trusted key' },
    {
      name: 'a field changed after signing',
      checkpoint: { ...signed(), config_hash: 'd'.repeat(64) },
      trusted: publicKey,
      problem: 'Ed25519 signature does not verify with the trusted key',
    },
    { name: 'head_seq one past record_count - 1', checkpoint: resigned({ head_seq: 3 }), trusted: publicKey, problem: 'head_seq 3 is not record_count 3 - 1' },
    { name: 'head_seq one before record_count - 1', checkpoint: resigned({ head_seq: 1 }), trusted: publicKey, problem: 'head_seq 1 is not record_count 3 - 1' },
    {
      name: 'a merkle_root its frontier does not fold to',
      checkpoint: resigned({ merkle_root: node(L1, L0) }),
      trusted: publicKey,
      problem: 'its frontier does not fold to its merkle_root',
    },
    {
      name: 'a frontier that does not fold to its merkle_root',
      checkpoint: resigned({ frontier: [node(L0, L1), L0] }),
      trusted: publicKey,
      problem: 'its frontier does not fold to its merkle_root',
    },
  ];
  for (const row of rows) t.is(checkpointProblem(p, row.checkpoint, row.trusted), row.problem, row.name);
});
