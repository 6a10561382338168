/** Whatever arrives, the core answers with values, never exceptions: one receipt per delivery. */
import test from 'ava';
import { configWith, Run, telemetry } from '../testing/harness.js';
import type { AuditRecordV1 } from './types.js';

/** A small seeded generator so the corpus is the same on every run. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const RECEIPTS = new Set(['telemetry_received', 'telemetry_duplicate', 'telemetry_rejected']);

test('400 mutated telemetry values each give exactly one receipt and never throw', (t) => {
  const rand = lcg(42);
  const run = new Run(configWith());
  const weird: unknown[] = [
    null,
    0,
    -1,
    1e308,
    '',
    'x'.repeat(300),
    [],
    {},
    true,
    '2026-13-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    'a/b%c',
    { confidence: 2 },
  ];
  const fields = Object.keys(telemetry());
  for (let i = 0; i < 400; i++) {
    const ev: Record<string, unknown> = telemetry({ correlation_id: `f${i % 13}`, cell_id: `cell-${i % 5}` });
    const mutations = 1 + Math.floor(rand() * 3);
    for (let m = 0; m < mutations; m++) {
      const field = fields[Math.floor(rand() * fields.length)]!;
      const choice = rand();
      if (choice < 0.15) delete ev[field];
      else if (choice < 0.9) ev[field] = weird[Math.floor(rand() * weird.length)];
      else ev[`extra_${m}`] = 1;
    }
    let bytes = Buffer.from(JSON.stringify(ev));
    if (rand() < 0.1) bytes = bytes.subarray(0, Math.floor(rand() * bytes.length));
    const out = run.telemetry(bytes, rand() < 0.5 ? 'acme:x' : null);
    const receipts = out.filter((r) => r.role === 'audit' && RECEIPTS.has((r.value as AuditRecordV1).event_kind));
    t.is(receipts.length, 1);
  }
  t.is(run.audits().filter((a) => RECEIPTS.has(a.event_kind)).length, 400);
});
