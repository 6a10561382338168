/**
 * The small scenario end to end against the `make test` broker: real processor children, a real
 * SIGKILL, the double-inject, and the bundle checked file by file and gate by gate.
 */
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBrokers } from '../testing/broker.js';
import { repoRoot } from '../broker/paths.js';
import { parsePassFail } from './gates.js';
import { runReality } from './run.js';

const BUNDLE_FILES = [
  'audit_export.jsonl', 'storage_state.json', 'replay_report.json', 'service.log', 'config_snapshot.json', 'config_hash.txt',
  'time_model.json', 'idempotency_report.json', 'operator_actions.jsonl', 'PASS_FAIL.txt', 'manifest.json',
];

test('the small scenario proves gates 1,2,3,5,6,7, leaves 4 UNPROVEN, and writes a complete bundle', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'exoarmur-reality-'));
  const result = await runReality({ scenarioDir: join(repoRoot(), 'fixtures', 'scenarios', 'small'), outDir: out, brokers: testBrokers().join(','), log: (line) => t.log(line) });
  for (const name of BUNDLE_FILES) t.true(existsSync(join(result.bundleDir, name)), `${name} present`);

  const parsed = parsePassFail(readFileSync(join(result.bundleDir, 'PASS_FAIL.txt'), 'utf8'));
  if (parsed === null) return t.fail('PASS_FAIL.txt does not follow RUN / 7 GATE lines / OVERALL');
  t.is(parsed.runId, result.runId);
  t.deepEqual(parsed.gates.map((g) => `${g.n} ${g.status}`), ['1 PASS', '2 PASS', '3 PASS', '4 UNPROVEN', '5 PASS', '6 PASS', '7 PASS'], result.passFail);
  t.is(parsed.overall, 'PASS');

  const manifest = JSON.parse(readFileSync(join(result.bundleDir, 'manifest.json'), 'utf8')) as { run_id: string; files: Record<string, string> };
  t.is(manifest.run_id, result.runId);
  t.deepEqual(Object.keys(manifest.files).sort(), BUNDLE_FILES.filter((f) => f !== 'manifest.json').sort());
  const idempotency = JSON.parse(readFileSync(join(result.bundleDir, 'idempotency_report.json'), 'utf8')) as { equal: boolean; digest_before: string; digest_after: string };
  t.true(idempotency.equal);
  t.is(idempotency.digest_before, idempotency.digest_after);
});
