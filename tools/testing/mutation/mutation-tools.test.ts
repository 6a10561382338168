import test from 'ava';
import { dropUnkilled, filesInScope } from './incremental.js';
import { fileScores, scoreTable } from './score-table.js';

const report = {
  files: {
    'processor/core/gate.ts': { mutants: [{ status: 'Killed' }, { status: 'Survived' }, { status: 'Timeout' }, { status: 'Killed' }] },
    'processor/core/chain.ts': { mutants: [{ status: 'Survived' }, { status: 'NoCoverage' }, { status: 'CompileError' }] },
    'processor/core/types.ts': { mutants: [] },
  },
};

test('a changed judge drops the mutants not killed of the files in the run, and only those', (t) => {
  t.deepEqual(dropUnkilled(report, new Set(['processor/core/gate.ts'])), {
    report: { files: { ...report.files, 'processor/core/gate.ts': { mutants: [{ status: 'Killed' }, { status: 'Killed' }] } } },
    dropped: 2,
  });
  t.deepEqual(dropUnkilled(report, new Set()), { report, dropped: 0 });
});

test('the files of a run: those MUTATE names without their ranges, or all of them for none or a glob', (t) => {
  const all = ['processor/core/chain.ts', 'processor/core/gate.ts'];
  t.deepEqual(filesInScope('processor/core/gate.ts:10-20, processor/core/chain.ts', all), ['processor/core/gate.ts', 'processor/core/chain.ts']);
  t.deepEqual(filesInScope('processor/core/gate.ts:10:5-12:1', all), ['processor/core/gate.ts']);
  t.deepEqual(filesInScope('', all), all);
  t.deepEqual(filesInScope('processor/core/g*.ts', all), all);
});

test('the score table counts each status per file; invalid mutants are outside the score', (t) => {
  t.deepEqual(fileScores(report), [
    { file: 'processor/core/chain.ts', mutants: 3, killed: 0, survived: 1, timeout: 0, noCoverage: 1, invalid: 1 },
    { file: 'processor/core/gate.ts', mutants: 4, killed: 2, survived: 1, timeout: 1, noCoverage: 0, invalid: 0 },
  ]);
  t.is(
    scoreTable(fileScores(report)),
    [
      '| file | mutants | killed | survived | timeout | no coverage | invalid | score |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      '| processor/core/chain.ts | 3 | 0 | 1 | 0 | 1 | 1 | 0.0% |',
      '| processor/core/gate.ts | 4 | 2 | 1 | 1 | 0 | 0 | 75.0% |',
      '| **total** | 7 | 2 | 2 | 1 | 1 | 1 | 50.0% |',
    ].join('\n'),
  );
});
