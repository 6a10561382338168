/**
 * verifyChain's report of the first break, whole: its index, kind, partition, seq, audit id and the
 * detail in words. Each kind with its twin on the other side: a seq too high (gap) and too low
 * (order); a bad first link at the genesis of the partition and at the start of a suffix or
 * further in (broken link). The chain is a real one (partition 1 of a run); a tampered record is
 * rehashed only where the row is about its link, not its content.
 */
import test from 'ava';
import { nodePrimitives } from '../primitives.js';
import { configWith, Run, telemetry } from '../testing/harness.js';
import { recordHash, verifyChain, type ChainBreak } from './chain.js';
import type { AuditRecordV1 } from './types.js';

function chain(): AuditRecordV1[] {
  const run = new Run(configWith(), 1);
  for (const correlation_id of ['corr-a', 'corr-b']) run.telemetry(telemetry({ correlation_id, severity: 'low' }));
  return run.audits();
}

/** The record with `over` applied and its own hash recomputed, so only its links can be wrong. */
function rehashed(record: AuditRecordV1, over: Partial<AuditRecordV1>): AuditRecordV1 {
  const changed = { ...record, ...over };
  return { ...changed, record_hash: recordHash(nodePrimitives, changed) };
}

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const F = 'f'.repeat(64);

test('a real chain of partition 1 verifies from genesis, and as a suffix from its true head', (t) => {
  const a = chain();
  t.true(a.length >= 6);
  t.true(a.every((r, i) => r.seq === i && r.input.partition === 1));
  t.is(verifyChain(nodePrimitives, a), null);
  t.is(verifyChain(nodePrimitives, a.slice(3), { seq: 3, prevHash: a[2]!.record_hash }), null);
});

test('each break, reported whole', (t) => {
  const a = chain();
  const { input: _dropped, ...noInput } = a[2]!;
  const rows: Array<{ name: string; records: AuditRecordV1[]; start?: { seq: number; prevHash: string }; expected: ChainBreak }> = [
    {
      name: 'an edited record',
      records: [a[0]!, a[1]!, { ...a[2]!, process_time: '2030-01-01T00:00:00.000Z' }, ...a.slice(3)],
      expected: { index: 2, kind: 'edited', partition: 1, seq: 2, audit_id: a[2]!.audit_id, detail: 'record_hash does not match the content of seq 2' },
    },
    {
      name: 'a record stripped of its input coordinates: edited, at partition -1',
      records: [a[0]!, a[1]!, noInput as AuditRecordV1, ...a.slice(3)],
      expected: { index: 2, kind: 'edited', partition: -1, seq: 2, audit_id: a[2]!.audit_id, detail: 'record_hash does not match the content of seq 2' },
    },
    {
      name: 'a dropped record: the next seq is too high (gap)',
      records: [a[0]!, a[1]!, ...a.slice(3)],
      expected: { index: 2, kind: 'seq_gap', partition: 1, seq: 3, audit_id: a[3]!.audit_id, detail: 'expected seq 2, found 3' },
    },
    {
      name: 'a record played again: its seq is too low (order)',
      records: [a[0]!, a[1]!, a[2]!, a[1]!],
      expected: { index: 3, kind: 'seq_order', partition: 1, seq: 1, audit_id: a[1]!.audit_id, detail: 'expected seq 3, found 1' },
    },
    {
      name: 'a first record of the partition not linked to genesis',
      records: [rehashed(a[0]!, { prev_hash: F }), ...a.slice(1)],
      expected: { index: 0, kind: 'bad_genesis', partition: 1, seq: 0, audit_id: a[0]!.audit_id, detail: 'prev_hash ffffffffffff… is not the previous record_hash 000000000000…' },
    },
    {
      name: 'the first record of a suffix not linked to the head it starts from',
      records: [rehashed(a[1]!, { prev_hash: B }), ...a.slice(2)],
      start: { seq: 1, prevHash: A },
      expected: { index: 0, kind: 'broken_link', partition: 1, seq: 1, audit_id: a[1]!.audit_id, detail: 'prev_hash bbbbbbbbbbbb… is not the previous record_hash aaaaaaaaaaaa…' },
    },
    {
      name: 'the second record from genesis not linked to the first',
      records: [a[0]!, rehashed(a[1]!, { prev_hash: B }), ...a.slice(2)],
      expected: {
        index: 1,
        kind: 'broken_link',
        partition: 1,
        seq: 1,
        audit_id: a[1]!.audit_id,
        detail: `prev_hash bbbbbbbbbbbb… is not the previous record_hash ${a[0]!.record_hash.slice(0, 12)}…`,
      },
    },
  ];
  for (const row of rows) t.deepEqual(verifyChain(nodePrimitives, row.records, row.start), row.expected, row.name);
});
