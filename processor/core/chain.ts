/**
 * The per-partition audit hash chain (docs/contracts.md). record_hash covers the whole record
 * except itself, prev_hash and process_time included, so an edit, a drop or a reorder breaks it.
 */
import type { Primitives } from './api.js';
import { canonicalJson } from './canonical.js';
import type { AuditRecordV1 } from './types.js';

export const GENESIS_HASH = '0'.repeat(64);

export function recordHash(prims: Primitives, record: Omit<AuditRecordV1, 'record_hash'> | AuditRecordV1): string {
  const { record_hash: _ignored, ...rest } = record as AuditRecordV1;
  return prims.sha256Hex(canonicalJson(rest));
}

export type ChainBreakKind = 'edited' | 'broken_link' | 'seq_gap' | 'seq_order' | 'bad_genesis';

export interface ChainBreak {
  /** Index in the given array of the first record that does not verify. */
  index: number;
  kind: ChainBreakKind;
  partition: number;
  seq: number;
  audit_id: string;
  detail: string;
}

/**
 * Verifies one partition's records in the given order (as exported: by seq). Returns the first
 * break or null. `startSeq`/`startPrevHash` allow verifying a suffix of a chain.
 * - edited: the record's own hash does not match its content;
 * - broken_link: prev_hash is not the previous record's record_hash (a record dropped or moved);
 * - seq_gap / seq_order: seq does not increase by exactly one.
 */
export function verifyChain(
  prims: Primitives,
  records: readonly AuditRecordV1[],
  start: { seq: number; prevHash: string } = { seq: 0, prevHash: GENESIS_HASH },
): ChainBreak | null {
  let expectedSeq = start.seq;
  let prev = start.prevHash;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const at = { index: i, partition: r.input?.partition ?? -1, seq: r.seq, audit_id: r.audit_id };
    if (recordHash(prims, r) !== r.record_hash) {
      return { ...at, kind: 'edited', detail: `record_hash does not match the content of seq ${r.seq}` };
    }
    if (r.seq !== expectedSeq) {
      const kind: ChainBreakKind = r.seq > expectedSeq ? 'seq_gap' : 'seq_order';
      return { ...at, kind, detail: `expected seq ${expectedSeq}, found ${r.seq}` };
    }
    if (r.prev_hash !== prev) {
      const kind: ChainBreakKind = i === 0 && start.seq === 0 ? 'bad_genesis' : 'broken_link';
      return { ...at, kind, detail: `prev_hash ${r.prev_hash.slice(0, 12)}… is not the previous record_hash ${prev.slice(0, 12)}…` };
    }
    prev = r.record_hash;
    expectedSeq += 1;
  }
  return null;
}
