/**
 * The viewer re-implements what an operator signs (evidence-viewer/signatures.js); this holds it
 * equal to the core's actionSigningBytes: an action from before keep_contained's fields (absent or
 * null) and a keep_contained carrying them.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { actionSigningBytes } from '../../processor/core/signing.js';
import { at, makeOperator, signedAction } from '../../processor/testing/harness.js';
import { packageRoot } from './embed.js';

function viewerSignedBytes(): (action: unknown) => Uint8Array {
  const context: Record<string, unknown> = { TextEncoder };
  context['globalThis'] = context;
  for (const name of ['contracts.js', 'signatures.js']) runInNewContext(readFileSync(join(packageRoot(), 'evidence-viewer', name), 'utf8'), context, { filename: name });
  return (context['exoViewer'] as { signedBytes: (action: unknown) => Uint8Array }).signedBytes;
}

test('the viewer signs over the bytes the core verifies: without keep_contained fields, with them null, and with them set', (t) => {
  const alice = makeOperator('alice');
  const signedBytes = viewerSignedBytes();
  const approve = signedAction(alice);
  const { intent_id: _i, keep_until: _k, ...older } = approve;
  const keep = signedAction(alice, { action: 'keep_contained', intent_id: '01JK0000000000000000000001', keep_until: at(900), reason: 'r' });
  for (const action of [approve, older, keep, { ...keep, keep_until: null }]) {
    t.deepEqual(Buffer.from(signedBytes(JSON.parse(JSON.stringify(action)))).toString('utf8'), Buffer.from(actionSigningBytes(action)).toString('utf8'));
  }
  t.is(Buffer.from(signedBytes(approve)).toString('utf8'), Buffer.from(signedBytes(older)).toString('utf8'));
});
