/**
 * The core's purity boundary, checked on its source (this file sits beside processor/core, not in
 * it, because it must spell out the very calls it forbids): no node built-ins, no kafkajs/pino/avsc,
 * nothing from tools/ or the shell, no clock, randomness or environment.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/processor; the sources are in processor/core of the repository.
const coreSrc = join(here, '..', '..', 'processor', 'core');
const sources = readdirSync(coreSrc).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
const FORBIDDEN_CALLS: [RegExp, string][] = [
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/\bnew\s+Date\s*\(\s*\)/, 'new Date()'],
  [/\bDate\s*\(\s*\)/, 'Date()'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
  [/\bprocess\.(env|hrtime|uptime|argv)\b/, 'process.*'],
  [/\bperformance\.now\s*\(/, 'performance.now()'],
  [/\bcrypto\.(getRandomValues|randomUUID|subtle)\b/, 'crypto randomness'],
  [/\bsetTimeout\s*\(|\bsetInterval\s*\(/, 'timers'],
];

export function violations(name: string, text: string): string[] {
  const found: string[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  for (const m of code.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4]!;
    if (builtins.has(spec) || spec.startsWith('node:')) found.push(`${name}: imports node built-in ${spec}`);
    else if (!spec.startsWith('.')) found.push(`${name}: imports package ${spec}`);
    else if (/(^|\/)tools\//.test(spec) || /\.\.\/(kafka|codec|config|main)/.test(spec) || spec.includes('primitives'))
      found.push(`${name}: imports ${spec} from outside the core`);
  }
  for (const [re, what] of FORBIDDEN_CALLS) if (re.test(code)) found.push(`${name}: calls ${what}`);
  return found;
}

test('processor/core sources exist and import only each other', (t) => {
  t.true(sources.includes('index.ts') && sources.includes('api.ts') && sources.length >= 10);
  const problems = sources.flatMap((f) => violations(f, readFileSync(join(coreSrc, f), 'utf8')));
  t.deepEqual(problems, []);
});

test('the boundary check itself catches each forbidden thing', (t) => {
  const samples: [string, string][] = [
    ["import { createHash } from 'node:crypto';", 'node built-in node:crypto'],
    ["import fs from 'fs';", 'node built-in fs'],
    ["import { Kafka } from 'kafkajs';", 'package kafkajs'],
    ["import pino from 'pino';", 'package pino'],
    ["import { x } from '../../tools/cli.js';", 'outside the core'],
    ['const t = Date.now();', 'Date.now()'],
    ['const t = new Date();', 'new Date()'],
    ['const r = Math.random();', 'Math.random()'],
    ['const e = process.env.X;', 'process.*'],
  ];
  for (const [code, expected] of samples) {
    const v = violations('sample.ts', code);
    t.true(
      v.some((s) => s.includes(expected)),
      `${code} → ${v.join('; ')}`,
    );
  }
  t.deepEqual(violations('ok.ts', "import { a } from './a.js';\nconst t = new Date(ms).toISOString(); // new Date() in a comment"), []);
});
