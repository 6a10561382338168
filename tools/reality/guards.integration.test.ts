/**
 * The guards scenario (fixtures/scenarios/guards) end to end against the `make test` broker: real
 * processor children, a SIGKILL, an out-of-order event, the double-inject and replay, with its expect lines judged on the
 * committed trail (gate 7 fails on any unmet line). Then what-if over the bundle it wrote, offline:
 * the same report as over the run's records on the broker, and refused on a copy with an edited input.
 */
import test from 'ava';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resultsTopic } from '../../processor/config/defaults.js';
import type { Topics } from '../../processor/config/types.js';
import { BUNDLE_FILES, writeManifest } from '../bundle/files.js';
import type { BundleInputLine } from '../bundle/inputs.js';
import { readRecordedRun } from '../replay/replay.js';
import { CHECK_NAMES, verifyBundle } from '../verify/verify.js';
import { loadBundleSource } from '../whatif/bundle-source.js';
import { whatIf } from '../whatif/whatif.js';
import { topicsForRun } from './naming.js';
import { repoRoot } from '../broker/paths.js';
import { testBrokers } from '../testing/broker.js';
import { parsePassFail } from './gates.js';
import { runReality, type RealityResult } from './run.js';

const out = mkdtempSync(join(tmpdir(), 'exoarmur-guards-'));
const CLI = join(repoRoot(), 'dist', 'tools', 'cli.js');
test.after.always(() => rmSync(out, { recursive: true, force: true }));

let running: Promise<RealityResult> | undefined;
/** One real run of the guards scenario shared by every test in this file. */
function guardsRun(log: (line: string) => void): Promise<RealityResult> {
  running ??= runReality({ scenarioDir: join(repoRoot(), 'fixtures', 'scenarios', 'guards'), outDir: out, brokers: testBrokers().join(','), log, compose: false });
  return running;
}

test('guards scenario: SG-150 holds protected hosts for a human, SG-160 refuses a second containment, the circuit breaker trips the tenant kill switch, keep_contained cancels one self-revert and moves another, on the real broker; every expect line met, replay identical', async (t) => {
  const result = await guardsRun((line) => t.log(line));
  const parsed = parsePassFail(result.passFail);
  if (parsed === null) return t.fail(result.passFail);
  t.deepEqual(
    parsed.gates.map((g) => `${g.n} ${g.status}`),
    ['1 PASS', '2 PASS', '3 PASS', '4 UNPROVEN', '5 PASS', '6 PASS', '7 PASS'],
    result.passFail,
  );
  t.is(result.overall, 'PASS');
  const audit = readFileSync(join(result.bundleDir, BUNDLE_FILES.auditExport), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecordV1);
  const held = audit.filter(
    (r): r is AuditRecordV1<'safety_evaluated'> => r.event_kind === 'safety_evaluated' && (r as AuditRecordV1<'safety_evaluated'>).payload.rule === 'SG-150',
  );
  t.deepEqual(held.map((r) => r.idempotency_key).sort(), ['t1:01JSG000000000000000000001', 't1:01JSG000000000000000000002']);
  const inForce = audit.filter((r): r is AuditRecordV1<'containment_in_force'> => r.event_kind === 'containment_in_force');
  t.deepEqual(
    inForce.map((r) => [r.idempotency_key, r.payload.subject, r.payload.live_action_class]),
    [['t2:01JSG000000000000000000006', 'web-1', 'A2_hard_containment']],
  );
  const trips = audit.filter((r): r is AuditRecordV1<'circuit_breaker_tripped'> => r.event_kind === 'circuit_breaker_tripped');
  t.deepEqual(
    trips.map((r) => [r.idempotency_key, r.payload.releases_in_window, r.payload.max_releases]),
    [['t2:01JSG000000000000000000008', 2, 2]],
  );
  const switched = audit.filter((r): r is AuditRecordV1<'kill_switch_changed'> => r.event_kind === 'kill_switch_changed');
  t.deepEqual(
    switched.map((r) => [r.payload.actor_id, r.payload.tenant_id, r.payload.on, r.payload.action_id]),
    [['exoarmur', 't2', true, trips[0]!.audit_id]],
  );
  // keep_contained: prod-db kept with no end, web-1 moved to 12:00; at stream time 11:30 web-2 (end 11:00:32) is reverted, they are not.
  const kept = audit.filter((r): r is AuditRecordV1<'containment_kept'> => r.event_kind === 'containment_kept');
  t.deepEqual(kept.map((r) => [r.payload.subject, r.payload.effect, r.payload.previous_ends_at, r.payload.ends_at, r.payload.actor_id]).sort(), [
    ['prod-db', 'revert_cancelled', '2026-03-01T11:00:20.000Z', null, 'alice'],
    ['web-1', 'revert_moved', '2026-03-01T11:00:30.000Z', '2026-03-01T12:00:00.000Z', 'alice'],
  ]);
  const reverted = audit.filter((r): r is AuditRecordV1<'containment_reverted'> => r.event_kind === 'containment_reverted').map((r) => r.payload.subject);
  t.true(reverted.includes('web-2'), reverted.join(', '));
  t.false(reverted.includes('prod-db') || reverted.includes('web-1'), reverted.join(', '));
});

/** Unprotecting dc-01 and protecting the web hosts instead: the candidate of the what-if tests. */
const CANDIDATE = { policy: { protected_subjects: ['web-*'] } };

function whatIfOptions(runId: string, topics: Topics, candidate: unknown) {
  return { runId, telemetryTopic: topics.telemetry, operatorTopic: topics.operator_actions, resultsTopic: resultsTopic(topics), candidate };
}

test('whatif over the bundle, offline, gives exactly the report whatif gives over the run on the broker; the CLI writes it and needs no broker', async (t) => {
  const result = await guardsRun((line) => t.log(line));
  const topics = topicsForRun(result.runId);
  const fromBroker = whatIf(await readRecordedRun({ brokers: testBrokers(), topics }), whatIfOptions(result.runId, topics, CANDIDATE));
  const source = await loadBundleSource(result.bundleDir);
  const fromBundle = whatIf(source.recorded, whatIfOptions(source.runId, source.topics as Topics, CANDIDATE));
  t.deepEqual(fromBundle, fromBroker);
  const unchanged = whatIf(source.recorded, whatIfOptions(source.runId, source.topics as Topics, {}));
  t.is(unchanged.changed, 0, "the recorded config decides the bundle's inputs as the run did");
  t.true(unchanged.events > 0);
  const change = (eventId: string) => fromBundle.changes.find((c) => c.idempotency_key.endsWith(`:${eventId}`));
  t.like(change('01JSG000000000000000000001'), { before: { rule: 'SG-150', final: 'APPROVED' }, after: { verdict: 'allow', rule: 'SG-403', approval: 'none', final: 'RELEASED' } });
  // Held for a human at 10:00:30 under the candidate, nobody approves it, and the t2 event at 11:30 moves stream time past its approval's expiry.
  t.like(change('01JSG000000000000000000005'), {
    before: { rule: 'SG-403', final: 'RELEASED' },
    after: { verdict: 'require_human', rule: 'SG-150', approval: 'human', final: 'EXPIRED' },
  });

  const dir = mkdtempSync(join(out, 'whatif-'));
  const candidate = join(dir, 'candidate.json');
  writeFileSync(candidate, JSON.stringify(CANDIDATE));
  const report = join(result.bundleDir, BUNDLE_FILES.whatifReport);
  // An unreachable broker: --bundle never connects to one.
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'whatif', '--bundle', result.bundleDir, '--config', candidate, '--out', report, '--brokers', '127.0.0.1:9']);
  t.deepEqual(JSON.parse(readFileSync(report, 'utf8')), fromBundle);
  t.true(stdout.startsWith(`whatif ${result.runId}: ${fromBundle.changed} of ${fromBundle.events} events would change\n`), stdout);
  const verified = await verifyBundle(result.bundleDir, null);
  t.deepEqual(
    verified.checks.filter((c) => !c.ok).map((c) => c.name),
    [],
    'a what-if report placed in the bundle is not evidence: no check fails for it',
  );
  rmSync(report);
});

test('whatif refuses a bundle whose inputs.jsonl was edited, even with the line hash and the manifest re-written; verify names the check', async (t) => {
  const result = await guardsRun((line) => t.log(line));
  const dir = mkdtempSync(join(out, 'tampered-'));
  cpSync(result.bundleDir, dir, { recursive: true });
  const file = join(dir, BUNDLE_FILES.inputs);
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as BundleInputLine);
  const i = lines.findIndex((l) => l.value_base64 !== null && Buffer.from(l.value_base64, 'base64').toString('utf8').includes('"host":"dc-01"'));
  t.true(i >= 0, 'the scenario delivers an event on dc-01');
  const edited = Buffer.from(Buffer.from(lines[i]!.value_base64!, 'base64').toString('utf8').replace('"host":"dc-01"', '"host":"dc-02"'), 'utf8');
  lines[i] = { ...lines[i]!, value_base64: edited.toString('base64'), value_sha256: createHash('sha256').update(edited).digest('hex') };
  writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  await writeManifest(dir, result.runId);
  const candidate = join(mkdtempSync(join(out, 'candidate-')), 'candidate.json');
  writeFileSync(candidate, JSON.stringify(CANDIDATE));
  const refused = await t.throwsAsync(promisify(execFile)(process.execPath, [CLI, 'whatif', '--bundle', dir, '--config', candidate]));
  t.like(refused, { code: 1 });
  t.regex(
    (refused as unknown as { stderr: string }).stderr,
    new RegExp(
      `^exoarmur: bundle ${dir} cannot be decided again: recorded inputs: partition ${lines[i]!.partition} seq \\d+: the inputs decide differently from the trail \\(field [a-z_.]+\\) \\[WHATIF_BUNDLE_UNVERIFIED\\]\n$`,
    ),
  );
  const verified = await verifyBundle(dir, null);
  t.true(verified.checks.some((c) => c.name === CHECK_NAMES.inputs && !c.ok && /the inputs decide differently from the trail/.test(c.detail)));
});
