/** What-if policy over the recorded fixture run, offline: the real core with a candidate config. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { UsageError } from '../../processor/errors.js';
import { repoRoot } from '../broker/paths.js';
import { loadRecordedRun } from '../record/load.js';
import { whatIf, type WhatIfReport } from './whatif.js';

const SMALL = join(repoRoot(), 'fixtures', 'recorded', 'small');
const CLI = join(repoRoot(), 'dist', 'tools', 'cli.js');

async function run(candidate: unknown): Promise<{ report: WhatIfReport; audit: AuditRecordV1[] }> {
  const { meta, recorded } = await loadRecordedRun(SMALL);
  const report = whatIf(recorded, { runId: meta.run_id, telemetryTopic: meta.topics.telemetry, operatorTopic: meta.topics.operator_actions, candidate });
  return { report, audit: [...recorded.outputs.values()].flatMap((o) => o.audit) };
}

test('the recorded config as candidate changes nothing: every telemetry event compared once, every rule count equal', async (t) => {
  const { report, audit } = await run({});
  const telemetryEvents = new Set(
    audit.filter((r) => r.event_kind.startsWith('telemetry_') && r.input.topic.endsWith('.telemetry.v1')).map((r) => `${r.input.partition}/${r.idempotency_key}`),
  );
  t.is(report.events, telemetryEvents.size);
  t.is(report.changed, 0);
  t.deepEqual(report.changes, []);
  for (const [rule, tally] of Object.entries(report.by_rule)) t.is(tally.before, tally.after, rule);
  const gateRules = audit.filter((r): r is AuditRecordV1<'safety_evaluated'> => r.event_kind === 'safety_evaluated');
  t.is(
    Object.entries(report.by_rule)
      .filter(([rule]) => rule !== 'none')
      .reduce((n, [, tally]) => n + tally.before, 0),
    gateRules.length,
  );
});

test('protecting every subject moves exactly the events the trust and class rules decided to SG-150, a human approval', async (t) => {
  const { report, audit } = await run({ policy: { protected_subjects: ['*'] } });
  const expected = audit
    .filter((r): r is AuditRecordV1<'safety_evaluated'> => r.event_kind === 'safety_evaluated')
    .filter((r) => /^SG-[34]/.test(r.payload.rule) && !(r.payload.verdict === 'require_human' && r.payload.rule === 'SG-150'))
    .map((r) => r.idempotency_key)
    .sort();
  t.true(expected.length > 0, 'the fixture has events the trust and class rules decide');
  t.deepEqual(report.changes.map((c) => c.idempotency_key).sort(), expected);
  for (const change of report.changes) {
    t.like(change.after, { verdict: 'require_human', rule: 'SG-150', approval: 'human' });
    t.not(change.before.rule, 'SG-150');
  }
  t.deepEqual(report.by_rule['SG-150'], { before: 0, after: expected.length });
  t.is(
    Object.values(report.changed_by_class).reduce((a, b) => a + b, 0),
    report.changed,
  );
  t.false('A0_observe' in report.changed_by_class, 'A0 is never held for a protected subject');
});

test('a candidate that does not validate is a usage error naming the key', async (t) => {
  const error = await t.throwsAsync(run({ policy: { protected_subjects: 'everything' } }), { instanceOf: UsageError });
  t.is(error?.code, 'CONFIG_INVALID');
  t.regex(error!.message, /policy\.protected_subjects/);
});

test('exoarmur whatif --recorded: a summary on stdout, the whole report with --out, exit 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-whatif-'));
  writeFileSync(join(dir, 'candidate.json'), JSON.stringify({ policy: { protected_subjects: ['*'] } }));
  const out = join(dir, 'report.json');
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'whatif', '--config', join(dir, 'candidate.json'), '--recorded', SMALL, '--out', out]);
  const written = JSON.parse(readFileSync(out, 'utf8')) as WhatIfReport;
  const { report } = await run({ policy: { protected_subjects: ['*'] } });
  t.deepEqual(written, report);
  t.true(stdout.startsWith(`whatif ${report.run_id}: ${report.changed} of ${report.events} events would change\n`), stdout);
  t.regex(stdout, new RegExp(`SG-150 0 -> ${report.changed}`));
});

test('exoarmur whatif without a candidate or with two sources: one usage line, exit 2', async (t) => {
  const cli = (args: string[]) => promisify(execFile)(process.execPath, [CLI, 'whatif', ...args]);
  const noCandidate = await t.throwsAsync(cli(['--recorded', SMALL]));
  t.like(noCandidate, { code: 2 });
  t.regex((noCandidate as unknown as { stderr: string }).stderr, /^exoarmur: whatif needs --config FILE.*\[WHATIF_CANDIDATE_MISSING\]\n$/);
  const twoSources = await t.throwsAsync(cli(['--config', 'x.json', '--recorded', SMALL, '--run', '01M8DV95PNCZCB5AXQ7AK7ZGPW']));
  t.like(twoSources, { code: 2 });
  t.regex((twoSources as unknown as { stderr: string }).stderr, /\[WHATIF_SOURCE_MISSING\]\n$/);
});
