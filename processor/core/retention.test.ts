import test from 'ava';
import { at, auditKinds, configWith, kinds as kindsOf, payloadOf, retentionBuckets as buckets, Run, signedAction, telemetry } from '../testing/harness.js';
import type { OutputRecord } from './api.js';
import { BUCKET_KEYS, BUCKET_S, DEFAULT_APPROVAL_RETENTION_S, DEFAULT_DEDUPE_WINDOW_S, dueAt } from './retention.js';
import { IDEMPOTENCY_MARK, stateKeys } from './state.js';
import { msOf } from './time.js';
import { alice, config, retention, tick, tombstones, window } from '../testing/retention.js';

test('defaults: 7 days of event time for idempotency keys, 30 days for decided approvals; absent keys keep the config hash', (t) => {
  t.is(DEFAULT_DEDUPE_WINDOW_S, 604_800);
  t.is(DEFAULT_APPROVAL_RETENTION_S, 2_592_000);
  t.is(configWith().config_hash, configWith({ policy: {} }).config_hash);
  t.false(configWith().canonical.includes('dedupe_window_s'));
  t.false(configWith().canonical.includes('approval_retention_s'));
  t.not(configWith({ policy: { dedupe_window_s: DEFAULT_DEDUPE_WINDOW_S } }).config_hash, configWith().config_hash, 'a given key is part of the hash');
  t.throws(() => configWith({ policy: { dedupe_window_s: 0 } }), { message: /config key "policy.dedupe_window_s" must be a positive integer/ });
  t.throws(() => configWith({ policy: { approval_retention_s: 1.5 } }), { message: /config key "policy.approval_retention_s" must be a positive integer/ });
});

test('the due time is event time + retention rounded up to a whole minute', (t) => {
  t.is(BUCKET_S, 60);
  t.is(dueAt(at(0), window), at(window));
  t.is(dueAt(at(0.001), window), at(window + 60));
  t.is(dueAt(at(59.999), window), at(window + 60));
  t.is(dueAt(at(60), 1), at(120));
});

test('an idempotency key lives while stream time is at most event time + window, and goes by a tombstone one second past', (t) => {
  const table: Array<{ name: string; streamTo: number; kept: boolean }> = [
    { name: 'one second before the window', streamTo: window - 1, kept: true },
    { name: 'exactly at the window', streamTo: window, kept: true },
    { name: 'one millisecond past', streamTo: window + 0.001, kept: false },
    { name: 'one second past', streamTo: window + 1, kept: false },
  ];
  for (const row of table) {
    const run = new Run(config());
    const first = telemetry({ observed_at: at(0) });
    run.telemetry(first);
    const mark = stateKeys.telemetryIdem(`acme:${String(first['event_id'])}`);
    t.true(run.cache.has(mark), row.name);
    const moved = tick(run, row.streamTo);
    t.is(run.cache.has(mark), row.kept, row.name);
    t.is(tombstones(moved).includes(mark), !row.kept, `${row.name}: the tombstone is in the step that passes the window`);
    const again = run.telemetry(first);
    t.deepEqual(
      auditKinds(again),
      [row.kept ? 'telemetry_duplicate' : 'telemetry_rejected'],
      `${row.name}: a redelivery is ${row.kept ? 'a duplicate' : 'refused, never decided again'}`,
    );
    if (!row.kept) t.is(payloadOf(again, 'telemetry_rejected').reason_code, 'beyond_dedupe_window');
  }
});

test('an input already past its window at first delivery is refused and not kept; one exactly at it is decided and kept', (t) => {
  const run = new Run(config());
  tick(run, 600);
  const late = telemetry({ observed_at: at(600 - window - 60) });
  const out = run.telemetry(late);
  t.deepEqual(auditKinds(out), ['telemetry_rejected']);
  t.is(payloadOf(out, 'telemetry_rejected').reason_code, 'beyond_dedupe_window');
  const mark = stateKeys.telemetryIdem(`acme:${String(late['event_id'])}`);
  t.false(run.cache.has(mark));
  t.false(
    out.some((r) => r.key === mark),
    'not even a tombstone: the mark was never written',
  );
  const exactly = telemetry({ observed_at: at(600 - window) });
  t.is(auditKinds(run.telemetry(exactly))[0], 'telemetry_received');
  t.true(run.cache.has(stateKeys.telemetryIdem(`acme:${String(exactly['event_id'])}`)), 'exactly at the window is still kept');
});

test('keys due in one second share buckets of at most BUCKET_KEYS keys; all go, in order, with their buckets', (t) => {
  const run = new Run(config());
  const events = Array.from({ length: BUCKET_KEYS + 3 }, () => telemetry({ observed_at: at(0) }));
  for (const e of events) run.telemetry(e);
  const marks = events.map((e) => stateKeys.telemetryIdem(`acme:${String(e['event_id'])}`));
  const idem = buckets(run, 'idem');
  t.deepEqual(
    idem.map((b) => [b.bucket_id, b.due_at, b.keys.length]),
    [
      [`idem/${at(window)}/000000`, at(window), BUCKET_KEYS],
      [`idem/${at(window)}/000001`, at(window), 3],
    ],
  );
  t.deepEqual(
    idem.flatMap((b) => b.keys),
    marks,
  );
  const passed = tick(run, window + 1);
  t.deepEqual(
    tombstones(passed).filter((k) => k.startsWith('idem/t/') || k.startsWith('retention/')),
    [...marks.slice(0, BUCKET_KEYS), stateKeys.retention(idem[0]!.bucket_id), ...marks.slice(BUCKET_KEYS), stateKeys.retention(idem[1]!.bucket_id)],
  );
  t.deepEqual(
    buckets(run, 'idem').map((b) => b.due_at),
    [at(300)],
    'only the tick itself is left (121 + 120 s, rounded up to the minute)',
  );
});

test('a late input goes into its own place in the list, walking back over buckets only', (t) => {
  const run = new Run(config({ dedupe_window_s: 600 }));
  tick(run, 10);
  tick(run, 250);
  tick(run, 130);
  t.deepEqual(
    buckets(run, 'idem').map((b) => b.due_at),
    [at(660), at(780), at(900)],
  );
});

test('a decided approval and its release guard live for approval_retention_s after the decision, then go by tombstones', (t) => {
  const run = new Run(config({ trust: { 'cell-low': 0.3 } }));
  const out = run.telemetry(telemetry({ cell_id: 'cell-low', observed_at: at(0) }));
  const req = payloadOf(out, 'approval_requested');
  run.action(signedAction(alice, { approval_id: req.approval_id, intent_hash: req.intent_hash, decided_at: at(60) }));
  const approvalKey = stateKeys.approval(req.approval_id);
  const guardKey = stateKeys.released(req.intent_id);
  t.is(run.cache.get(approvalKey)!.approval!.status, 'granted');
  t.true(run.cache.has(guardKey));
  t.deepEqual(
    buckets(run, 'decided').map((b) => [b.due_at, b.keys]),
    [[at(60 + retention), [approvalKey, guardKey]]],
  );
  tick(run, 60 + retention);
  t.true(run.cache.has(approvalKey), 'exactly at the retention: kept');
  const passed = tick(run, 60 + retention + 1);
  t.deepEqual(
    tombstones(passed).filter((k) => k === approvalKey || k === guardKey),
    [approvalKey, guardKey],
  );
  t.deepEqual(buckets(run, 'decided'), []);
});

test('an expired approval is kept for the retention after its expiry', (t) => {
  const run = new Run(config({ trust: { 'cell-low': 0.3 }, approval_ttl_s: 60 }));
  const out = run.telemetry(telemetry({ cell_id: 'cell-low', observed_at: at(0) }));
  const req = payloadOf(out, 'approval_requested');
  const approvalKey = stateKeys.approval(req.approval_id);
  t.deepEqual(auditKinds(tick(run, 61)).slice(0, 1), ['approval_expired']);
  t.is(run.cache.get(approvalKey)!.approval!.decided_at, at(60));
  tick(run, 60 + retention);
  t.true(run.cache.has(approvalKey));
  tick(run, 60 + retention + 1);
  t.false(run.cache.has(approvalKey));
});

test('a dedupe window shorter than the approval ttl: the telemetry redelivered past its window is refused, its granted approval is not reopened', (t) => {
  // Before event-time bounds, this redelivery was decided again and its approval id came back, pending.
  const run = new Run(config({ trust: { 'cell-low': 0.3 }, approval_ttl_s: 120, dedupe_window_s: 60, approval_retention_s: 120 }));
  const event = telemetry({ cell_id: 'cell-low', observed_at: at(0) });
  const req = payloadOf(run.telemetry(event), 'approval_requested');
  run.action(signedAction(alice, { approval_id: req.approval_id, intent_hash: req.intent_hash, decided_at: at(10) }));
  const approvalKey = stateKeys.approval(req.approval_id);
  const guardKey = stateKeys.released(req.intent_id);
  tick(run, 61); // the event's mark (due at 60) goes; the grant (decided at 10, due at 130 → 180) stays
  t.is(run.cache.get(approvalKey)!.approval!.status, 'granted');
  const again = run.telemetry(event);
  t.deepEqual(kindsOf(again), ['telemetry_rejected', 'dlq', 'state:meta']);
  t.is(payloadOf(again, 'telemetry_rejected').reason_code, 'beyond_dedupe_window');
  t.is(run.cache.get(approvalKey)!.approval!.status, 'granted', 'not reopened');
  tick(run, 180);
  t.true(run.cache.has(approvalKey) && run.cache.has(guardKey), 'kept while stream time is at the due minute');
  const passed = tick(run, 181);
  t.deepEqual(
    tombstones(passed).filter((k) => k === approvalKey || k === guardKey),
    [approvalKey, guardKey],
  );
});

test('the same inputs give the same tombstones, byte for byte, on a second run', (t) => {
  const play = (): OutputRecord[] => {
    const run = new Run(config());
    for (let s = 0; s < 400; s += 7) run.telemetry(telemetry({ event_id: `01J0000000000000000000${String(s).padStart(4, '0')}`, observed_at: at(s) }));
    return run.all.filter((r) => r.role === 'state');
  };
  const first = play();
  t.true(tombstones(first).some((k) => k.startsWith('idem/t/')));
  t.deepEqual(play(), first);
});

test('marks a build before retention left in no bucket are bucketed at the next delivery, kept a window past that stream time, then go', (t) => {
  const run = new Run(config());
  const old = [0, 10, 20].map((s) => telemetry({ correlation_id: `old-${s}`, observed_at: at(s) }));
  for (const event of old) run.telemetry(event);
  // What such a build left: the marks, and no bucket nor list ends in the partition's meta.
  for (const key of [...run.cache.keys()]) if (key.startsWith('retention/idem/')) run.cache.delete(key);
  const meta = run.cache.get('meta/0')!;
  run.cache.set('meta/0', { ...meta, meta: { ...meta.meta!, idem_retention_head: null, idem_retention_tail: null } });
  const marks = old.map((e) => stateKeys.telemetryIdem(`acme:${String(e['event_id'])}`)).sort();

  t.deepEqual(auditKinds(run.telemetry(old[0]!)), ['telemetry_duplicate']);
  const due = dueAt(at(20), window);
  t.deepEqual(
    buckets(run, 'idem').map((b) => ({ due_at: b.due_at, keys: b.keys })),
    [{ due_at: due, keys: marks }],
  );
  t.deepEqual(auditKinds(run.telemetry(old[1]!)), ['telemetry_duplicate'], 'bucketed once: the list is no longer empty');
  t.is(buckets(run, 'idem').length, 1);

  tick(run, (msOf(due) - msOf(at(0))) / 1000);
  t.true(
    marks.every((k) => run.cache.has(k)),
    'kept while stream time is at the due time',
  );
  const moved = tick(run, (msOf(due) - msOf(at(0))) / 1000 + 1);
  t.deepEqual(
    tombstones(moved).filter((k) => k.startsWith('idem/')),
    marks,
  );
  t.deepEqual(auditKinds(run.telemetry(old[2]!)), ['telemetry_rejected'], 'past its window a redelivery is refused (beyond_dedupe_window)');
});

test('marks in a partition never stepped (no meta record, as the bench fills state directly) are left alone', (t) => {
  const run = new Run(config());
  const filled = stateKeys.telemetryIdem('acme:01JBENCH000000000000000001');
  run.cache.set(filled, IDEMPOTENCY_MARK);
  const event = telemetry({ observed_at: at(0) });
  run.telemetry(event);
  t.deepEqual(
    buckets(run, 'idem').flatMap((b) => b.keys),
    [stateKeys.telemetryIdem(`acme:${String(event['event_id'])}`)],
  );
  t.true(run.cache.has(filled));
});
