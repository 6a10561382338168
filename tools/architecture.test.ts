/**
 * Layering rules of the whole tree, checked on the sources: no import cycles, and shipped code
 * never depends on test support (the image ships no tests, so such an import would break it).
 * Each rule is also shown to catch a violation, so a broken scan cannot pass silently.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { importCycles, importSpecifiers, isTestSupport, readSourceGraph, REPO_ROOT, resolveLocal } from './testing/source-graph.js';

const graph = readSourceGraph();

test('the source graph holds the processor and the tools', (t) => {
  t.true(graph.has('processor/main.ts') && graph.has('tools/cli.ts'));
  t.true(graph.size > 100, `${graph.size} modules`);
  t.deepEqual(
    graph.get('tools/cli.ts')!.localImports.filter((p) => !graph.has(p)),
    [],
    'every local import resolves to a source',
  );
});

test('no import cycles', (t) => {
  t.deepEqual(importCycles(graph), []);
});

test('the cycle check finds direct, long and self cycles and passes a diamond', (t) => {
  const g = (edges: Record<string, string[]>) => new Map(Object.entries(edges).map(([k, v]) => [k, { localImports: v }]));
  t.deepEqual(importCycles(g({ a: ['b'], b: ['a'], c: [] })), [['a', 'b']]);
  t.deepEqual(importCycles(g({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] })), [['a', 'b', 'c']]);
  t.deepEqual(importCycles(g({ a: ['a'] })), [['a']]);
  t.deepEqual(importCycles(g({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] })), []);
});

test('shipped code imports no test support', (t) => {
  const offending = [...graph.values()].filter((m) => !isTestSupport(m.path)).flatMap((m) => m.localImports.filter(isTestSupport).map((to) => `${m.path} -> ${to}`));
  t.deepEqual(offending, []);
});

test('the test-support rule recognises tests and testing folders, and resolves imports', (t) => {
  t.true(isTestSupport('tools/replay/replay.integration.test.ts'));
  t.true(isTestSupport('tools/testing/broker.ts'));
  t.true(isTestSupport('processor/testing/harness.ts'));
  t.false(isTestSupport('tools/reality/run.ts'));
  t.false(isTestSupport('processor/kafka/testing-notes.ts'));
  t.is(resolveLocal('tools/reality/run.ts', '../testing/broker.js'), 'tools/testing/broker.ts');
  t.deepEqual(importSpecifiers("import { a } from './a.js';\n// import { b } from './b.js';\nexport { c } from '../c.js';\nconst d = await import('./d.js');"), [
    './a.js',
    '../c.js',
    './d.js',
  ]);
});

test('the image build (tsconfig.build.json, used by the Dockerfile) compiles no test and no test support', (t) => {
  // tsc follows imports, so a shipped module importing test support would pull it back in here.
  const listed = execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(REPO_ROOT, 'tsconfig.build.json'), '--listFilesOnly'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.startsWith(REPO_ROOT) && !line.includes('/node_modules/'))
    .map((line) => relative(REPO_ROOT, line));
  t.true(listed.includes('processor/main.ts') && listed.includes('tools/cli.ts'), 'the build holds the shipped entry points');
  t.deepEqual(listed.filter(isTestSupport), []);
});
