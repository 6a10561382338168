/**
 * Writes `<bundle>/index.html`: the evidence viewer with its CSS and JS inlined and the bundle's
 * files embedded, so the page opens from disk with no server and no network.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SAFETY_RULE_DESCRIPTIONS } from '../../processor/core/gate-rules.js';
import { ExoArmurError, UsageError } from '../../processor/errors.js';
import { BUNDLE_FILES } from '../bundle/files.js';

const STYLESHEET_TAG = '<link rel="stylesheet" href="viewer.css">';
/** The viewer's classic scripts, as index.html loads them: in order, each a plain file of evidence-viewer/. */
const SCRIPT_TAG = /<script src="([a-z][a-z0-9-]*\.js)"><\/script>/g;

/** The package root: the nearest ancestor of this module holding evidence-viewer/ (works from tools/ and dist/tools/). */
export function packageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(path.join(dir, 'evidence-viewer', 'index.html')) && existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new ExoArmurError('VIEWER_SOURCE_MISSING', `no evidence-viewer/index.html above ${from}; reinstall the package so evidence-viewer/ ships with it`);
    }
    dir = parent;
  }
}

/**
 * JSON that is safe inside a `<script>` element: every `<` becomes `\u003c`, so neither `</script`
 * nor `<!--` can end or alter the element; the JSON value is unchanged.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The script files index.html loads, in its order. */
export function viewerScripts(html: string): string[] {
  return [...html.matchAll(SCRIPT_TAG)].map((m) => m[1]!);
}

/**
 * The viewer page with its CSS and every script inlined (in index.html's order) and `files`
 * embedded as `{ files: { name: text }, rule_descriptions }` before the first script, which is where
 * the entry point looks for it. The rule descriptions are the gate's own table (gate-rules.ts),
 * embedded when the page is written so the viewer never keeps a copy of its own.
 */
export async function viewerHtml(files: Record<string, string>, root: string = packageRoot()): Promise<string> {
  const source = path.join(root, 'evidence-viewer');
  const read = (name: string) => readFile(path.join(source, name), 'utf8');
  const [html, css] = await Promise.all([read('index.html'), read('viewer.css')]);
  const scripts = viewerScripts(html);
  if (!html.includes(STYLESHEET_TAG) || scripts.length === 0) {
    throw new ExoArmurError('VIEWER_SOURCE_INVALID', `evidence-viewer/index.html lacks ${STYLESHEET_TAG} or its <script src="…"> tags; restore it so the viewer can be inlined`);
  }
  const code = new Map(await Promise.all(scripts.map(async (name) => [name, await read(name)] as const)));
  for (const [name, text] of [['viewer.css', css], ...code] as const) {
    if (/<\/style|<\/script/i.test(text)) {
      throw new ExoArmurError('VIEWER_SOURCE_INVALID', `evidence-viewer/${name} contains a closing </style or </script; it cannot be inlined`);
    }
  }
  const bundleScript = `<script type="application/json" id="exoarmur-bundle">${scriptSafeJson({ files, rule_descriptions: SAFETY_RULE_DESCRIPTIONS })}</script>`;
  let first = true;
  const withScripts = html.replace(SCRIPT_TAG, (_tag, name: string) => {
    const inlined = `<script>\n${code.get(name)}</script>`;
    if (!first) return inlined;
    first = false;
    return `${bundleScript}\n${inlined}`;
  });
  return withScripts.replace(STYLESHEET_TAG, () => `<style>\n${css}</style>`);
}

/** A bundle file name from manifest.json: a plain name in the bundle directory, never a path. */
function assertPlainName(name: string, bundleDir: string): void {
  if (name === '' || name !== path.basename(name) || name === '.' || name === '..' || name.includes('\\')) {
    throw new UsageError('VIEWER_BAD_MANIFEST', `${path.join(bundleDir, 'manifest.json')} lists "${name}", which is not a plain file name; regenerate the bundle`);
  }
}

/**
 * Reads manifest.json and every file it lists from `bundleDir` (and whatif_report.json, if there is
 * one) and writes `<bundleDir>/index.html`. A listed file that is missing is left out, so the page
 * shows the bundle as incomplete instead of refusing to render it. Returns the path written.
 */
export async function writeViewerHtml(bundleDir: string): Promise<string> {
  const manifestPath = path.join(bundleDir, 'manifest.json');
  let manifestText: string;
  try {
    manifestText = await readFile(manifestPath, 'utf8');
  } catch (cause) {
    throw new UsageError('VIEWER_NO_MANIFEST', `${manifestPath} cannot be read; point at an evidence bundle directory (artifacts/<run_id>/)`, { cause });
  }
  let listed: string[];
  try {
    const manifest = JSON.parse(manifestText) as { files?: Record<string, string> };
    if (!manifest.files || typeof manifest.files !== 'object') throw new UsageError('VIEWER_BAD_MANIFEST', 'no "files" object');
    listed = Object.keys(manifest.files);
  } catch (cause) {
    throw new UsageError('VIEWER_BAD_MANIFEST', `${manifestPath} is not a bundle manifest (${(cause as Error).message}); regenerate the bundle`, { cause });
  }
  const files: Record<string, string> = { 'manifest.json': manifestText };
  for (const name of listed) {
    assertPlainName(name, bundleDir);
    const filePath = path.join(bundleDir, name);
    if (existsSync(filePath)) files[name] = await readFile(filePath, 'utf8');
  }
  // A what-if report placed in the bundle (exoarmur whatif --bundle DIR --out DIR/whatif_report.json) is shown too; no manifest covers it.
  const whatif = path.join(bundleDir, BUNDLE_FILES.whatifReport);
  if (existsSync(whatif)) files[BUNDLE_FILES.whatifReport] = await readFile(whatif, 'utf8');
  const target = path.join(bundleDir, 'index.html');
  await writeFile(target, await viewerHtml(files));
  return target;
}
