/**
 * Test support for `make mutation`: the command StrykerJS's command runner runs in its sandbox
 * (stryker.config.json), once with no mutant active (its initial run) and once per mutant
 * (__STRYKER_ACTIVE_MUTANT__ set). Usage: run-tests.js <path of ava's cli.mjs>.
 *
 * Initial run: every test file of ava.mutation.config.js, each writing the mutants its worker
 * reached (coverage-hook.ts) to .mutation-coverage/.
 * A mutant: only the test files that reached it, its module's own tests first, then the quickest, one at a time, stopping at the
 * first failure (failFast). Sound because the paths these tests take are deterministic (the core
 * reads no clock, randomness or environment): with the mutant active, a test file runs exactly as in
 * the initial run until it reaches the mutant, so a file that never reached it there cannot reach it,
 * or fail because of it, here (Ed25519 keys and ULIDs some tests draw at random could order ids
 * differently from run to run; a kill resting on that order would be flaky under any runner).
 * A mutant no test file reaches survives.
 * The stryMutAct calls StrykerJS instruments record reaches for every mutant, so nothing is guessed
 * from import graphs or file names.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const COVERAGE_DIR = '.mutation-coverage';
const MODULES_FILE = '.mutation-modules.json';
const MUTATED_DIR = 'dist/processor/core';
const AVA_CONFIG = 'ava.mutation.config.js';

interface ReachRecord {
  testFile: string;
  /** How long the file took in the initial run. */
  ms: number;
  mutants: string[];
}

/**
 * The test files that reach a mutant: first those named after its module (gate.test.js, gate-rules.test.js for
 * gate.js), then the quickest. Order only decides how soon a kill is seen, so how much a killed mutant costs.
 */
function testFilesFor(mutant: string, records: readonly ReachRecord[], moduleOf: Record<string, string>): string[] {
  const stem = (moduleOf[mutant] ?? '').replace(/\.js$/, '');
  const named = (r: ReachRecord) => (stem !== '' && basename(r.testFile).startsWith(stem) ? 0 : 1);
  return records
    .filter((r) => r.mutants.includes(mutant))
    .sort((a, b) => named(a) - named(b) || a.ms - b.ms || a.testFile.localeCompare(b.testFile))
    .map((r) => r.testFile);
}

/** Which compiled module holds each mutant (its stryMutAct call), read once after the initial run. */
function mutantModules(): Record<string, string> {
  const moduleOf: Record<string, string> = {};
  for (const name of readdirSync(MUTATED_DIR).filter((n) => n.endsWith('.js') && !n.endsWith('.test.js'))) {
    for (const match of readFileSync(join(MUTATED_DIR, name), 'utf8').matchAll(/stryMutAct_9fa48\("(\d+)"\)/g)) moduleOf[match[1]!] = name;
  }
  return moduleOf;
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
    // One file at a time, as a mutant runs them: StrykerJS sets each mutant's timeout from this run's time, so a
    // surviving mutant that runs every file is not cut short and counted as a timeout (which would count as a kill).
    const status = runAva(avaCli, ['--concurrency', '1'], COVERAGE_DIR);
    if (status !== 0) return status;
    if (readRecords().length === 0) {
      process.stderr.write(`exoarmur: the initial run recorded no coverage in ${COVERAGE_DIR} [MUTATION_NO_COVERAGE]\n`);
      return 1;
    }
    writeFileSync(MODULES_FILE, JSON.stringify(mutantModules()));
    return 0;
  }
  const records = readRecords();
  // Without the initial run's record (never expected), every test file runs: slower, still sound.
  if (records.length === 0) return runAva(avaCli, [], '');
  const moduleOf = existsSync(MODULES_FILE) ? (JSON.parse(readFileSync(MODULES_FILE, 'utf8')) as Record<string, string>) : {};
  const files = testFilesFor(mutant, records, moduleOf);
  if (files.length === 0) {
    process.stdout.write(`no test file reaches mutant ${mutant}\n`);
    return 0;
  }
  return runAva(avaCli, ['--concurrency', '1', ...files], '');
}

process.exitCode = main(process.argv.slice(2));
