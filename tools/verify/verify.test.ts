/**
 * Pure tests of verify's integrity checks over a bundle produced by the real core (sampleCoreRun):
 * it holds as written, and each tampering fails the check that should catch it — named in the
 * result. A core run has no harness, so no run_facts.json or PASS_FAIL.txt: the derived reports
 * and the gate verdicts fail on it, naming what is missing, and are tested on real reality bundles
 * (tools/verify/forgery.integration.test.ts).
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreRun, writeCoreRunBundle } from '../testing/core-run.js';
import { at, configWith, telemetry } from '../../processor/testing/harness.js';
import { BUNDLE_FILES, writeManifest } from '../bundle/files.js';
import { sampleCoreRun } from '../testing/sample-run.js';
import { auditLines, writeAuditLines } from '../testing/bundle-files.js';
import { CHECK_NAMES, formatVerifyResult, verifyBundle, type VerifyResult } from './verify.js';

const RUN_ID = '01JQTESTRUN0000000000000000';

async function freshBundle(t: { teardown(fn: () => void): void }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-verify-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return writeCoreRunBundle(dir, sampleCoreRun(), RUN_ID);
}

/** Checks that need the harness's files; a core-run bundle fails them by construction. */
const HARNESS_CHECKS: readonly string[] = [CHECK_NAMES.derived, CHECK_NAMES.gates];

/** The failed integrity checks (the harness checks left out, see the header). */
function failed(result: VerifyResult): string[] {
  return result.checks.filter((c) => !c.ok && !HARNESS_CHECKS.includes(c.name)).map((c) => c.name);
}

function detail(result: VerifyResult, name: string): string {
  return result.checks.find((c) => c.name === name)!.detail;
}

test('an honest core-run bundle: every integrity check holds, replay in it passed, the harness checks name the missing files', async (t) => {
  const dir = await freshBundle(t);
  const result = await verifyBundle(dir, null);
  t.deepEqual(failed(result), []);
  t.deepEqual(
    result.checks.map((c) => c.name),
    Object.values(CHECK_NAMES),
  );
  t.false(result.ok, 'without run_facts.json and PASS_FAIL.txt the bundle cannot verify');
  t.is(
    detail(result, CHECK_NAMES.derived),
    'run_facts.json is missing from the bundle; storage_state.json is missing from the bundle; idempotency_report.json is missing from the bundle; execute_export.jsonl is missing from the bundle; execution_results.jsonl is missing from the bundle; and 2 more',
  );
  t.is(detail(result, CHECK_NAMES.gates), 'PASS_FAIL.txt is missing from the bundle');
  t.regex(detail(result, CHECK_NAMES.signatures), /^1 actions applied \(1 distinct/);
  t.regex(detail(result, CHECK_NAMES.replay), /replay passed$/);
  const report = JSON.parse(readFileSync(join(dir, BUNDLE_FILES.replayReport), 'utf8'));
  t.like(report, { compared: auditLines(dir).length, matched: auditLines(dir).length, mismatched: 0, pass: true });
  t.is(result.origin.status, 'unsigned');
  t.regex(
    formatVerifyResult(dir, result),
    /^✔ manifest: .*\n✘ origin UNSIGNED: unsigned \(older format\).*\nNOT VERIFIED .*: 2 of 10 checks failed \(derived reports, gate verdicts\); origin unsigned\n$/s,
  );
});

test('one byte changed in audit_export.jsonl: manifest and the chain fail, naming the edited record', async (t) => {
  const dir = await freshBundle(t);
  const lines = auditLines(dir);
  const line = lines[3]!;
  // Change one digit of the seq-3 record's event_time (still valid JSON, same length).
  const at = line.indexOf('"event_time":"2026-') + '"event_time":"2026-'.length + 1;
  lines[3] = `${line.slice(0, at)}${line[at] === '4' ? '5' : '4'}${line.slice(at + 1)}`;
  t.is(lines[3]!.length, line.length);
  writeAuditLines(dir, lines);
  const result = await verifyBundle(dir, null);
  t.false(result.ok);
  t.deepEqual(failed(result), [CHECK_NAMES.manifest, CHECK_NAMES.chains]);
  t.regex(detail(result, CHECK_NAMES.manifest), /audit_export\.jsonl SHA-256 .* ≠ manifest/);
  t.regex(detail(result, CHECK_NAMES.chains), /partition 0 at seq 3 .*: edited/);
});

test('one byte changed and the manifest re-written: the chain still catches it', async (t) => {
  const dir = await freshBundle(t);
  const lines = auditLines(dir);
  lines[2] = lines[2]!.replace('"tenant_id":"acme"', '"tenant_id":"acmf"');
  writeAuditLines(dir, lines);
  await writeManifest(dir, RUN_ID);
  const result = await verifyBundle(dir, null);
  t.deepEqual(failed(result), [CHECK_NAMES.chains]);
  t.regex(detail(result, CHECK_NAMES.chains), /partition 0 at seq 2 .*: edited/);
});

test('a line dropped: manifest, chain (seq gap), receipts and replay consistency fail', async (t) => {
  const dir = await freshBundle(t);
  const lines = auditLines(dir);
  lines.splice(4, 1);
  writeAuditLines(dir, lines);
  await writeManifest(dir, RUN_ID); // even a re-hashed manifest does not hide a drop
  const result = await verifyBundle(dir, null);
  t.deepEqual(failed(result), [CHECK_NAMES.chains, CHECK_NAMES.receipts, CHECK_NAMES.replay]);
  t.regex(detail(result, CHECK_NAMES.chains), /partition 0 at seq 5 .*: seq_gap — expected seq 4, found 5/);
  t.regex(detail(result, CHECK_NAMES.replay), new RegExp(`report compared ${lines.length + 1} records, the export holds ${lines.length}`));
});

test('the last line of a partition dropped: the replay report still catches what the chain cannot', async (t) => {
  const dir = await freshBundle(t);
  const lines = auditLines(dir);
  const partitions = lines.map((l) => (JSON.parse(l) as { input: { partition: number } }).input.partition);
  lines.splice(partitions.lastIndexOf(0), 1);
  writeAuditLines(dir, lines);
  await writeManifest(dir, RUN_ID);
  const result = await verifyBundle(dir, null);
  t.deepEqual(failed(result), [CHECK_NAMES.replay]);
});

test('two lines swapped: the chain fails naming the order break', async (t) => {
  const dir = await freshBundle(t);
  const lines = auditLines(dir);
  [lines[5], lines[6]] = [lines[6]!, lines[5]!];
  writeAuditLines(dir, lines);
  const result = await verifyBundle(dir, null);
  t.true(failed(result).includes(CHECK_NAMES.chains));
  t.true(failed(result).includes(CHECK_NAMES.manifest));
  t.regex(detail(result, CHECK_NAMES.chains), /partition 0 at seq 6 .*: seq_gap — expected seq 5, found 6/);
});

test('config_snapshot.json edited: manifest and the config hash fail', async (t) => {
  const dir = await freshBundle(t);
  const path = join(dir, BUNDLE_FILES.configSnapshot);
  const snapshots = JSON.parse(readFileSync(path, 'utf8'));
  snapshots[0].config.policy.default_trust = 0.4;
  writeFileSync(path, `${JSON.stringify(snapshots, null, 2)}\n`);
  const result = await verifyBundle(dir, null);
  t.deepEqual(failed(result), [CHECK_NAMES.manifest, CHECK_NAMES.configHash]);
  t.regex(detail(result, CHECK_NAMES.configHash), /snapshot 0: sha256\(canonicalJson\(config\)\) .* ≠ its config_hash/);
});

test('a file missing from the manifest, and a listed file missing on disk, both fail the manifest check', async (t) => {
  const dir = await freshBundle(t);
  writeFileSync(join(dir, 'extra.txt'), 'slipped in after the manifest\n');
  const unlisted = await verifyBundle(dir, null);
  t.deepEqual(failed(unlisted), [CHECK_NAMES.manifest]);
  t.is(detail(unlisted, CHECK_NAMES.manifest), 'extra.txt is in the bundle but not listed in manifest.json');

  unlinkSync(join(dir, 'extra.txt'));
  unlinkSync(join(dir, BUNDLE_FILES.operatorActions));
  const missing = await verifyBundle(dir, null);
  t.deepEqual(failed(missing), [CHECK_NAMES.manifest, CHECK_NAMES.signatures]);
  t.is(detail(missing, CHECK_NAMES.manifest), 'operator_actions.jsonl is listed but missing on disk');
});

test('a forged operator signature fails the signature check even with a re-written manifest', async (t) => {
  const dir = await freshBundle(t);
  const path = join(dir, BUNDLE_FILES.operatorActions);
  const action = JSON.parse(readFileSync(path, 'utf8').trim());
  const sig = Buffer.from(action.signature, 'base64');
  sig[0] = sig[0]! ^ 1;
  writeFileSync(path, `${JSON.stringify({ ...action, signature: sig.toString('base64') })}\n`);
  await writeManifest(dir, RUN_ID);
  const result = await verifyBundle(dir, null);
  t.deepEqual(failed(result), [CHECK_NAMES.signatures]);
  t.regex(detail(result, CHECK_NAMES.signatures), /by alice: Ed25519 signature does not verify/);
});

test('a replay report claiming pass with mismatches is inconsistent', async (t) => {
  const dir = await freshBundle(t);
  const path = join(dir, BUNDLE_FILES.replayReport);
  const report = JSON.parse(readFileSync(path, 'utf8'));
  writeFileSync(path, JSON.stringify({ ...report, mismatched: 2 }));
  await writeManifest(dir, RUN_ID);
  const result = await verifyBundle(dir, null);
  t.deepEqual(failed(result), [CHECK_NAMES.replay]);
  t.is(detail(result, CHECK_NAMES.replay), 'report says pass=true with mismatched=2');
});

test('a directory without manifest.json is not a bundle: the error names the problem and the fix', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-notbundle-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const error = await t.throwsAsync(verifyBundle(dir, null));
  t.is(error?.message, `bundle dir ${dir} has no manifest.json: is this an evidence bundle? run make reality`);
});

test('an input whose event time expires approvals opens with approval_expired before its receipt, and verifies', async (t) => {
  const run = new CoreRun(configWith({ policy: { trust: { 'cell-low': 0.3 } } }, []), 1);
  run.telemetry(0, telemetry({ severity: 'high', cell_id: 'cell-low', correlation_id: 'corr-1', observed_at: at(0) }));
  run.telemetry(0, telemetry({ severity: 'low', cell_id: 'cell-a', correlation_id: 'corr-2', observed_at: at(3600) }));
  const kinds = run.outputs.get(0)!.audit.map((r) => r.event_kind);
  t.is(kinds[kinds.indexOf('approval_requested') + 1], 'approval_expired');
  t.is(kinds[kinds.indexOf('approval_expired') + 1], 'telemetry_received');
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-verify-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const result = await verifyBundle(await writeCoreRunBundle(dir, run, RUN_ID), null);
  t.deepEqual(failed(result), []);
  t.regex(detail(result, CHECK_NAMES.receipts), /^2 receipts/);

  // Relabel that receipt: the input is left with an expiry and decisions but no receipt, and that is named.
  const receiptSeq = kinds.indexOf('approval_expired') + 1;
  writeAuditLines(
    dir,
    auditLines(dir).map((l, i) => (i === receiptSeq ? l.replace('"event_kind":"telemetry_received"', '"event_kind":"facts_derived"') : l)),
  );
  const tampered = await verifyBundle(dir, null);
  t.true(failed(tampered).includes(CHECK_NAMES.receipts));
  t.regex(detail(tampered, CHECK_NAMES.receipts), /^partition 0 seq \d+: records of .*@1 have no receipt$/);
});
