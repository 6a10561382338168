/**
 * Test support for `make mutation`: keeps StrykerJS's incremental file (docs/mutation/) honest when
 * the tests change. StrykerJS diffs the mutated sources itself, but under the command runner it
 * sees one opaque test, so it would reuse every old "Survived" after a new test was added. Here the
 * judge (the tests, the test support and the mutation settings: everything but the mutated files)
 * is hashed, and the hash each mutated file was last tested by is sealed (judge.json); for each file
 * of a run whose sealed hash differs, every mutant not Killed is dropped from the incremental file so
 * StrykerJS tests it again. Killed mutants are kept: tests are only ever added or sharpened (FORCE=1
 * re-runs everything).
 *
 * Usage: incremental.js <incremental.json> <working copy> <sealed judge.json> <pending judge.json> [MUTATE]
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * The report without the mutants that were not Killed in the files given, and how many were dropped. Files outside
 * them keep every result (their judge hash stays as it was, so their turn comes when they are in a run).
 */
export function dropUnkilled(report: IncrementalReport, files: ReadonlySet<string>): { report: IncrementalReport; dropped: number } {
  let dropped = 0;
  const kept: IncrementalReport['files'] = {};
  for (const [name, file] of Object.entries(report.files)) {
    const mutants = files.has(name) ? file.mutants.filter((m) => m.status === 'Killed') : file.mutants;
    dropped += file.mutants.length - mutants.length;
    kept[name] = { ...file, mutants };
  }
  return { report: { ...report, files: kept }, dropped };
}

/** The mutated files a run covers: those MUTATE names (ranges cut off), or every core source when it is empty or a glob. */
export function filesInScope(mutate: string, allMutated: readonly string[]): string[] {
  const named = mutate
    .split(',')
    .map((m) => m.trim().replace(/:[\d:-]+$/, ''))
    .filter((m) => m !== '');
  return named.length === 0 || named.some((m) => m.includes('*')) ? [...allMutated] : named;
}

type JudgeHashes = Record<string, string>;

function main(argv: string[]): number {
  const [committedFile, workingFile, sealedFile, pendingFile, mutate = ''] = argv;
  if (committedFile === undefined || workingFile === undefined || sealedFile === undefined || pendingFile === undefined) {
    process.stderr.write('exoarmur: usage: incremental.js <incremental.json> <working copy> <sealed judge.json> <pending judge.json> [MUTATE] [USAGE]\n');
    return 2;
  }
  const current = judgeHash();
  const sealed = existsSync(sealedFile) ? (JSON.parse(readFileSync(sealedFile, 'utf8')) as JudgeHashes) : {};
  const scope = filesInScope(mutate, filesUnder('processor/core').filter(isMutated));
  const stale = new Set(scope.filter((file) => sealed[file] !== current));
  // The judge each file of this run is tested by; make mutation moves it over the sealed one once the run succeeded.
  const pending: JudgeHashes = { ...sealed };
  for (const file of scope) pending[file] = current;
  writeFileSync(pendingFile, `${JSON.stringify(pending, Object.keys(pending).sort(), 2)}\n`);
  // StrykerJS works on a copy, moved over the committed file only when the run succeeded: a stopped run leaves it as it was.
  rmSync(workingFile, { force: true });
  if (!existsSync(committedFile)) return 0;
  const { report, dropped } = dropUnkilled(JSON.parse(readFileSync(committedFile, 'utf8')) as IncrementalReport, stale);
  writeFileSync(workingFile, JSON.stringify(report, null, 2));
  if (dropped > 0) process.stdout.write(`the tests changed since these files were last tested: ${dropped} mutants not killed will be tested again\n`);
  return 0;
}

if (process.argv[1]?.endsWith('incremental.js')) process.exitCode = main(process.argv.slice(2));
