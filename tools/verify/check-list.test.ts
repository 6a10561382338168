/**
 * The CLI and the viewer run one list of checks: the same names, in the same order, the same
 * count; and the viewer's trace stages place every audit event kind. Each side implements them
 * separately on purpose; this holds the lists equal by loading the viewer's scripts as a browser
 * would (classic scripts sharing globalThis.exoViewer).
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { packageRoot } from '../viewer/embed.js';
import { PAYLOAD_TYPE_OF_KIND, RECEIPT_KINDS } from '../../processor/core/audit-types.js';
import { CHECK_NAMES } from './verify.js';

/** The viewer namespace after loading `scripts` (in index.html's order) in a fresh context. */
function loadViewerScripts(scripts: readonly string[]): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  context['globalThis'] = context;
  for (const name of scripts) runInNewContext(readFileSync(join(packageRoot(), 'evidence-viewer', name), 'utf8'), context, { filename: name });
  return context['exoViewer'] as Record<string, unknown>;
}

test('the viewer runs exactly the checks `exoarmur verify` runs, named alike and in the same order', (t) => {
  const viewer = loadViewerScripts(['contracts.js', 'counts.js', 'checks.js']);
  t.deepEqual(viewer['CHECKS'], Object.values(CHECK_NAMES));
  t.is((viewer['CHECKS'] as string[]).length, 11);
});

test("the viewer's trace stages place every audit event kind the core writes exactly once, receipts in the receipt stage", (t) => {
  const viewer = loadViewerScripts(['contracts.js']);
  const stages = viewer['STAGES'] as [string, string[]][];
  const placed = stages.flatMap(([, kinds]) => kinds);
  t.deepEqual([...placed].sort(), Object.keys(PAYLOAD_TYPE_OF_KIND).sort());
  t.is(new Set(placed).size, placed.length);
  t.deepEqual(stages.find(([stage]) => stage === 'receipt')?.[1], [...RECEIPT_KINDS]);
});
