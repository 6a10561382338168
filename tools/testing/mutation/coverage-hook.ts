/**
 * Test support for `make mutation`: an ava `require` module (ava.mutation.config.js) that, when
 * MUTATION_COVERAGE_DIR is set, writes which StrykerJS mutants the test file's worker reached.
 * StrykerJS's instrumented code counts every mutant it reaches in globalThis.__stryker__.mutantCoverage
 * (with no mutant active); ava runs each test file in its own worker, so that count is per test
 * file. The command runner (run-tests.ts) then gives each mutant only the test files that reach it,
 * the quickest first (ms: how long the file took here).
 */
import test, { registerCompletionHandler } from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface StrykerGlobal {
  __stryker__?: { mutantCoverage?: { static?: Record<string, number>; perTest?: Record<string, Record<string, number>> } };
}

/** The mutant ids counted so far in this worker (static and per test; the command runner sets no test id). */
export function reachedMutants(global: StrykerGlobal): string[] {
  const coverage = global.__stryker__?.mutantCoverage;
  const ids = new Set(Object.keys(coverage?.static ?? {}));
  for (const perTest of Object.values(coverage?.perTest ?? {})) for (const id of Object.keys(perTest)) ids.add(id);
  return [...ids].sort((a, b) => Number(a) - Number(b));
}

export default function recordReachedMutants(): void {
  const dir = process.env['MUTATION_COVERAGE_DIR'];
  if (dir === undefined || dir === '') return;
  const testFile = relative(process.cwd(), fileURLToPath(test.meta.file));
  const started = performance.now();
  registerCompletionHandler(() => {
    mkdirSync(dir, { recursive: true });
    const record = { testFile, ms: Math.round(performance.now() - started), mutants: reachedMutants(globalThis as StrykerGlobal) };
    writeFileSync(join(dir, `${testFile.replace(/[\\/]/g, '_')}.json`), JSON.stringify(record));
  });
}
