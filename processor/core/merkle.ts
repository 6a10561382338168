/**
 * The Merkle tree over one audit partition's record hashes, RFC 6962 (and RFC 9162 §2.1) hashing:
 * leaf = SHA-256(0x00 || record_hash bytes), node = SHA-256(0x01 || left || right), the empty tree
 * SHA-256(""). The processor keeps only the right frontier (the roots of the perfect subtrees the
 * leaves so far decompose into), so appending a record costs O(log n) and the root is a fold of
 * the frontier. Inclusion and consistency proofs (built by tools from the whole partition, checked
 * with nothing but the hashes and a signed root) follow RFC 9162's algorithms. Pure: hashing comes
 * in through Primitives.
 */
import type { Primitives } from './api.js';

/** The right frontier of a tree of `size` leaves: one subtree root per set bit of size, largest (leftmost) first. */
export interface MerkleFrontier {
  size: number;
  nodes: string[];
}

export const EMPTY_FRONTIER: MerkleFrontier = { size: 0, nodes: [] };

function hexToBytes(hex: string, into: Uint8Array, at: number): void {
  for (let i = 0; i < hex.length / 2; i++) into[at + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
}

/** RFC 6962 leaf hash of a record_hash (64 hex chars). */
export function leafHash(p: Primitives, recordHash: string): string {
  const bytes = new Uint8Array(1 + recordHash.length / 2);
  bytes[0] = 0x00;
  hexToBytes(recordHash, bytes, 1);
  return p.sha256Hex(bytes);
}

/** RFC 6962 interior node hash. */
export function nodeHash(p: Primitives, left: string, right: string): string {
  const bytes = new Uint8Array(65);
  bytes[0] = 0x01;
  hexToBytes(left, bytes, 1);
  hexToBytes(right, bytes, 33);
  return p.sha256Hex(bytes);
}

/** The frontier after one more leaf: O(log n) node hashes. */
export function appendLeaf(p: Primitives, frontier: MerkleFrontier, leaf: string): MerkleFrontier {
  const nodes = [...frontier.nodes];
  let node = leaf;
  for (let size = frontier.size; size % 2 === 1; size = Math.floor(size / 2)) node = nodeHash(p, nodes.pop()!, node);
  nodes.push(node);
  return { size: frontier.size + 1, nodes };
}

/** The tree head of a frontier: its subtree roots folded right to left (= RFC 6962 MTH). */
export function frontierRoot(p: Primitives, frontier: MerkleFrontier): string {
  if (frontier.size === 0) return p.sha256Hex(new Uint8Array(0));
  let root = frontier.nodes[frontier.nodes.length - 1]!;
  for (let i = frontier.nodes.length - 2; i >= 0; i--) root = nodeHash(p, frontier.nodes[i]!, root);
  return root;
}

/** The largest power of two smaller than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * RFC 6962 MTH of every prefix of one leaf list that is asked for (a checkpoint each), by the same
 * recursive split as treeRoot. Each prefix's tree is perfect subtrees at aligned positions plus a
 * smaller prefix tree, so each perfect subtree is hashed once for all prefixes: O(n) hashes in all
 * where treeRoot per prefix is O(n) each (a 10-minute soak's verify spent minutes there).
 */
export function prefixRoots(p: Primitives, leaves: readonly string[]): (size: number) => string {
  const perfect = new Map<string, string>();
  const perfectRoot = (start: number, length: number): string => {
    if (length === 1) return leaves[start]!;
    const key = `${start}/${length}`;
    let root = perfect.get(key);
    if (root === undefined) {
      const half = length / 2;
      root = nodeHash(p, perfectRoot(start, half), perfectRoot(start + half, half));
      perfect.set(key, root);
    }
    return root;
  };
  const rootOf = (start: number, length: number): string => {
    if ((length & (length - 1)) === 0) return perfectRoot(start, length);
    const k = split(length);
    return nodeHash(p, perfectRoot(start, k), rootOf(start + k, length - k));
  };
  return (size: number): string => {
    if (!Number.isInteger(size) || size < 0 || size > leaves.length) throw new RangeError(`prefix size ${size} is outside 0..${leaves.length}`);
    return size === 0 ? p.sha256Hex(new Uint8Array(0)) : rootOf(0, size);
  };
}

/** RFC 6962 MTH over leaf hashes. */
export function treeRoot(p: Primitives, leaves: readonly string[]): string {
  if (leaves.length === 0) return p.sha256Hex(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return nodeHash(p, treeRoot(p, leaves.slice(0, k)), treeRoot(p, leaves.slice(k)));
}

/** RFC 6962 PATH(m, D[n]): the audit path of leaf `index`, leaf-side first. */
export function inclusionProof(p: Primitives, leaves: readonly string[], index: number): string[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return index < k
    ? [...inclusionProof(p, leaves.slice(0, k), index), treeRoot(p, leaves.slice(k))]
    : [...inclusionProof(p, leaves.slice(k), index - k), treeRoot(p, leaves.slice(0, k))];
}

/** RFC 9162 §2.1.3.2: does `proof` put `leaf` at `index` of the tree of `size` whose root is `root`? */
export function verifyInclusion(p: Primitives, leaf: string, index: number, size: number, proof: readonly string[], root: string): boolean {
  if (!Number.isInteger(index) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const step of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, step, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else r = nodeHash(p, r, step);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r === root;
}

function subproof(p: Primitives, m: number, leaves: readonly string[], complete: boolean): string[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [treeRoot(p, leaves)];
  const k = split(n);
  return m <= k
    ? [...subproof(p, m, leaves.slice(0, k), complete), treeRoot(p, leaves.slice(k))]
    : [...subproof(p, m - k, leaves.slice(k), false), treeRoot(p, leaves.slice(0, k))];
}

/** RFC 6962 PROOF(m, D[n]): the tree of the first m leaves is a prefix of the tree of all of them. */
export function consistencyProof(p: Primitives, leaves: readonly string[], m: number): string[] {
  if (m <= 0 || m >= leaves.length) return [];
  return subproof(p, m, leaves, true);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (size1, root1) is a prefix of (size2, root2)? */
export function verifyConsistency(p: Primitives, size1: number, size2: number, root1: string, root2: string, proof: readonly string[]): boolean {
  if (size1 < 0 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && root1 === root2;
  if (size1 === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (size1 & (size1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(p, c, fr);
      sr = nodeHash(p, c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else sr = nodeHash(p, sr, c);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr === root1 && sr === root2 && sn === 0;
}
