/**
 * Replay re-derives the signed checkpoints like any other output: each recorded checkpoint must be
 * what the replayed audit trail gives at its record count (Merkle root, head), and its signature
 * must verify with the public key its config snapshot pins (Ed25519 is deterministic, so this is
 * the re-derived signature's check without the private key).
 */
import { checkpointProblem, type CheckpointV1 } from '../../processor/core/checkpoint.js';
import { leafHash, prefixRoots } from '../../processor/core/merkle.js';
import type { AuditRecordV1, ConfigSnapshotV1 } from '../../processor/core/types.js';
import { nodePrimitives as p } from '../../processor/primitives.js';
import type { Mismatch } from './report.js';

export function compareCheckpoints(
  recorded: ReadonlyMap<number, readonly CheckpointV1[]>,
  replayedAudit: ReadonlyMap<number, readonly AuditRecordV1[]>,
  snapshots: ReadonlyMap<string, ConfigSnapshotV1>,
): { compared: number; mismatches: Mismatch[] } {
  const mismatches: Mismatch[] = [];
  let compared = 0;
  for (const [partition, checkpoints] of recorded) {
    const audit = replayedAudit.get(partition) ?? [];
    const rootOfFirst = prefixRoots(
      p,
      audit.map((r) => leafHash(p, r.record_hash)),
    );
    for (const c of checkpoints) {
      compared += 1;
      const at = (field: string, want: unknown, got: unknown) =>
        mismatches.push({ partition, seq: c.head_seq, audit_id: null, field: `checkpoint.${field}`, recorded: want, replayed: got });
      const snapshot = snapshots.get(c.config_hash);
      const key = snapshot === undefined ? undefined : (JSON.parse(snapshot.config) as { checkpoints?: { public_key?: string } }).checkpoints?.public_key;
      if (key === undefined) at('config_hash', c.config_hash, 'no snapshot pinning a checkpoint key');
      else if (checkpointProblem(p, c, key) !== null) at('signature', c.signature, checkpointProblem(p, c, key));
      if (c.record_count > audit.length) {
        at('record_count', c.record_count, audit.length);
        continue;
      }
      const root = rootOfFirst(c.record_count);
      if (root !== c.merkle_root) at('merkle_root', c.merkle_root, root);
      const head = audit[c.record_count - 1]?.record_hash;
      if (head !== c.head_record_hash) at('head_record_hash', c.head_record_hash, head ?? null);
    }
  }
  return { compared, mismatches };
}
