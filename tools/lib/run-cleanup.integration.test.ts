/**
 * A signal to a harness run stops what the run started. `exoarmur reality` on its own embedded
 * broker and `exoarmur soak` on its 3-node cluster each get a SIGTERM while their processor runs;
 * each must exit 143 only after its broker JVMs and its processor are gone (before the clean-up
 * existed, a SIGTERM to a soak ended it at once and left the three JVMs running).
 */
import test from 'ava';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../broker/paths.js';
import { CliChild } from './children.js';
import { pollUntil } from './poll.js';
import { commandLine, isLive } from './proc.js';

const out = mkdtempSync(join(tmpdir(), 'exoarmur-run-cleanup-'));
test.after.always(() => rmSync(out, { recursive: true, force: true }));

/** Live processes whose command line names `workDir` (the run's broker nodes and processor read their files from it). */
function processesUnder(workDir: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid !== process.pid && isLive(pid) && (commandLine(pid) ?? '').includes(workDir));
}

/** Starts `args`, waits for `ready` on its stderr, then SIGTERMs it; returns what ran under its work dir before and after. */
async function terminateWhenReady(args: string[], ready: RegExp, runIdLine: RegExp, kind: 'reality' | 'soak') {
  const run = new CliChild(args);
  try {
    const stderr = await pollUntil(
      () => {
        const text = run.output.stderr;
        return ready.test(text) && runIdLine.test(text) ? text : undefined;
      },
      {
        timeoutMs: 180_000,
        intervalMs: 250,
        what: `exoarmur ${kind} to start its processor`,
        giveUp: () => (run.running ? undefined : new Error(`exoarmur ${kind} exited before it was ready: ${run.failure()}`)),
      },
    );
    const runId = runIdLine.exec(stderr)![1]!;
    const workDir = join(repoRoot(), '.exoarmur', kind, 'runs', runId);
    const before = processesUnder(workDir);
    const exit = await run.kill('SIGTERM');
    return { before, after: processesUnder(workDir), exit };
  } finally {
    if (run.running) await run.kill('SIGKILL');
  }
}

test('SIGTERM to `exoarmur reality` stops its embedded broker and its processor, then exits 143', async (t) => {
  const scenario = join(repoRoot(), 'fixtures', 'scenarios', 'small');
  const { before, after, exit } = await terminateWhenReady(
    ['reality', '--scenario', scenario, '--out', out, '--no-compose'],
    /phase 2\/5: playing the scenario/,
    /run (\w{26}): broker /,
    'reality',
  );
  t.log(exit.stderr.trim().split('\n').slice(-3).join('\n'));
  // The broker JVM and the processor child, at least.
  t.true(before.length >= 2, `processes under the run's work dir before the signal: ${before.join(', ')}`);
  t.deepEqual({ code: exit.code, after }, { code: 143, after: [] });
  t.regex(exit.stderr, /SIGTERM: stopping the run's processes, broker and containers before exiting/);
});

test('SIGTERM to `exoarmur soak` stops its three cluster nodes and its processor, then exits 143', async (t) => {
  const { before, after, exit } = await terminateWhenReady(
    ['soak', '--minutes', '1', '--rate', '4', '--faults', 'kill_processor', '--out', out],
    /phase 2\/4: offering/,
    /soak (\w{26}): cluster /,
    'soak',
  );
  t.log(exit.stderr.trim().split('\n').slice(-3).join('\n'));
  // Three broker JVMs and the processor child, at least.
  t.true(before.length >= 4, `processes under the run's work dir before the signal: ${before.join(', ')}`);
  t.deepEqual({ code: exit.code, after }, { code: 143, after: [] });
});
