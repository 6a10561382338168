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
import { runInNewContext } from 'node:vm';
import { packageRoot } from '../viewer/embed.js';
import { CoreRun, writeCoreRunBundle } from '../testing/core-run.js';
import { at, configWith, telemetry } from '../../processor/testing/harness.js';
import { createHash } from 'node:crypto';
import { BUNDLE_FILES, writeManifest } from '../bundle/files.js';
import type { BundleInputLine } from '../bundle/inputs.js';
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
    /^✔ manifest: .*\n✘ origin UNSIGNED: unsigned \(older format\).*\nNOT VERIFIED .*: 2 of 11 checks failed \(derived reports, gate verdicts\); origin unsigned\n$/s,
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
  t.deepEqual(failed(result), [CHECK_NAMES.manifest, CHECK_NAMES.chains, CHECK_NAMES.inputs]);
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
  t.deepEqual(failed(result), [CHECK_NAMES.chains, CHECK_NAMES.inputs]);
  t.regex(detail(result, CHECK_NAMES.chains), /partition 0 at seq 2 .*: edited/);
});

test('a line dropped: manifest, chain (seq gap), receipts and replay consistency fail', async (t) => {
  const dir = await freshBundle(t);
  const lines = auditLines(dir);
  lines.splice(4, 1);
  writeAuditLines(dir, lines);
  await writeManifest(dir, RUN_ID); // even a re-hashed manifest does not hide a drop
  const result = await verifyBundle(dir, null);
  t.deepEqual(failed(result), [CHECK_NAMES.chains, CHECK_NAMES.receipts, CHECK_NAMES.inputs, CHECK_NAMES.replay]);
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
  t.deepEqual(failed(result), [CHECK_NAMES.inputs, CHECK_NAMES.replay]);
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
  t.deepEqual(failed(result), [CHECK_NAMES.manifest, CHECK_NAMES.configHash, CHECK_NAMES.inputs]);
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

test("an input whose event time passes a containment's end opens with containment_reverted and the revert's release before its receipt; verify and the viewer both accept it", async (t) => {
  const policy = {
    action_overrides: { port_scan: 'A1_soft_containment' },
    containment_ttl_s: { A1_soft_containment: 60 },
    revert_intent_types: { A1_soft_containment: 'unblock_host' },
  };
  const run = new CoreRun(configWith({ policy }, []), 1);
  run.telemetry(0, telemetry({ event_type: 'port_scan', attributes: { confidence: 0.9 }, correlation_id: 'corr-1', observed_at: at(0) }));
  run.telemetry(0, telemetry({ severity: 'low', correlation_id: 'corr-2', observed_at: at(61) }));
  const audit = run.outputs.get(0)!.audit;
  const kinds = audit.map((r) => r.event_kind);
  const opened = kinds.indexOf('containment_reverted');
  t.deepEqual(kinds.slice(opened, opened + 3), ['containment_reverted', 'intent_released', 'telemetry_received']);
  t.not(audit[opened]!.input.offset, audit[opened - 1]!.input.offset);
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-verify-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const result = await verifyBundle(await writeCoreRunBundle(dir, run, RUN_ID), null);
  t.deepEqual(failed(result), []);
  t.regex(detail(result, CHECK_NAMES.receipts), /^2 receipts/);

  const context: Record<string, unknown> = {};
  context['globalThis'] = context;
  for (const name of ['contracts.js', 'counts.js', 'record-checks.js'])
    runInNewContext(readFileSync(join(packageRoot(), 'evidence-viewer', name), 'utf8'), context, { filename: name });
  const viewer = context['exoViewer'] as { checkReceipts: (model: unknown) => { ok: boolean; details: string[] } };
  const records = auditLines(dir).map((l) => JSON.parse(l) as unknown);
  t.like(viewer.checkReceipts({ records }), { ok: true });
  // The same records with the revert's opener relabelled as a decision: both name it.
  const relabelled = records.map((r, i) => (i === opened ? { ...(r as object), event_kind: 'facts_derived' } : r));
  t.like(viewer.checkReceipts({ records: relabelled }), { ok: false });
  writeAuditLines(
    dir,
    relabelled.map((r) => JSON.stringify(r)),
  );
  t.regex(detail(await verifyBundle(dir, null), CHECK_NAMES.receipts), /do not start with a receipt \(facts_derived\)/);
});

/** Rewrites inputs.jsonl line `index` through `edit` (its parsed form); `rehash` re-computes its value_sha256. */
function editInput(dir: string, index: number, edit: (line: BundleInputLine) => BundleInputLine | null, rehash: boolean): BundleInputLine {
  const path = join(dir, BUNDLE_FILES.inputs);
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as BundleInputLine);
  const before = lines[index]!;
  const after = edit(before);
  if (after !== null && rehash) after.value_sha256 = after.value_base64 === null ? null : createHash('sha256').update(Buffer.from(after.value_base64, 'base64')).digest('hex');
  const kept = after === null ? lines.filter((_, i) => i !== index) : lines.map((l, i) => (i === index ? after : l));
  writeFileSync(path, kept.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return before;
}

/** The value of an input line with `from` replaced by `to` in its (JSON) text. */
const valueEdited = (line: BundleInputLine, from: string, to: string): BundleInputLine => {
  const text = Buffer.from(line.value_base64!, 'base64').toString('utf8');
  if (!text.includes(from)) throw new Error(`input ${line.topic}/${line.partition}@${line.offset} holds no ${from}`);
  return { ...line, value_base64: Buffer.from(text.replace(from, to), 'utf8').toString('base64') };
};

test('inputs.jsonl: an input edited with its line hash and the manifest re-written is caught by driving the inputs through the core', async (t) => {
  const dir = await freshBundle(t);
  const line = editInput(dir, 1, (l) => valueEdited(l, '"cell_id":"cell-a"', '"cell_id":"cell-z"'), true);
  await writeManifest(dir, RUN_ID);
  const result = await verifyBundle(dir, null);
  t.deepEqual(failed(result), [CHECK_NAMES.inputs]);
  t.regex(detail(result, CHECK_NAMES.inputs), new RegExp(`^partition ${line.partition} seq \\d+: the inputs decide differently from the trail \\(field payload\\.cell_id\\)`));
});

test('inputs.jsonl: a value edited under its recorded hash, a rejected input swapped, a line dropped — each named', async (t) => {
  const dir = await freshBundle(t);
  const edited = editInput(dir, 1, (l) => valueEdited(l, '"cell_id":"cell-a"', '"cell_id":"cell-z"'), false);
  const rejected = editInput(dir, 4, (l) => valueEdited(l, 'this is not json', 'this is not JSON'), true);
  const dropped = editInput(dir, 8, () => null, false);
  const result = await verifyBundle(dir, null);
  t.deepEqual(failed(result), [CHECK_NAMES.manifest, CHECK_NAMES.inputs]);
  const at = (l: BundleInputLine) => `${l.topic}/${l.partition}@${l.offset}`;
  const problems = detail(result, CHECK_NAMES.inputs).split('; ');
  t.regex(problems[0]!, new RegExp(`^${at(edited)}: the value hashes to [0-9a-f]{12}…, its line says ${edited.value_sha256!.slice(0, 12)}…$`));
  t.regex(problems[1]!, new RegExp(`^${at(rejected)}: its telemetry_rejected receipt names value_sha256 ${rejected.value_sha256!.slice(0, 12)}…, the input line [0-9a-f]{12}…$`));
  t.regex(problems[2]!, new RegExp(`^${at(rejected)}: the input identifies as unknown:raw-sha256:[0-9a-f]{64}, its receipt names unknown:raw-sha256:${rejected.value_sha256}$`));
  t.regex(problems[3]!, new RegExp(`^${at(dropped)}: a telemetry_received receipt \\(partition 1 seq \\d+\\) has no line in inputs\\.jsonl$`));
  t.is(problems.length, 4);
});
