/** Pure tests of the embedding: bundle text that looks like markup can neither end nor alter the page's scripts. */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAFETY_RULE_DESCRIPTIONS } from '../../processor/core/gate-rules.js';
import { packageRoot, scriptSafeJson, viewerHtml, viewerScripts } from './embed.js';

const HOSTILE = '</script><script>alert(1)</script><!-- <script> \u2028\u2029 </style>';

test('scriptSafeJson keeps the value and leaves no "<" for the HTML parser', (t) => {
  const value = { files: { 'service.log': HOSTILE, 'PASS_FAIL.txt': 'RUN r\nOVERALL: PASS\n' } };
  const json = scriptSafeJson(value);
  t.false(json.includes('<'));
  t.deepEqual(JSON.parse(json), value);
});

test('viewerHtml inlines css and js and embeds the files and the rule descriptions exactly once, round-tripping hostile text', async (t) => {
  const files = { 'manifest.json': '{"files":{}}', 'service.log': HOSTILE };
  const html = await viewerHtml(files);
  t.false(html.includes('href="viewer.css"'));
  t.false(/<script src=/.test(html), 'no script is left to load from disk');
  const embedded = /<script type="application\/json" id="exoarmur-bundle">([^<]*)<\/script>/.exec(html);
  t.truthy(embedded, 'one bundle script whose content holds no "<"');
  t.deepEqual(JSON.parse(embedded![1]!), { files, rule_descriptions: SAFETY_RULE_DESCRIPTIONS }, 'the files, and the gate rules in words from gate-rules.ts');
  t.is(html.split('id="exoarmur-bundle"').length, 2);
  const scripts = viewerScripts(await readFile(join(packageRoot(), 'evidence-viewer', 'index.html'), 'utf8'));
  t.is(html.match(/<script\b/g)!.length, 1 + scripts.length, 'the bundle data script and every viewer script, nothing injected');
});

test('index.html loads the viewer scripts in order: contracts first, the entry point last, each once', async (t) => {
  const scripts = viewerScripts(await readFile(join(packageRoot(), 'evidence-viewer', 'index.html'), 'utf8'));
  t.deepEqual(scripts, [
    'contracts.js',
    'dom.js',
    'bundle.js',
    'counts.js',
    'record-checks.js',
    'signatures.js',
    'checks.js',
    'actuation.js',
    'derived.js',
    'run-gates.js',
    'gates.js',
    'proof.js',
    'overview.js',
    'time-axes.js',
    'time-tables.js',
    'time-chart.js',
    'reports.js',
    'operators.js',
    'trace.js',
    'viewer.js',
  ]);
});
