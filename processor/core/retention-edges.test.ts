/**
 * Retention (retention.ts) at its edges, by table: a third page of one minute's bucket, marks in no bucket at exactly
 * BUCKET_KEYS and one more, an approval expiring in a step already past its retention (and at it), a reverted
 * containment's record, and approval_retention_s lengthened between runs (a bucket never deletes a key due later).
 */
import test from 'ava';
import { at, auditKinds, payloadOf, retentionBuckets as buckets, Run, signedAction, telemetry } from '../testing/harness.js';
import { BUCKET_KEYS, dueAt } from './retention.js';
import { stateKeys } from './state.js';
import { alice, config, retention, tick, tombstones, window } from '../testing/retention.js';

test('keys due in one minute past 2 x BUCKET_KEYS fill a third page, numbered after the last', (t) => {
  const run = new Run(config());
  for (let i = 0; i < 2 * BUCKET_KEYS + 1; i++) run.telemetry(telemetry({ observed_at: at(0) }));
  t.deepEqual(
    buckets(run, 'idem').map((b) => [b.bucket_id, b.keys.length]),
    [
      [`idem/${at(window)}/000000`, BUCKET_KEYS],
      [`idem/${at(window)}/000001`, BUCKET_KEYS],
      [`idem/${at(window)}/000002`, 1],
    ],
  );
});

// Marks left in no bucket, exactly BUCKET_KEYS of them and one more: [count, pages and their sizes]
const unbucketed: [number, [string, number][]][] = [
  [BUCKET_KEYS, [['000000', BUCKET_KEYS]]],
  [
    BUCKET_KEYS + 1,
    [
      ['000000', BUCKET_KEYS],
      ['000001', 1],
    ],
  ],
];

for (const [count, pages] of unbucketed) {
  test(`${count} marks in no bucket are bucketed in pages of BUCKET_KEYS, every mark once`, (t) => {
    const run = new Run(config());
    const old = Array.from({ length: count }, (_, i) => telemetry({ correlation_id: `old-${i}`, observed_at: at(0) }));
    for (const event of old) run.telemetry(event);
    for (const key of [...run.cache.keys()]) if (key.startsWith('retention/idem/')) run.cache.delete(key);
    const meta = run.cache.get('meta/0')!;
    run.cache.set('meta/0', { ...meta, meta: { ...meta.meta!, idem_retention_head: null, idem_retention_tail: null } });
    const marks = old.map((e) => stateKeys.telemetryIdem(`acme:${String(e['event_id'])}`)).sort();

    t.deepEqual(auditKinds(run.telemetry(old[0]!)), ['telemetry_duplicate']);
    const due = dueAt(at(0), window);
    const idem = buckets(run, 'idem');
    t.deepEqual(
      idem.map((b) => [b.bucket_id, b.due_at, b.keys.length]),
      pages.map(([page, size]) => [`idem/${due}/${page}`, due, size]),
    );
    t.deepEqual(
      idem.flatMap((b) => b.keys),
      marks,
    );
  });
}

// An approval that expires in a step whose stream time is already past its retention is not kept at all;
// exactly at the due minute it is bucketed and goes one second later. [stream time s, kept after the step]
const expiredLate: [number, boolean][] = [
  [60 + retention, true],
  [60 + retention + 1, false],
];

for (const [streamTo, kept] of expiredLate) {
  test(`an approval expiring (at 60 s) in a step at stream time ${streamTo} s is ${kept ? 'kept until its due minute' : 'deleted in that step'}`, (t) => {
    const run = new Run(config({ trust: { 'cell-low': 0.3 }, approval_ttl_s: 60 }));
    const req = payloadOf(run.telemetry(telemetry({ cell_id: 'cell-low', observed_at: at(0) })), 'approval_requested');
    const approvalKey = stateKeys.approval(req.approval_id);
    const out = tick(run, streamTo);
    t.deepEqual(auditKinds(out).slice(0, 1), ['approval_expired']);
    t.is(run.cache.has(approvalKey), kept);
    t.deepEqual(
      buckets(run, 'decided').flatMap((b) => b.keys),
      kept ? [approvalKey] : [],
    );
  });
}

// A reverted containment's record (contained/<id>): [name, approval_retention_s from the revert on, kept 1 s past the first due minute]
const revertedRecord: [string, number, boolean][] = [
  ['goes approval_retention_s after its end: kept at the due minute, gone 1 s later', retention, false],
  ['stays when approval_retention_s is lengthened after the revert: its bucket comes due before the record does', 2 * retention, true],
];

for (const [name, retentionAfter, keptPast] of revertedRecord) {
  test(`a reverted containment's record ${name}`, (t) => {
    const policy = {
      action_overrides: { port_scan: 'A1_soft_containment' },
      containment_ttl_s: { A1_soft_containment: 60 },
      revert_intent_types: { A1_soft_containment: 'unblock_host' },
    };
    const run = new Run(config(policy));
    const released = run.telemetry(telemetry({ event_type: 'port_scan', attributes: { confidence: 0.9 }, entity_refs: { host: 'h1' }, observed_at: at(0) }));
    const intentId = (released.find((r) => r.role === 'execute')!.value as { intent_id: string }).intent_id;
    const off = stateKeys.contained(intentId);
    tick(run, 61);
    t.is(run.cache.get(off)!.contained!.status, 'reverted');
    t.deepEqual(
      buckets(run, 'decided').map((b) => [b.due_at, b.keys]),
      [[at(60 + retention), [off]]],
    );
    run.config = config({ ...policy, approval_retention_s: retentionAfter });
    tick(run, 60 + retention);
    t.true(run.cache.has(off));
    t.deepEqual(
      tombstones(tick(run, 60 + retention + 1)).filter((k) => k === off || k.startsWith('retention/decided/')),
      keptPast ? [stateKeys.retention(`decided/${at(60 + retention)}/000000`)] : [off, stateKeys.retention(`decided/${at(60 + retention)}/000000`)],
    );
    t.is(run.cache.has(off), keptPast);
  });
}

test('approval_retention_s lengthened between runs: a bucket due before the new due time leaves its approval in place, and it goes at the new due time', (t) => {
  const run = new Run(config({ trust: { 'cell-low': 0.3 } }));
  const req = payloadOf(run.telemetry(telemetry({ cell_id: 'cell-low', observed_at: at(0) })), 'approval_requested');
  run.action(signedAction(alice, { approval_id: req.approval_id, intent_hash: req.intent_hash, decided_at: at(60) }));
  const approvalKey = stateKeys.approval(req.approval_id);
  const guardKey = stateKeys.released(req.intent_id);
  run.config = config({ trust: { 'cell-low': 0.3 }, approval_retention_s: 2 * retention });
  const passed = tick(run, 60 + retention + 1);
  t.deepEqual(
    tombstones(passed).filter((k) => k === approvalKey || k === guardKey),
    [],
  );
  t.is(run.cache.get(approvalKey)!.approval!.status, 'granted');
  t.true(run.cache.has(guardKey));
  // Moved to the bucket of the new due time (decided at 60 s + twice the retention), not left in no bucket.
  const newDue = at(60 + 2 * retention);
  t.deepEqual(
    buckets(run, 'decided').map((b) => [b.due_at, b.keys]),
    [[newDue, [approvalKey, guardKey]]],
  );
  const decidedKeys = (k: string) => k === approvalKey || k === guardKey || k.startsWith('retention/decided/');
  t.deepEqual(tombstones(tick(run, 60 + 2 * retention)).filter(decidedKeys), []);
  t.deepEqual(tombstones(tick(run, 60 + 2 * retention + 1)).filter(decidedKeys), [approvalKey, guardKey, stateKeys.retention(`decided/${newDue}/000000`)]);
  t.false(run.cache.has(approvalKey));
  t.false(run.cache.has(guardKey));
});
