/**
 * RFC 6962 Merkle tree: the incremental frontier gives the recursive MTH at every size; every
 * inclusion and consistency proof verifies, and a proof for a leaf not in the tree, at the wrong
 * index, or against another root fails.
 */
import test from 'ava';
import { nodePrimitives as p } from '../primitives.js';
import {
  appendLeaf,
  consistencyProof,
  EMPTY_FRONTIER,
  frontierRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  prefixRoots,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type MerkleFrontier,
} from './merkle.js';

const recordHashes = Array.from({ length: 41 }, (_, i) => p.sha256Hex(`record ${i}`));
const leaves = recordHashes.map((h) => leafHash(p, h));

test('hashing is RFC 6962: leaf = SHA-256(0x00 || bytes), node = SHA-256(0x01 || l || r), empty = SHA-256("")', (t) => {
  t.is(frontierRoot(p, EMPTY_FRONTIER), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.is(leafHash(p, recordHashes[0]!), p.sha256Hex(Buffer.concat([Buffer.from([0]), Buffer.from(recordHashes[0]!, 'hex')])));
  t.is(nodeHash(p, leaves[0]!, leaves[1]!), p.sha256Hex(Buffer.concat([Buffer.from([1]), Buffer.from(leaves[0]!, 'hex'), Buffer.from(leaves[1]!, 'hex')])));
  t.is(treeRoot(p, leaves.slice(0, 3)), nodeHash(p, nodeHash(p, leaves[0]!, leaves[1]!), leaves[2]!));
});

test('the frontier root equals the recursive tree root at every size, keeping one node per set bit', (t) => {
  let frontier: MerkleFrontier = EMPTY_FRONTIER;
  for (let n = 1; n <= leaves.length; n++) {
    frontier = appendLeaf(p, frontier, leaves[n - 1]!);
    t.is(frontier.size, n);
    t.is(frontier.nodes.length, n.toString(2).replace(/0/g, '').length);
    t.is(frontierRoot(p, frontier), treeRoot(p, leaves.slice(0, n)), `size ${n}`);
  }
});

test('prefixRoots gives treeRoot of every prefix, asked in any order, and refuses a size outside the list', (t) => {
  const rootOfFirst = prefixRoots(p, leaves);
  const sizes = Array.from({ length: leaves.length + 1 }, (_, n) => n);
  // Backwards, then forwards: the shared subtrees must not depend on which prefix came first.
  for (const n of [...sizes].reverse()) t.is(rootOfFirst(n), treeRoot(p, leaves.slice(0, n)), `size ${n}`);
  for (const n of sizes) t.is(rootOfFirst(n), treeRoot(p, leaves.slice(0, n)), `size ${n} again`);
  t.is(rootOfFirst(0), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.throws(() => rootOfFirst(leaves.length + 1), { instanceOf: RangeError, message: 'prefix size 42 is outside 0..41' });
  t.throws(() => rootOfFirst(-1), { instanceOf: RangeError, message: 'prefix size -1 is outside 0..41' });
  t.throws(() => rootOfFirst(1.5), { instanceOf: RangeError, message: 'prefix size 1.5 is outside 0..41' });
  t.is(rootOfFirst(leaves.length), treeRoot(p, leaves), 'the whole list is a prefix of itself');
});

test('every inclusion proof verifies; another leaf, index, size or root fails', (t) => {
  for (let n = 1; n <= leaves.length; n += 4) {
    const root = treeRoot(p, leaves.slice(0, n));
    for (let i = 0; i < n; i++) {
      const proof = inclusionProof(p, leaves.slice(0, n), i);
      t.true(verifyInclusion(p, leaves[i]!, i, n, proof, root), `leaf ${i} of ${n}`);
      t.false(verifyInclusion(p, leafHash(p, p.sha256Hex('not in the log')), i, n, proof, root));
      if (n > 1) t.false(verifyInclusion(p, leaves[i]!, (i + 1) % n, n, proof, root));
      t.false(verifyInclusion(p, leaves[i]!, i, n, proof, treeRoot(p, [...leaves.slice(0, n), leaves[0]!])));
    }
  }
  t.false(verifyInclusion(p, leaves[3]!, 3, 3, [], treeRoot(p, leaves.slice(0, 3))), 'index beyond the tree');
});

test('every consistency proof verifies; a rewritten prefix or a shrunk tree fails', (t) => {
  for (let n = 1; n <= 24; n++) {
    const root2 = treeRoot(p, leaves.slice(0, n));
    for (let m = 1; m <= n; m++) {
      const proof = consistencyProof(p, leaves.slice(0, n), m);
      const root1 = treeRoot(p, leaves.slice(0, m));
      t.true(verifyConsistency(p, m, n, root1, root2, proof), `${m} -> ${n}`);
      const forged = [...leaves.slice(0, n)];
      forged[0] = leafHash(p, p.sha256Hex('rewritten'));
      if (m < n) t.false(verifyConsistency(p, m, n, root1, treeRoot(p, forged), proof), `rewritten ${m} -> ${n}`);
    }
  }
  t.false(verifyConsistency(p, 5, 4, treeRoot(p, leaves.slice(0, 5)), treeRoot(p, leaves.slice(0, 4)), []), 'a log that shrank');
});

test('verifyInclusion refuses, each beside its twin that holds: an index outside the tree or not whole, a proof one step too long or too short', (t) => {
  const n = 5;
  const root = treeRoot(p, leaves.slice(0, n));
  const proofOf = (i: number) => inclusionProof(p, leaves.slice(0, n), i);
  const rows: Array<[string, number, number, string[], boolean]> = [
    ['the first leaf', 0, n, proofOf(0), true],
    ['the last leaf', n - 1, n, proofOf(n - 1), true],
    ['index -1', -1, n, proofOf(0), false],
    ['index 1.5', 1.5, n, proofOf(1), false],
    ['index = size', n, n, proofOf(n - 1), false],
    ['one step too many', 0, n, [...proofOf(0), leaves[0]!], false],
    ['one step too few', 0, n, proofOf(0).slice(0, -1), false],
  ];
  for (const [name, index, size, proof, holds] of rows) t.is(verifyInclusion(p, leaves[Math.max(0, Math.min(Math.floor(index), n - 1))]!, index, size, proof, root), holds, name);
  // A leaf is the root of the tree of it alone; the same empty proof does not make it the root of a tree of two.
  t.true(verifyInclusion(p, leaves[0]!, 0, 1, [], leaves[0]!));
  t.false(verifyInclusion(p, leaves[0]!, 0, 2, [], leaves[0]!));
  t.false(verifyInclusion(p, leaves[0]!, 1, 1, [], leaves[0]!), 'index = size, though the leaf folds to the root');
});

test('verifyConsistency at its edges, each beside its twin: equal sizes, an empty first tree, an empty proof, one step too many, a negative size', (t) => {
  const root = (m: number) => treeRoot(p, leaves.slice(0, m));
  const proof = consistencyProof(p, leaves.slice(0, 6), 3);
  const rows: Array<[string, number, number, string, string, string[], boolean]> = [
    ['equal sizes, equal roots, no proof', 4, 4, root(4), root(4), [], true],
    ['equal sizes, another root', 4, 4, root(4), root(3), [], false],
    ['equal sizes with a proof', 4, 4, root(4), root(4), [root(4)], false],
    ['from the empty tree, no proof', 0, 4, root(0), root(4), [], true],
    ['from the empty tree with a proof', 0, 4, root(0), root(4), [root(4)], false],
    ['3 -> 6 with its proof', 3, 6, root(3), root(6), proof, true],
    ['3 -> 6 with no proof', 3, 6, root(3), root(6), [], false],
    ['3 -> 6, one step too many', 3, 6, root(3), root(6), [...proof, root(1)], false],
    ['3 -> 6, one step too few', 3, 6, root(3), root(6), proof.slice(0, -1), false],
    ['a negative first size', -1, 4, root(0), root(4), [], false],
    // Each of the next two folds (fr = root1, sr = root2, sn = 0): only the sizes refuse it.
    ['a negative first size with a proof that folds', -1, 1, root(1), root(1), [root(1)], false],
    ['a second tree smaller than the first, with a proof that folds', 3, 2, leaves[0]!, root(2), [leaves[0]!, leaves[1]!], false],
    ['3 -> 6 with its proof, another first root', 3, 6, root(2), root(6), proof, false],
    // The proof of 1 -> 2 folds to the root of 2; claimed for a second tree of 3 it is one step short.
    ['1 -> 2 with its proof', 1, 2, root(1), root(2), consistencyProof(p, leaves.slice(0, 2), 1), true],
    ['1 -> 3 with the proof of 1 -> 2 and the root of 2', 1, 3, root(1), root(2), consistencyProof(p, leaves.slice(0, 2), 1), false],
  ];
  for (const [name, size1, size2, root1, root2, steps, holds] of rows) t.is(verifyConsistency(p, size1, size2, root1, root2, steps), holds, name);
  t.deepEqual([consistencyProof(p, leaves.slice(0, 6), 0), consistencyProof(p, leaves.slice(0, 6), 6), consistencyProof(p, leaves.slice(0, 6), 7)], [[], [], []]);
  t.deepEqual(inclusionProof(p, leaves.slice(0, 1), 0), []);
});
