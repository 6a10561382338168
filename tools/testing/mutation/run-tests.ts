/**
 * Test support for `make mutation`: the command StrykerJS's command runner runs in its sandbox
 * (stryker.config.json), once with no mutant active (its initial run) and once per mutant
 * (__STRYKER_ACTIVE_MUTANT__ set). Usage: run-tests.js <path of ava's cli.mjs>.
 *
 * Initial run: every test file of ava.mutation.config.js, each writing the mutants its worker
 * reached (coverage-hook.ts) to .mutation-coverage/.
 * A mutant: only the test files that reached it, most focused first, one at a time, stopping at the
 * first failure (failFast). Sound because these tests are deterministic (the core reads no clock,
 * randomness or environment, and the tests seed what they generate): with the mutant active, a test
 * file runs exactly as in the initial run until it reaches the mutant, so a file that never reached
 * it there cannot reach it, or fail because of it, here. A mutant no test file reaches survives.
 * The stryMutAct calls StrykerJS instruments record reaches for every mutant, so nothing is guessed
 * from import graphs or file names.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const COVERAGE_DIR = '.mutation-coverage';
const AVA_CONFIG = 'ava.mutation.config.js';

interface ReachRecord {
  testFile: string;
  mutants: string[];
}

/** The test files that reach a mutant, the most focused (fewest mutants reached) first. */
function testFilesFor(mutant: string, records: readonly ReachRecord[]): string[] {
  return records
    .filter((r) => r.mutants.includes(mutant))
    .sort((a, b) => a.mutants.length - b.mutants.length || a.testFile.localeCompare(b.testFile))
    .map((r) => r.testFile);
}

function readRecords(): ReachRecord[] {
  if (!existsSync(COVERAGE_DIR)) return [];
  return readdirSync(COVERAGE_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(COVERAGE_DIR, name), 'utf8')) as ReachRecord);
}

function runAva(avaCli: string, args: string[], coverageDir: string): number {
  const env = { ...process.env, MUTATION_COVERAGE_DIR: coverageDir };
  const run = spawnSync(process.execPath, [avaCli, '--config', AVA_CONFIG, ...args], { stdio: 'inherit', env });
  return run.status ?? 1;
}

function main(argv: string[]): number {
  const avaCli = argv[0];
  if (avaCli === undefined) {
    process.stderr.write('exoarmur: usage: run-tests.js <path of ava cli.mjs> [USAGE]\n');
    return 2;
  }
  const mutant = process.env['__STRYKER_ACTIVE_MUTANT__'];
  if (mutant === undefined || mutant === '') {
    rmSync(COVERAGE_DIR, { recursive: true, force: true });
    const status = runAva(avaCli, [], COVERAGE_DIR);
    if (status !== 0) return status;
    if (readRecords().length === 0) {
      process.stderr.write(`exoarmur: the initial run recorded no coverage in ${COVERAGE_DIR} [MUTATION_NO_COVERAGE]\n`);
      return 1;
    }
    return 0;
  }
  const records = readRecords();
  // Without the initial run's record (never expected), every test file runs: slower, still sound.
  if (records.length === 0) return runAva(avaCli, [], '');
  const files = testFilesFor(mutant, records);
  if (files.length === 0) {
    process.stdout.write(`no test file reaches mutant ${mutant}\n`);
    return 0;
  }
  return runAva(avaCli, ['--concurrency', '1', ...files], '');
}

process.exitCode = main(process.argv.slice(2));
