/**
 * Inclusion proofs (one audit record is in its partition's log, against the latest signed
 * checkpoint) and consistency proofs (an earlier signed checkpoint's log is a prefix of a later
 * one's), built from a bundle and checked with nothing but the proof and a trusted public key.
 */
import { recordHash } from '../../processor/core/chain.js';
import { checkpointProblem, type CheckpointV1 } from '../../processor/core/checkpoint.js';
import { consistencyProof, inclusionProof, leafHash, verifyConsistency, verifyInclusion } from '../../processor/core/merkle.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { UsageError } from '../../processor/errors.js';
import { nodePrimitives as p } from '../../processor/primitives.js';

export interface InclusionProof {
  format: 'exoarmur-inclusion-proof/1';
  /** The record itself, so its record_hash is recomputed, not taken on trust. */
  record: AuditRecordV1;
  leaf_index: number;
  audit_path: string[];
  checkpoint: CheckpointV1;
}

export interface ConsistencyProof {
  format: 'exoarmur-consistency-proof/1';
  first: CheckpointV1;
  second: CheckpointV1;
  proof: string[];
}

export type Proof = InclusionProof | ConsistencyProof;

function partitionRecords(audit: readonly AuditRecordV1[], partition: number): AuditRecordV1[] {
  return audit.filter((r) => r.input.partition === partition).sort((a, b) => a.seq - b.seq);
}

function latest(checkpoints: readonly CheckpointV1[], partition: number): CheckpointV1 | undefined {
  return checkpoints.filter((c) => c.partition === partition).sort((a, b) => b.record_count - a.record_count)[0];
}

/** The inclusion proof of `auditId` against its partition's latest signed checkpoint. */
export function proveInclusion(audit: readonly AuditRecordV1[], checkpoints: readonly CheckpointV1[], auditId: string): InclusionProof {
  const record = audit.find((r) => r.audit_id === auditId);
  if (record === undefined) throw new UsageError('AUDIT_ID_NOT_FOUND', `no audit record ${auditId} in the bundle's audit_export.jsonl`);
  const partition = record.input.partition;
  const checkpoint = latest(checkpoints, partition);
  if (checkpoint === undefined || checkpoint.record_count <= record.seq)
    throw new UsageError('AUDIT_ID_NOT_FOUND', `audit record ${auditId} (partition ${partition} seq ${record.seq}) is not covered by a signed checkpoint in the bundle`);
  const leaves = partitionRecords(audit, partition)
    .slice(0, checkpoint.record_count)
    .map((r) => leafHash(p, r.record_hash));
  return { format: 'exoarmur-inclusion-proof/1', record, leaf_index: record.seq, audit_path: inclusionProof(p, leaves, record.seq), checkpoint };
}

/** The consistency proof from the partition's checkpoint of `fromCount` records to its latest. */
export function proveConsistency(audit: readonly AuditRecordV1[], checkpoints: readonly CheckpointV1[], partition: number, fromCount: number): ConsistencyProof {
  const second = latest(checkpoints, partition);
  const first = checkpoints.find((c) => c.partition === partition && c.record_count === fromCount);
  if (second === undefined || first === undefined) throw new UsageError('PROOF_INVALID', `partition ${partition} has no signed checkpoint of ${fromCount} records in the bundle`);
  const leaves = partitionRecords(audit, partition)
    .slice(0, second.record_count)
    .map((r) => leafHash(p, r.record_hash));
  return { format: 'exoarmur-consistency-proof/1', first, second, proof: consistencyProof(p, leaves, first.record_count) };
}

/** Why a proof does not hold against the trusted key, or null when it does. */
export function proofProblem(proof: Proof, trusted: string): string | null {
  if (proof.format === 'exoarmur-inclusion-proof/1') {
    const signed = checkpointProblem(p, proof.checkpoint, trusted);
    if (signed !== null) return `checkpoint: ${signed}`;
    if (recordHash(p, proof.record) !== proof.record.record_hash) return 'the record does not hash to its record_hash: it was edited';
    if (proof.record.input.partition !== proof.checkpoint.partition)
      return `the record is of partition ${proof.record.input.partition}, the checkpoint of ${proof.checkpoint.partition}`;
    if (!verifyInclusion(p, leafHash(p, proof.record.record_hash), proof.leaf_index, proof.checkpoint.record_count, proof.audit_path, proof.checkpoint.merkle_root))
      return `the audit path does not lead from this record at index ${proof.leaf_index} to the signed Merkle root: the record is not in the log`;
    return null;
  }
  if (proof.format === 'exoarmur-consistency-proof/1') {
    for (const [name, c] of [
      ['first', proof.first],
      ['second', proof.second],
    ] as const) {
      const signed = checkpointProblem(p, c, trusted);
      if (signed !== null) return `${name} checkpoint: ${signed}`;
    }
    if (proof.first.partition !== proof.second.partition) return 'the checkpoints are of different partitions';
    if (!verifyConsistency(p, proof.first.record_count, proof.second.record_count, proof.first.merkle_root, proof.second.merkle_root, proof.proof))
      return `the log of ${proof.first.record_count} records is not a prefix of the log of ${proof.second.record_count}: it did not only grow`;
    return null;
  }
  return `unknown proof format ${JSON.stringify((proof as { format?: unknown }).format)}`;
}
