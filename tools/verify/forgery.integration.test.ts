/**
 * Forgeries of a real bundle (the small scenario played by the reality harness on the test broker),
 * each made the way someone holding the bundle but not the processor's key would, each caught by
 * `verify --trust` and named: an edited PASS_FAIL.txt with a recomputed manifest, a dropped tail
 * re-sealed, swapped records re-sealed, a forged checkpoint, checkpoints from another key. A proof
 * for a record that is not in the log fails; honest proofs hold with the public key alone.
 */
import test from 'ava';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordHash } from '../../processor/core/chain.js';
import { signCheckpoint, type CheckpointV1 } from '../../processor/core/checkpoint.js';
import { appendLeaf, EMPTY_FRONTIER, leafHash } from '../../processor/core/merkle.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { signerFromPem } from '../../processor/checkpoint-key.js';
import { nodePrimitives as p } from '../../processor/primitives.js';
import { repoRoot } from '../broker/paths.js';
import { BUNDLE_FILES, jsonlText, writeManifest } from '../bundle/files.js';
import { CliChild } from '../lib/children.js';
import { manifestSignatureText } from '../bundle/origin.js';
import { proofProblem, proveConsistency, proveInclusion } from '../proof/proof.js';
import { runReality, type RealityResult } from '../reality/run.js';
import { testBrokers } from '../testing/broker.js';
import { CHECK_NAMES, verifyBundle } from './verify.js';
import { runInNewContext } from 'node:vm';
import { packageRoot } from '../viewer/embed.js';

const out = mkdtempSync(join(tmpdir(), 'exoarmur-forgery-'));
test.after.always(() => rmSync(out, { recursive: true, force: true }));

let running: Promise<RealityResult> | undefined;
function run(): Promise<RealityResult> {
  running ??= runReality({ scenarioDir: join(repoRoot(), 'fixtures', 'scenarios', 'small'), outDir: out, brokers: testBrokers().join(','), log: () => undefined, compose: false });
  return running;
}

const attackerPem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function trustOf(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, BUNDLE_FILES.configSnapshot), 'utf8')) as Array<{ config: { checkpoints: { public_key: string } } }>)[0]!.config.checkpoints.public_key;
}
const readAudit = (dir: string) =>
  readFileSync(join(dir, BUNDLE_FILES.auditExport), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecordV1);
const readCheckpoints = (dir: string) =>
  readFileSync(join(dir, BUNDLE_FILES.checkpoints), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CheckpointV1);

/** A copy of the bundle, edited, then re-sealed as a forger can: manifest recomputed and signed with the forger's own key. */
async function forged(name: string, edit: (dir: string) => void): Promise<string> {
  const result = await run();
  const dir = join(out, name);
  cpSync(result.bundleDir, dir, { recursive: true });
  edit(dir);
  await writeManifest(dir, result.runId);
  writeFileSync(join(dir, BUNDLE_FILES.manifestSignature), manifestSignatureText(readFileSync(join(dir, BUNDLE_FILES.manifest)), attackerPem));
  return dir;
}

/** Re-chains a partition's records (seq, prev_hash, record_hash) as a forger would after dropping or moving some. */
function reseal(audit: AuditRecordV1[], partition: number): AuditRecordV1[] {
  let prev = '0'.repeat(64);
  let seq = 0;
  return audit.map((r) => {
    if (r.input.partition !== partition) return r;
    const { record_hash: _old, ...rest } = { ...r, seq: seq++, prev_hash: prev };
    const sealed = { ...rest, record_hash: recordHash(p, rest) } as AuditRecordV1;
    prev = sealed.record_hash;
    return sealed;
  });
}

const writeAudit = (dir: string, audit: AuditRecordV1[]) => writeFileSync(join(dir, BUNDLE_FILES.auditExport), jsonlText(audit));

test('the honest bundle verifies against the processor key; with no key it is NOT VERIFIED; stripped of signatures it is an older format', async (t) => {
  const { bundleDir, runId } = await run();
  const honest = await verifyBundle(bundleDir, trustOf(bundleDir));
  t.true(honest.ok, honest.origin.detail);
  t.is(honest.origin.status, 'verified');
  const noKey = await verifyBundle(bundleDir, null);
  t.false(noKey.ok);
  t.is(noKey.origin.status, 'unverified');
  const report = JSON.parse(readFileSync(join(bundleDir, BUNDLE_FILES.replayReport), 'utf8')) as { checkpoints_compared: number; checkpoints_equal: boolean };
  t.true(report.checkpoints_compared > 0 && report.checkpoints_equal, 'replay re-derived every recorded checkpoint');
  const old = join(out, 'older-format');
  cpSync(bundleDir, old, { recursive: true });
  unlinkSync(join(old, BUNDLE_FILES.manifestSignature));
  unlinkSync(join(old, BUNDLE_FILES.checkpoints));
  await writeManifest(old, runId);
  const unsigned = await verifyBundle(old, trustOf(old));
  t.false(unsigned.ok);
  t.is(unsigned.origin.status, 'unsigned');
  t.regex(unsigned.origin.detail, /^unsigned \(older format\)/);
});

test("verify --trust <bundle>/config_snapshot.json takes the snapshot with the bundle's config hash; with no such snapshot, one line says so", async (t) => {
  const { bundleDir } = await run();
  const snapshots = join(bundleDir, BUNDLE_FILES.configSnapshot);
  const verifiedLine = `VERIFIED ${bundleDir}: all ${Object.keys(CHECK_NAMES).length} checks hold; origin verified against the trusted key`;
  const verified = await new CliChild(['verify', bundleDir, '--trust', snapshots]).exited;
  t.like(verified, { code: 0, stderr: '' });
  t.is(verified.stdout.split('\n').at(-2), verifiedLine);
  // Picked by hash, not by place: a snapshot pinning the attacker's key comes first in this list.
  const [own] = JSON.parse(readFileSync(snapshots, 'utf8')) as Array<{ config_hash: string; config: Record<string, unknown> }>;
  const attackerKey = signerFromPem(attackerPem, 'attacker').publicKey;
  const listed = join(out, 'two-snapshots.json');
  writeFileSync(listed, JSON.stringify([{ ...own!, config_hash: 'f'.repeat(64), config: { ...own!.config, checkpoints: { public_key: attackerKey } } }, own]));
  const picked = await new CliChild(['verify', bundleDir, '--trust', listed]).exited;
  t.like(picked, { code: 0, stderr: '' });
  t.is(picked.stdout.split('\n').at(-2), verifiedLine);
  const other = join(out, 'other-config-hash');
  cpSync(bundleDir, other, { recursive: true });
  writeFileSync(join(other, BUNDLE_FILES.configHash), `${'0'.repeat(64)}\n`);
  const unmatched = await new CliChild(['verify', other, '--trust', snapshots]).exited;
  t.like(unmatched, { code: 2, stdout: '' });
  const count = (JSON.parse(readFileSync(snapshots, 'utf8')) as unknown[]).length;
  t.is(
    unmatched.stderr,
    `exoarmur: --trust ${snapshots}: none of its ${count} config snapshots has the bundle's config hash ${'0'.repeat(64)} (config_hash.txt) [TRUST_SNAPSHOT_UNMATCHED]\n`,
  );
});

test('PASS_FAIL.txt edited and the manifest recomputed and re-signed: the gate and the foreign signature are named', async (t) => {
  const dir = await forged('pass-fail', (d) => {
    const file = join(d, BUNDLE_FILES.passFail);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^GATE 4 DEPLOYMENT: UNPROVEN - .*$/m, 'GATE 4 DEPLOYMENT: PASS - deployed'));
  });
  const result = await verifyBundle(dir, trustOf(dir));
  t.false(result.ok);
  t.deepEqual(
    result.checks.filter((c) => !c.ok).map((c) => c.name),
    [CHECK_NAMES.gates],
  );
  t.is(result.origin.status, 'forged');
  t.regex(result.origin.detail, /manifest\.json is signed by another key/);
});

/** The viewer's own gate 4 (evidence-viewer/run-gates.js) over the files of `dir`, as the page loads them. */
async function viewerGate4(dir: string): Promise<{ status: string; evidence: string }> {
  const context: Record<string, unknown> = { crypto: globalThis.crypto, TextEncoder, atob };
  context['globalThis'] = context;
  for (const name of ['contracts.js', 'counts.js', 'run-gates.js']) runInNewContext(readFileSync(join(packageRoot(), 'evidence-viewer', name), 'utf8'), context);
  const viewer = context['exoViewer'] as { deploymentGate: (model: unknown, facts: unknown) => Promise<{ status: string; evidence: string }> };
  const files = new Map(readdirSync(dir).map((name) => [name, { text: readFileSync(join(dir, name), 'utf8'), bytes: new Uint8Array(readFileSync(join(dir, name))) }]));
  return viewer.deploymentGate({ bundle: { files }, records: readAudit(dir) }, JSON.parse(readFileSync(join(dir, BUNDLE_FILES.runFacts), 'utf8')));
}

const claimGate4 = (d: string) => {
  const file = join(d, BUNDLE_FILES.passFail);
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^GATE 4 DEPLOYMENT: UNPROVEN - .*$/m, 'GATE 4 DEPLOYMENT: PASS - deployed'));
  const facts = join(d, BUNDLE_FILES.runFacts);
  writeFileSync(facts, JSON.stringify({ ...(JSON.parse(readFileSync(facts, 'utf8')) as object), deployment: { engine: 'ran' } }));
};

test('gate 4 claimed PASS, run_facts.json saying compose ran, no compose evidence: verify and the viewer both judge gate 4 FAIL', async (t) => {
  const dir = await forged('gate4-no-evidence', claimGate4);
  const result = await verifyBundle(dir, trustOf(dir));
  t.false(result.ok);
  const gates = result.checks.find((c) => c.name === CHECK_NAMES.gates)!;
  t.false(gates.ok);
  t.regex(
    gates.detail,
    /gate 4 DEPLOYMENT: PASS_FAIL\.txt says PASS, the evidence gives FAIL \(failed: compose evidence does not hold: compose_evidence\.json is missing from the bundle/,
  );
  const viewer = await viewerGate4(dir);
  t.is(viewer.status, 'FAIL');
  t.regex(viewer.evidence, /compose_evidence\.json is not in the bundle/);
});

test('gate 4 claimed PASS with invented compose files whose embedded decisions the audit export contradicts: verify and the viewer both judge gate 4 FAIL', async (t) => {
  const dir = await forged('gate4-invented', (d) => {
    claimGate4(d);
    const compose = readFileSync(join(repoRoot(), 'docker-compose.airgap.yml'));
    writeFileSync(join(d, 'docker-compose.airgap.yml'), compose);
    // Every scenario event the run received, each at its own delivery, each with an invented verdict and rule.
    const invented = readAudit(d)
      .filter((r) => r.event_kind === 'telemetry_received' && r.tenant_id !== 'burst')
      .map((r) => ({
        event_id: (r.payload as { event_id: string }).event_id,
        input: `${r.input.topic}/${r.input.partition}/${r.input.offset}`,
        intent_hash: null,
        verdict: 'allow',
        rule: 'SG-000',
        approval: 'none',
        final: 'RELEASED',
      }));
    writeFileSync(join(d, 'compose_kafka.log'), 'started\n');
    writeFileSync(join(d, 'compose_decisions.json'), JSON.stringify({ embedded: invented, compose: invented }));
    const summary = {
      flavour: 'airgap-kafka',
      compose_file: 'docker-compose.airgap.yml',
      compose_file_sha256: createHash('sha256').update(compose).digest('hex'),
      logs: ['compose_kafka.log'],
      services: [{ service: 'kafka', status: 'running' }],
      faults: { processor_kills: 1, broker_kills: 1, notes: [] },
      faults_required: true,
      down: { ok: true, output: '' },
      failure: null,
    };
    writeFileSync(join(d, 'compose_evidence.json'), JSON.stringify(summary));
  });
  const result = await verifyBundle(dir, trustOf(dir));
  const gates = result.checks.find((c) => c.name === CHECK_NAMES.gates)!;
  t.false(gates.ok);
  t.regex(gates.detail, /gate 4 DEPLOYMENT: PASS_FAIL\.txt says PASS, the evidence gives FAIL \(failed: compose evidence does not hold: .*differ from audit_export\.jsonl at /);
  const viewer = await viewerGate4(dir);
  t.is(viewer.status, 'FAIL');
  t.regex(viewer.evidence, /its decision is not what audit_export\.jsonl says at /);
});

test('a dropped tail, re-sealed: the last signed checkpoint names the partition and the counts', async (t) => {
  const dir = await forged('dropped-tail', (d) => {
    const audit = readAudit(d);
    const last = audit.map((r) => r.input.partition).lastIndexOf(1);
    writeAudit(d, reseal([...audit.slice(0, last - 1), ...audit.slice(last + 1)], 1));
  });
  const result = await verifyBundle(dir, trustOf(dir));
  t.is(result.origin.status, 'forged');
  t.regex(result.origin.detail, /partition 1: dropped tail — the last signed checkpoint covers (\d+) records, the export holds \d+/);
});

test('two records swapped and the chain re-sealed: the chain holds, the signed Merkle root does not', async (t) => {
  const dir = await forged('swapped', (d) => {
    const audit = readAudit(d);
    const i = audit.findIndex((r) => r.input.partition === 2) + 10;
    [audit[i], audit[i + 1]] = [audit[i + 1]!, audit[i]!];
    writeAudit(d, reseal(audit, 2));
  });
  const result = await verifyBundle(dir, trustOf(dir));
  t.true(result.checks.find((c) => c.name === CHECK_NAMES.chains)!.ok, 'the re-sealed chain itself verifies');
  t.is(result.origin.status, 'forged');
  t.regex(result.origin.detail, /partition 2: the first \d+ exported records do not hash to the signed Merkle root .* \(edited, reordered or re-sealed\)/);
});

test('a forged checkpoint (numbers fitted to a truncated log, signature kept) and checkpoints signed by another key are named', async (t) => {
  const truncate = (d: string, signer: ((c: Omit<CheckpointV1, 'signature'>, old: CheckpointV1) => string) | null) => {
    const audit = readAudit(d).filter((r) => !(r.input.partition === 0 && r.seq >= 50));
    writeAudit(d, audit);
    let frontier = EMPTY_FRONTIER;
    for (const r of audit.filter((x) => x.input.partition === 0)) frontier = appendLeaf(p, frontier, leafHash(p, r.record_hash));
    const head = audit.filter((x) => x.input.partition === 0).at(-1)!;
    const fitted = signCheckpoint(
      p,
      { sign: () => '' },
      { partition: 0, frontier, head: { seq: head.seq, record_hash: head.record_hash }, config_hash: head.config_hash, inputs: [] },
    );
    const checkpoints = readCheckpoints(d).filter((c) => c.partition !== 0 || c.record_count <= 50);
    const old = readCheckpoints(d)
      .filter((c) => c.partition === 0)
      .at(-1)!;
    const { signature: _none, ...unsigned } = fitted;
    checkpoints.push({ ...fitted, signature: signer === null ? old.signature : signer(unsigned, old) });
    writeFileSync(join(d, BUNDLE_FILES.checkpoints), jsonlText(checkpoints));
  };
  const kept = await forged('forged-checkpoint', (d) => truncate(d, null));
  const keptResult = await verifyBundle(kept, trustOf(kept));
  t.is(keptResult.origin.status, 'forged');
  t.regex(keptResult.origin.detail, /checkpoint \d+ \(partition 0, 50 records\): Ed25519 signature does not verify with the trusted key/);

  const attacker = signerFromPem(attackerPem, 'the attacker key');
  const foreign = await forged('foreign-key', (d) =>
    truncate(
      d,
      (unsigned) =>
        signCheckpoint(p, attacker, {
          ...unsigned,
          frontier: { size: unsigned.record_count, nodes: unsigned.frontier },
          head: { seq: unsigned.head_seq, record_hash: unsigned.head_record_hash },
        }).signature,
    ),
  );
  const foreignResult = await verifyBundle(foreign, trustOf(foreign));
  t.is(foreignResult.origin.status, 'forged');
  t.regex(foreignResult.origin.detail, /checkpoint \d+ \(partition 0, 50 records\): Ed25519 signature does not verify with the trusted key/);
  // Trusting the forger's key instead does not help: the config hash pins the processor's.
  const asForger = await verifyBundle(foreign, attacker.publicKey);
  t.is(asForger.origin.status, 'forged');
  t.regex(asForger.origin.detail, /a config snapshot pins another checkpoint public key/);
});

test('inclusion and consistency proofs hold with the public key alone; a proof for a record not in the log fails', async (t) => {
  const { bundleDir } = await run();
  const audit = readAudit(bundleDir);
  const checkpoints = readCheckpoints(bundleDir);
  const key = trustOf(bundleDir);
  const record = audit.filter((r) => r.input.partition === 1)[7]!;
  const proof = proveInclusion(audit, checkpoints, record.audit_id);
  t.is(proofProblem(JSON.parse(JSON.stringify(proof)), key), null);
  // A record that was never written, sealed so its own hash is right, with the honest record's path.
  const { record_hash: _h, ...rest } = { ...record, tenant_id: 'someone-else' };
  const invented = { ...rest, record_hash: recordHash(p, rest) } as AuditRecordV1;
  t.regex(proofProblem({ ...proof, record: invented }, key)!, /the record is not in the log/);
  t.regex(proofProblem({ ...proof, record: { ...record, tenant_id: 'someone-else' } }, key)!, /does not hash to its record_hash/);
  t.regex(proofProblem(proof, signerFromPem(attackerPem, 'x').publicKey)!, /^checkpoint: Ed25519 signature does not verify/);
  const first = checkpoints.filter((c) => c.partition === 1).sort((a, b) => a.record_count - b.record_count)[0]!;
  const consistency = proveConsistency(audit, checkpoints, 1, first.record_count);
  t.is(proofProblem(consistency, key), null);
  t.regex(proofProblem({ ...consistency, proof: consistency.proof.slice(1) }, key)!, /did not only grow/);
});

test('the viewer checks the same inclusion proof with its own code: the honest one holds, an invented record does not', async (t) => {
  const { bundleDir } = await run();
  const audit = readAudit(bundleDir);
  const record = audit.filter((r) => r.input.partition === 0)[3]!;
  const proof = proveInclusion(audit, readCheckpoints(bundleDir), record.audit_id);
  const context: Record<string, unknown> = { crypto: globalThis.crypto, TextEncoder, atob };
  context['globalThis'] = context;
  for (const name of ['contracts.js', 'proof.js']) runInNewContext(readFileSync(join(packageRoot(), 'evidence-viewer', name), 'utf8'), context);
  const viewer = context['exoViewer'] as { inclusionProofProblem: (proof: unknown, key: string) => Promise<string | null> };
  const key = trustOf(bundleDir);
  t.is(await viewer.inclusionProofProblem(JSON.parse(JSON.stringify(proof)), key), null);
  const { record_hash: _h, ...rest } = { ...record, tenant_id: 'someone-else' };
  const invented = { ...rest, record_hash: recordHash(p, rest) };
  t.is(await viewer.inclusionProofProblem({ ...proof, record: invented }, key), 'the audit path does not lead to the signed Merkle root: the record is not in the log');
  t.is(await viewer.inclusionProofProblem(proof, signerFromPem(attackerPem, 'x').publicKey), 'the checkpoint signature does not verify with the trusted key');
});
