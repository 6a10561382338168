import test from 'ava';
import { decodeRecord, encodeRecord, toCoreInput } from '../codec/index.js';
import { coreConfigOf } from '../config/index.js';
import { nodePrimitives } from '../primitives.js';
import { makeOperator, RECORD_TIME, telemetry } from '../testing/harness.js';
import { playScenario } from '../testing/scenario.js';
import { GENESIS_HASH, recordHash, verifyChain } from './chain.js';
import { step } from './index.js';
import { applyStateEntry, applyStateRecords, coalesceStateRecords, type StateValue } from './state.js';
import type { AuditRecordV1, DeadLetterV1, ExecutionIntentV1 } from './types.js';

const alice = makeOperator('alice');
const bob = makeOperator('bob');

test('the same input sequence run twice gives byte-identical records', (t) => {
  const a = playScenario(alice, bob).all;
  const b = playScenario(alice, bob).all;
  t.is(a.length, b.length);
  t.true(a.length > 100);
  for (let i = 0; i < a.length; i++) {
    t.is(a[i]!.role, b[i]!.role);
    t.is(a[i]!.key, b[i]!.key);
    t.deepEqual(encodeRecord(a[i]!.role, a[i]!.value).value, encodeRecord(b[i]!.role, b[i]!.value).value);
  }
});

test('ids are unique across the run and the chain verifies from genesis', (t) => {
  const run = playScenario(alice, bob);
  const audits = run.audits();
  t.is(audits[0]!.prev_hash, GENESIS_HASH);
  t.deepEqual(
    audits.map((r) => r.seq),
    audits.map((_, i) => i),
  );
  t.is(verifyChain(nodePrimitives, audits), null);
  const ids = [
    ...audits.map((r) => r.audit_id),
    ...run.all.filter((r) => r.role === 'dlq').map((r) => (r.value as DeadLetterV1).dead_letter_id),
    ...new Set(audits.filter((r) => r.event_kind === 'intent_proposed').map((r) => (r as AuditRecordV1<'intent_proposed'>).payload.intent.intent_id)),
    ...audits.filter((r) => r.event_kind === 'approval_requested').map((r) => (r as AuditRecordV1<'approval_requested'>).payload.approval_id),
  ];
  t.is(new Set(ids).size, ids.length);
  const executed = run.all.filter((r) => r.role === 'execute').map((r) => (r.value as ExecutionIntentV1).intent_id);
  t.is(new Set(executed).size, executed.length, 'each intent released at most once');
});

test('a different partition gives different audit ids for the same inputs (kill switches go to every partition)', (t) => {
  const p0 = playScenario(alice, bob, 0)
    .audits()
    .map((r) => r.audit_id);
  const p1 = playScenario(alice, bob, 1)
    .audits()
    .map((r) => r.audit_id);
  t.is(p0.filter((id) => p1.includes(id)).length, 0);
});

test('the chain detects an edited, a dropped and a reordered record', (t) => {
  const audits = playScenario(alice, bob).audits();
  const edited = audits.map((r) => ({ ...r }));
  edited[10] = { ...edited[10]!, process_time: '2030-01-01T00:00:00.000Z' };
  t.like(verifyChain(nodePrimitives, edited), { index: 10, kind: 'edited', seq: 10 });

  // An edit that also recomputes its own hash is caught by the next record's link.
  const rehashed = audits.map((r) => ({ ...r }));
  const changed = { ...rehashed[10]!, tenant_id: 'evil' };
  rehashed[10] = { ...changed, record_hash: recordHash(nodePrimitives, changed) };
  t.like(verifyChain(nodePrimitives, rehashed), { index: 11, kind: 'broken_link' });

  const dropped = audits.filter((_, i) => i !== 20);
  t.like(verifyChain(nodePrimitives, dropped), { index: 20, kind: 'seq_gap', seq: 21 });

  const reordered = audits.slice();
  [reordered[30], reordered[31]] = [reordered[31]!, reordered[30]!];
  t.like(verifyChain(nodePrimitives, reordered), { index: 30, kind: 'seq_gap', seq: 31 });

  // Dropping the last record is undetectable by the chain alone but a suffix check from a known head is not.
  t.is(verifyChain(nodePrimitives, audits.slice(0, -1)), null);
  t.like(verifyChain(nodePrimitives, audits.slice(5), { seq: 5, prevHash: audits[3]!.record_hash }), { index: 0, kind: 'broken_link' });
});

test('a cache rebuilt from the encoded state changelog equals the live cache and continues identically', (t) => {
  const run = playScenario(alice, bob);
  const restored = new Map<string, StateValue>();
  for (const r of run.all) {
    if (r.role !== 'state') continue;
    const encoded = encodeRecord('state', r.value);
    const decoded = decodeRecord('state', encoded.value, encoded.headers);
    if (!decoded.ok) throw new Error(decoded.reason);
    applyStateEntry(restored, r.key!, decoded.value as StateValue | null);
  }
  t.deepEqual([...restored.keys()].sort(), [...run.cache.keys()].sort());
  for (const [k, v] of run.cache) t.deepEqual(restored.get(k), v, k);
  const next = {
    topic: 'exoarmur.telemetry.v1',
    partition: 0,
    offset: '999',
    key: Buffer.from('acme:corr-1'),
    value: Buffer.from(JSON.stringify(telemetry({ observed_at: '2026-03-01T14:00:00.000Z' }))),
    timestamp: String(Date.parse(RECORD_TIME)),
  };
  const live = step(run.cache, toCoreInput('telemetry', next, 0), coreConfigOf(run.config), nodePrimitives).records;
  const again = step(restored, toCoreInput('telemetry', next, 0), coreConfigOf(run.config), nodePrimitives).records;
  t.deepEqual(
    again.map((r) => encodeRecord(r.role, r.value).value),
    live.map((r) => encodeRecord(r.role, r.value).value),
  );
  t.true(
    live.some((r) => r.role === 'audit' && (r.value as { event_kind: string }).event_kind === 'safety_evaluated'),
    'the next event is decided, not refused at receipt',
  );
});

test('coalesced state records rebuild the same cache as all of them, with one record per key', (t) => {
  const run = playScenario(alice, bob);
  const coalesced = coalesceStateRecords(run.all);
  const keys = coalesced.map((r) => r.key);
  t.is(new Set(keys).size, keys.length);
  t.true(coalesced.length < run.all.filter((r) => r.role === 'state').length);
  const rebuilt = new Map<string, StateValue>();
  applyStateRecords(rebuilt, coalesced);
  const sorted = (m: Map<string, StateValue>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  t.deepEqual(sorted(rebuilt), sorted(run.cache));
});
