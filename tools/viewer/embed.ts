/**
 * Writes `<bundle>/index.html`: the evidence viewer with its CSS and JS inlined and the bundle's
 * files embedded, so the page opens from disk with no server and no network.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExoArmurError, UsageError } from '../../processor/errors.js';

const STYLESHEET_TAG = '<link rel="stylesheet" href="viewer.css">';
const SCRIPT_TAG = '<script src="viewer.js"></script>';

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
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function inline(html: string, tag: string, replacement: string, what: string): string {
  if (!html.includes(tag)) {
    throw new ExoArmurError('VIEWER_SOURCE_INVALID', `evidence-viewer/index.html lacks ${tag}; restore it so ${what} can be inlined`);
  }
  return html.replace(tag, () => replacement);
}

/** The viewer page with CSS and JS inlined and `files` embedded as `{ files: { name: text } }`. */
export async function viewerHtml(files: Record<string, string>, root: string = packageRoot()): Promise<string> {
  const source = path.join(root, 'evidence-viewer');
  const [html, css, js] = await Promise.all(['index.html', 'viewer.css', 'viewer.js'].map((name) => readFile(path.join(source, name), 'utf8')));
  if (/<\/style/i.test(css!) || /<\/script/i.test(js!)) {
    throw new ExoArmurError('VIEWER_SOURCE_INVALID', 'evidence-viewer/viewer.css or viewer.js contains a closing </style or </script; it cannot be inlined');
  }
  const withCss = inline(html!, STYLESHEET_TAG, `<style>\n${css}</style>`, 'viewer.css');
  const bundleScript = `<script type="application/json" id="exoarmur-bundle">${scriptSafeJson({ files })}</script>`;
  return inline(withCss, SCRIPT_TAG, `${bundleScript}\n<script>\n${js}</script>`, 'viewer.js');
}

/** A bundle file name from manifest.json: a plain name in the bundle directory, never a path. */
function assertPlainName(name: string, bundleDir: string): void {
  if (name === '' || name !== path.basename(name) || name === '.' || name === '..' || name.includes('\\')) {
    throw new UsageError('VIEWER_BAD_MANIFEST', `${path.join(bundleDir, 'manifest.json')} lists "${name}", which is not a plain file name; regenerate the bundle`);
  }
}

/**
 * Reads manifest.json and every file it lists from `bundleDir` and writes `<bundleDir>/index.html`.
 * A listed file that is missing is left out, so the page shows the bundle as incomplete instead of
 * refusing to render it. Returns the path written.
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
    if (!manifest.files || typeof manifest.files !== 'object') throw new Error('no "files" object');
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
  const target = path.join(bundleDir, 'index.html');
  await writeFile(target, await viewerHtml(files));
  return target;
}
