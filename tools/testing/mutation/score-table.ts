/**
 * Test support for `make mutation`: the per-file score table of docs/mutation/scores.md, read from
 * StrykerJS's incremental file (which holds every mutant tested so far, from this run and earlier
 * ones). Score as StrykerJS computes it: (killed + timeout) / (killed + timeout + survived + no coverage).
 *
 * Usage: score-table.js <incremental.json>  (markdown on stdout)
 */
import { readFileSync } from 'node:fs';

interface Report {
  files: Record<string, { mutants: { status: string }[] }>;
}

export interface FileScore {
  file: string;
  mutants: number;
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  /** Compile or runtime errors and ignored mutants: not part of the score. */
  invalid: number;
}

export function fileScores(report: Report): FileScore[] {
  return Object.entries(report.files)
    .map(([file, { mutants }]) => {
      const count = (status: string) => mutants.filter((m) => m.status === status).length;
      const score = {
        file,
        mutants: mutants.length,
        killed: count('Killed'),
        survived: count('Survived'),
        timeout: count('Timeout'),
        noCoverage: count('NoCoverage'),
      };
      return { ...score, invalid: score.mutants - score.killed - score.survived - score.timeout - score.noCoverage };
    })
    .filter((s) => s.mutants > 0)
    .sort((a, b) => a.file.localeCompare(b.file));
}

function percent(s: FileScore): string {
  const valid = s.killed + s.timeout + s.survived + s.noCoverage;
  return valid === 0 ? 'n/a' : `${((100 * (s.killed + s.timeout)) / valid).toFixed(1)}%`;
}

export function scoreTable(scores: readonly FileScore[]): string {
  const total: FileScore = { file: '**total**', mutants: 0, killed: 0, survived: 0, timeout: 0, noCoverage: 0, invalid: 0 };
  for (const s of scores) {
    total.mutants += s.mutants;
    total.killed += s.killed;
    total.survived += s.survived;
    total.timeout += s.timeout;
    total.noCoverage += s.noCoverage;
    total.invalid += s.invalid;
  }
  const row = (s: FileScore) => `| ${s.file} | ${s.mutants} | ${s.killed} | ${s.survived} | ${s.timeout} | ${s.noCoverage} | ${s.invalid} | ${percent(s)} |`;
  return [
    '| file | mutants | killed | survived | timeout | no coverage | invalid | score |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...scores.map(row),
    row(total),
  ].join('\n');
}

if (process.argv[1]?.endsWith('score-table.js')) {
  const path = process.argv[2];
  if (path === undefined) {
    process.stderr.write('exoarmur: usage: score-table.js <incremental.json> [USAGE]\n');
    process.exitCode = 2;
  } else {
    const scores = fileScores(JSON.parse(readFileSync(path, 'utf8')) as Report);
    const header = [
      '# Mutation scores of processor/core',
      '',
      'Written by `make mutation` from docs/mutation/stryker-incremental.json (every result so far); do not edit.',
      'Survivors: killed by a test or listed as equivalent in docs/mutation.md.',
      '',
    ];
    process.stdout.write(`${[...header, scoreTable(scores)].join('\n')}\n`);
  }
}
