/**
 * Test support for `make mutation`: keeps StrykerJS's incremental file (docs/mutation/) honest when
 * the tests change. StrykerJS diffs the mutated sources itself, but under the command runner it
 * sees one opaque test, so it would reuse every old "Survived" after a new test was added. Here the
 * judge (the tests, the test support and the mutation settings: everything but the mutated files)
 * is hashed; when that hash differs from the one sealed after the last run, every mutant not Killed
 * is dropped from the incremental file so StrykerJS tests it again. Killed mutants are kept: tests
 * are only ever added or sharpened (FORCE=1 re-runs everything).
 *
 * Usage: incremental.js <incremental.json> <sealed judge.sha256> <pending judge.sha256>
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What judges the mutants; processor/core sources (not tests) are what StrykerJS mutates and diffs itself. */
const JUDGE_ROOTS = ['processor', 'schemas', 'tools/testing/mutation', 'ava.mutation.config.js', 'stryker.config.json'];

function isMutated(path: string): boolean {
  return /^processor\/core\/[^/]+\.ts$/.test(path) && !path.endsWith('.test.ts');
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** SHA-256 over the path and bytes of every judging file, in a fixed order. */
export function judgeHash(roots: readonly string[] = JUDGE_ROOTS): string {
  const hash = createHash('sha256');
  for (const file of roots.flatMap(filesUnder).filter((f) => !isMutated(f))) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

interface MutantResult {
  status: string;
}
interface IncrementalReport {
  files: Record<string, { mutants: MutantResult[] }>;
}

/** The report without its mutants that were not Killed, and how many were dropped. */
export function dropUnkilled(report: IncrementalReport): { report: IncrementalReport; dropped: number } {
  let dropped = 0;
  const files: IncrementalReport['files'] = {};
  for (const [name, file] of Object.entries(report.files)) {
    const kept = file.mutants.filter((m) => m.status === 'Killed');
    dropped += file.mutants.length - kept.length;
    files[name] = { ...file, mutants: kept };
  }
  return { report: { ...report, files }, dropped };
}

function main(argv: string[]): number {
  const [incrementalFile, sealedFile, pendingFile] = argv;
  if (incrementalFile === undefined || sealedFile === undefined || pendingFile === undefined) {
    process.stderr.write('exoarmur: usage: incremental.js <incremental.json> <sealed judge.sha256> <pending judge.sha256> [USAGE]\n');
    return 2;
  }
  // The hash of the judge this run starts with; make mutation moves it over the sealed one once the run succeeded.
  const current = judgeHash();
  writeFileSync(pendingFile, `${current}\n`);
  if (!existsSync(incrementalFile)) return 0;
  const sealed = existsSync(sealedFile) ? readFileSync(sealedFile, 'utf8').trim() : '';
  if (sealed === current) return 0;
  const { report, dropped } = dropUnkilled(JSON.parse(readFileSync(incrementalFile, 'utf8')) as IncrementalReport);
  writeFileSync(incrementalFile, JSON.stringify(report, null, 2));
  process.stdout.write(`the tests changed since the last mutation run: ${dropped} mutants not killed will be tested again\n`);
  return 0;
}

if (process.argv[1]?.endsWith('incremental.js')) process.exitCode = main(process.argv.slice(2));
