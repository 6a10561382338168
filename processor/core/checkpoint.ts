/**
 * Signed checkpoints (signed tree heads, as in Certificate Transparency): after each transaction
 * of a partition, the partition's record count, head, RFC 6962 Merkle root (./merkle.ts), config
 * hash and the input offsets consumed, signed with the processor's Ed25519 key. The key never
 * enters the core: signing comes in as an injected `CheckpointSigner` (Ed25519 is deterministic,
 * so replay re-derives the same bytes), and verification through Primitives.
 */
import type { Primitives } from './api.js';
import { canonicalJson } from './canonical.js';
import { appendLeaf, frontierRoot, leafHash, type MerkleFrontier } from './merkle.js';

export interface CoveredInputs {
  topic: string;
  first_offset: string;
  last_offset: string;
}

export interface CheckpointV1 {
  schema_version: '1';
  partition: number;
  record_count: number;
  head_seq: number;
  head_record_hash: string;
  merkle_root: string;
  frontier: string[];
  config_hash: string;
  inputs: CoveredInputs[];
  signature: string;
}

/** The processor's signing key as the core sees it: a function, never the key. */
export interface CheckpointSigner {
  /** base64 Ed25519 signature of `message`. */
  sign(message: Uint8Array): string;
}

/** What a checkpoint signature covers: the UTF-8 bytes of canonicalJson(checkpoint without signature). */
export function checkpointSigningBytes(checkpoint: Omit<CheckpointV1, 'signature'> | CheckpointV1): Uint8Array {
  const { signature: _ignored, ...unsigned } = checkpoint as CheckpointV1;
  return new TextEncoder().encode(canonicalJson(unsigned));
}

/** The frontier a checkpoint carries, as the tree it continues. */
export function frontierOf(checkpoint: CheckpointV1 | null): MerkleFrontier {
  return checkpoint === null ? { size: 0, nodes: [] } : { size: checkpoint.record_count, nodes: [...checkpoint.frontier] };
}

/** Appends one audit record hash to the partition's tree: O(log n). */
export function appendRecord(p: Primitives, frontier: MerkleFrontier, recordHash: string): MerkleFrontier {
  return appendLeaf(p, frontier, leafHash(p, recordHash));
}

/** The signed checkpoint of a partition whose tree is `frontier` after a record of `head`. */
export function signCheckpoint(
  p: Primitives,
  signer: CheckpointSigner,
  at: { partition: number; frontier: MerkleFrontier; head: { seq: number; record_hash: string }; config_hash: string; inputs: CoveredInputs[] },
): CheckpointV1 {
  const unsigned: Omit<CheckpointV1, 'signature'> = {
    schema_version: '1',
    partition: at.partition,
    record_count: at.frontier.size,
    head_seq: at.head.seq,
    head_record_hash: at.head.record_hash,
    merkle_root: frontierRoot(p, at.frontier),
    frontier: [...at.frontier.nodes],
    config_hash: at.config_hash,
    inputs: at.inputs,
  };
  return { ...unsigned, signature: signer.sign(checkpointSigningBytes(unsigned)) };
}

/** Why a checkpoint does not hold on its own (signature by `publicKey`, frontier against root), or null. */
export function checkpointProblem(p: Primitives, checkpoint: CheckpointV1, publicKey: string): string | null {
  if (!p.verifyEd25519(publicKey, checkpointSigningBytes(checkpoint), checkpoint.signature)) return 'Ed25519 signature does not verify with the trusted key';
  if (checkpoint.head_seq !== checkpoint.record_count - 1) return `head_seq ${checkpoint.head_seq} is not record_count ${checkpoint.record_count} - 1`;
  if (frontierRoot(p, frontierOf(checkpoint)) !== checkpoint.merkle_root) return 'its frontier does not fold to its merkle_root';
  return null;
}
