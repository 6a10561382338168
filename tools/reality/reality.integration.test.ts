/**
 * The small scenario end to end against the `make test` broker: real processor children, a real
 * SIGKILL, the double-inject, replay from the broker, and the bundle checked file by file and gate
 * by gate. Then, on copies of that real bundle, each tampering fails `verify` naming its check, and
 * a replay with a changed policy fails gate 3.
 */
import test from 'ava';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEffectiveConfig } from '../../processor/config/index.js';
import { BUNDLE_FILES, writeManifest } from '../bundle/files.js';
import { repoRoot } from '../broker/paths.js';
import { replayRun } from '../replay/replay.js';
import { testBrokers } from '../testing/broker.js';
import { auditLines, writeAuditLines } from '../testing/bundle-files.js';
import { CHECK_NAMES, verifyBundle, type VerifyResult } from '../verify/verify.js';
import { replayFollowedRecordedOrder } from './analysis.js';
import { parsePassFail, replayGate } from './gates.js';
import { topicsForRun } from './naming.js';
import { runReality, type RealityResult } from './run.js';
import { runInNewContext } from 'node:vm';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { runCounts } from '../bundle/counts.js';
import type { RunFacts } from '../bundle/run-evidence.js';
import { packageRoot } from '../viewer/embed.js';

const out = mkdtempSync(join(tmpdir(), 'exoarmur-reality-'));
test.after.always(() => rmSync(out, { recursive: true, force: true }));

let running: Promise<RealityResult> | undefined;
/** One real run shared by every test in this file (it takes most of a minute). */
function smallRun(log: (line: string) => void): Promise<RealityResult> {
  running ??= runReality({ scenarioDir: join(repoRoot(), 'fixtures', 'scenarios', 'small'), outDir: out, brokers: testBrokers().join(','), log, compose: false });
  return running;
}

test('the small scenario proves gates 1,2,3,5,6,7, leaves 4 UNPROVEN, and writes a complete bundle that verifies', async (t) => {
  const result = await smallRun((line) => t.log(line));
  // A what-if report is a reviewer's, added after the run; the run writes every other file.
  const files = Object.values(BUNDLE_FILES).filter((name) => name !== BUNDLE_FILES.whatifReport);
  for (const name of files) t.true(existsSync(join(result.bundleDir, name)), `${name} present`);
  t.false(existsSync(join(result.bundleDir, BUNDLE_FILES.whatifReport)));

  const text = readFileSync(join(result.bundleDir, BUNDLE_FILES.passFail), 'utf8');
  t.is(text, result.passFail);
  const parsed = parsePassFail(text);
  if (parsed === null) return t.fail(`PASS_FAIL.txt does not follow RUN / 7 GATE lines / OVERALL:\n${text}`);
  t.is(parsed.runId, result.runId);
  t.deepEqual(
    parsed.gates.map((g) => `${g.n} ${g.name} ${g.status}`),
    [
      '1 DURABLE_PERSISTENCE PASS',
      '2 RESTART_SURVIVAL PASS',
      '3 REPLAY_EQUIVALENCE PASS',
      '4 DEPLOYMENT UNPROVEN',
      '5 TIME_TRUTH PASS',
      '6 IDEMPOTENCY PASS',
      '7 CONFIG_AND_HUMAN_TRUTH PASS',
    ],
    text,
  );
  t.is(parsed.overall, 'PASS');
  t.is(result.overall, 'PASS');

  const manifest = JSON.parse(readFileSync(join(result.bundleDir, BUNDLE_FILES.manifest), 'utf8')) as { run_id: string; files: Record<string, string> };
  t.is(manifest.run_id, result.runId);
  t.deepEqual(Object.keys(manifest.files).sort(), files.filter((f) => f !== BUNDLE_FILES.manifest && f !== BUNDLE_FILES.manifestSignature && f !== BUNDLE_FILES.index).sort());

  const verified = await verifyBundle(result.bundleDir, trustOf(result.bundleDir));
  t.is(verified.origin.status, 'verified', verified.origin.detail);
  t.deepEqual(
    verified.checks.filter((c) => !c.ok),
    [],
  );
  t.true(verified.ok);

  const read = (name: string) => JSON.parse(readFileSync(join(result.bundleDir, name), 'utf8')) as Record<string, unknown>;
  const idempotency = read(BUNDLE_FILES.idempotencyReport);
  t.true(idempotency['equal']);
  t.is(idempotency['digest_before'], idempotency['digest_after']);
  t.like(read(BUNDLE_FILES.replayReport), { run_id: result.runId, pass: true, mismatched: 0, config_overridden: false });
  t.like(read(BUNDLE_FILES.timeModel), { replay_followed_recorded_order: true, every_record_timed: true });
  // The small scenario's own late event (a login observed before the ransomware on its partition).
  const time = read(BUNDLE_FILES.timeModel) as { out_of_order_events: number; out_of_order_filler_events: number };
  t.is(time.out_of_order_events - time.out_of_order_filler_events, 1);
  const html = readFileSync(join(result.bundleDir, BUNDLE_FILES.index), 'utf8');
  t.true(html.includes(result.runId), 'index.html embeds this bundle');
});

function tamperedCopy(bundleDir: string, edit: (dir: string) => void): string {
  const dir = mkdtempSync(join(out, 'tampered-'));
  cpSync(bundleDir, dir, { recursive: true });
  edit(dir);
  return dir;
}

/** The processor key the run's config pinned (a reviewer would get it out of band; the harness made it). */
function trustOf(dir: string): string {
  const snapshots = JSON.parse(readFileSync(join(dir, BUNDLE_FILES.configSnapshot), 'utf8')) as Array<{ config: { checkpoints: { public_key: string } } }>;
  return snapshots[0]!.config.checkpoints.public_key;
}

const failedChecks = (r: VerifyResult) => r.checks.filter((c) => !c.ok).map((c) => c.name);
const detailOf = (r: VerifyResult, name: string) => r.checks.find((c) => c.name === name)?.detail ?? '';

const tamperings: Array<[string, (dir: string) => void, string[], RegExp]> = [
  [
    'one byte changed in audit_export.jsonl',
    (dir) => {
      const lines = auditLines(dir);
      const i = Math.floor(lines.length / 2);
      const at = lines[i]!.indexOf('"process_time":"') + '"process_time":"'.length + 3;
      lines[i] = `${lines[i]!.slice(0, at)}${lines[i]![at] === '7' ? '8' : '7'}${lines[i]!.slice(at + 1)}`;
      writeAuditLines(dir, lines);
    },
    [CHECK_NAMES.manifest, CHECK_NAMES.chains, CHECK_NAMES.derived, CHECK_NAMES.gates],
    /audit_export\.jsonl SHA-256/,
  ],
  [
    'a line dropped from audit_export.jsonl',
    (dir) => {
      const lines = auditLines(dir);
      lines.splice(10, 1);
      writeAuditLines(dir, lines);
    },
    [CHECK_NAMES.manifest, CHECK_NAMES.chains, CHECK_NAMES.receipts, CHECK_NAMES.inputs, CHECK_NAMES.replay, CHECK_NAMES.derived, CHECK_NAMES.gates],
    /audit_export\.jsonl SHA-256/,
  ],
  [
    'two lines of audit_export.jsonl swapped',
    (dir) => {
      const lines = auditLines(dir);
      [lines[5], lines[6]] = [lines[6]!, lines[5]!];
      writeAuditLines(dir, lines);
    },
    [CHECK_NAMES.manifest, CHECK_NAMES.chains, CHECK_NAMES.receipts, CHECK_NAMES.inputs, CHECK_NAMES.gates],
    /audit_export\.jsonl SHA-256/,
  ],
  [
    'config_snapshot.json edited',
    (dir) => {
      const file = join(dir, BUNDLE_FILES.configSnapshot);
      const snapshots = JSON.parse(readFileSync(file, 'utf8')) as Array<{ config: { policy: { default_trust: number } } }>;
      snapshots[0]!.config.policy.default_trust = 0.99;
      writeFileSync(file, `${JSON.stringify(snapshots, null, 2)}\n`);
    },
    [CHECK_NAMES.manifest, CHECK_NAMES.configHash, CHECK_NAMES.gates],
    /config_snapshot\.json SHA-256/,
  ],
  [
    'a file missing from the manifest',
    (dir) => {
      const file = join(dir, BUNDLE_FILES.manifest);
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, string> };
      delete manifest.files[BUNDLE_FILES.serviceLog];
      writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
    },
    [CHECK_NAMES.manifest, CHECK_NAMES.gates],
    /service\.log is in the bundle but not listed in manifest\.json/,
  ],
];

for (const [name, edit, checks, manifestDetail] of tamperings) {
  test(`verify fails on the real bundle with ${name}, naming ${checks.join(', ')}`, async (t) => {
    const result = await smallRun((line) => t.log(line));
    const honest = await verifyBundle(result.bundleDir, trustOf(result.bundleDir));
    t.true(honest.ok);
    const verified = await verifyBundle(tamperedCopy(result.bundleDir, edit), trustOf(result.bundleDir));
    t.false(verified.ok);
    t.deepEqual(failedChecks(verified), checks, verified.checks.map((c) => `${c.name}: ${c.detail}`).join('\n'));
    t.regex(detailOf(verified, CHECK_NAMES.manifest), manifestDetail);
    // Gate 7 reads verify's integrity checks: a bundle that fails one can never carry an honest PASS.
    t.regex(detailOf(verified, CHECK_NAMES.gates), /gate 7 CONFIG_AND_HUMAN_TRUTH: PASS_FAIL\.txt says PASS, the evidence gives FAIL/);
  });
}

test('PASS_FAIL.txt edited (gate 4 to PASS) with a recomputed manifest: verify re-judges the gates and names gate 4', async (t) => {
  const result = await smallRun((line) => t.log(line));
  const dir = tamperedCopy(result.bundleDir, (d) => {
    const file = join(d, BUNDLE_FILES.passFail);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^GATE 4 DEPLOYMENT: UNPROVEN - .*$/m, 'GATE 4 DEPLOYMENT: PASS - deployed with docker compose'));
  });
  await writeManifest(dir, result.runId);
  const verified = await verifyBundle(dir, trustOf(dir));
  t.deepEqual(failedChecks(verified), [CHECK_NAMES.gates]);
  t.regex(detailOf(verified, CHECK_NAMES.gates), /^gate 4 DEPLOYMENT: PASS_FAIL\.txt says PASS, the evidence gives UNPROVEN/);
});

test('the viewer counts (evidence-viewer/counts.js) equal the CLI counts (tools/bundle/counts.ts) on the real bundle', async (t) => {
  const result = await smallRun((line) => t.log(line));
  const audit = auditLines(result.bundleDir).map((l) => JSON.parse(l) as AuditRecordV1);
  const facts = JSON.parse(readFileSync(join(result.bundleDir, BUNDLE_FILES.runFacts), 'utf8')) as RunFacts;
  const context: Record<string, unknown> = {};
  context['globalThis'] = context;
  for (const name of ['contracts.js', 'counts.js']) runInNewContext(readFileSync(join(packageRoot(), 'evidence-viewer', name), 'utf8'), context);
  const viewer = context['exoViewer'] as { runCounts: (records: unknown[], facts: unknown) => unknown };
  const cli = runCounts(audit, facts.inputs_sent, facts.filler_tenant);
  t.deepEqual(JSON.parse(JSON.stringify(viewer.runCounts(audit, facts))), cli);
  t.true(cli.receipts === cli.deliveries && cli.deliveries > 0 && cli.out_of_order > 0);
});

test('a replay of the real run with the policy changed and no new snapshot is a gate 3 FAIL', async (t) => {
  const result = await smallRun((line) => t.log(line));
  const exported = auditLines(result.bundleDir).map((l) => JSON.parse(l) as never);
  const report = await replayRun({
    brokers: testBrokers(),
    topics: topicsForRun(result.runId),
    runId: result.runId,
    configOverride: (recorded) => buildEffectiveConfig({ ...recorded.config, policy: { ...recorded.config.policy, default_trust: 0.4 } }),
  });
  t.false(report.pass);
  t.true(report.mismatched > 0);
  t.true(
    report.mismatches.some((m) => m.field === 'payload.rule'),
    report.mismatches
      .slice(0, 5)
      .map((m) => m.field)
      .join(', '),
  );
  const gate = replayGate(report, exported.length, replayFollowedRecordedOrder(report, exported));
  t.is(gate.status, 'FAIL');
  t.regex(gate.evidence, /config other than the recorded snapshots; \d+ mismatches \(payload\./);
});
