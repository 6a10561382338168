// @ts-check
// ExoArmur evidence viewer: checks an inclusion proof written by `exoarmur prove` with a trusted
// public key alone (RFC 6962 hashing, RFC 9162 path verification, Ed25519 over the checkpoint),
// written separately from tools/proof/proof.ts on purpose.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { canonicalJson, base64ToBytes, importOperatorKey } = exo;

  const hexToBytes = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  const bytesToHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

  async function sha256(bytes) {
    return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
  }
  const leaf = (recordHash) => sha256(Uint8Array.from([0, ...hexToBytes(recordHash)]));
  const node = (left, right) => sha256(Uint8Array.from([1, ...hexToBytes(left), ...hexToBytes(right)]));

  /** RFC 9162 §2.1.3.2. */
  async function verifyInclusion(leafHash, index, size, path, root) {
    if (!Number.isInteger(index) || index < 0 || index >= size) return false;
    let fn = index;
    let sn = size - 1;
    let r = leafHash;
    for (const step of path) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = await node(step, r);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else r = await node(r, step);
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && r === root;
  }

  /** Why an inclusion proof does not hold against `publicKey` (base64 SPKI), or null when it does. */
  async function inclusionProofProblem(proof, publicKey) {
    if (proof?.format !== 'exoarmur-inclusion-proof/1') return 'not an inclusion proof written by exoarmur prove';
    const { signature, ...unsigned } = proof.checkpoint;
    let signed = false;
    try {
      signed = await crypto.subtle.verify({ name: 'Ed25519' }, await importOperatorKey(publicKey), base64ToBytes(signature), new TextEncoder().encode(canonicalJson(unsigned)));
    } catch {
      signed = false;
    }
    if (!signed) return 'the checkpoint signature does not verify with the trusted key';
    const { record_hash: claimed, ...rest } = proof.record;
    if ((await sha256(new TextEncoder().encode(canonicalJson(rest)))) !== claimed) return 'the record does not hash to its record_hash: it was edited';
    if (!(await verifyInclusion(await leaf(claimed), proof.leaf_index, proof.checkpoint.record_count, proof.audit_path, proof.checkpoint.merkle_root)))
      return 'the audit path does not lead to the signed Merkle root: the record is not in the log';
    return null;
  }

  /** Wires the proof form of the integrity section. */
  function wireProofForm() {
    const form = document.getElementById('proof-form');
    if (!form) return;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const out = document.getElementById('proof-result');
      let problem;
      try {
        const proof = JSON.parse(/** @type {HTMLTextAreaElement} */ (document.getElementById('proof-text')).value);
        problem = await inclusionProofProblem(proof, /** @type {HTMLInputElement} */ (document.getElementById('proof-key')).value.trim());
        out.dataset.status = problem === null ? 'pass' : 'fail';
        out.textContent =
          problem === null
            ? `Proof holds: ${proof.record.audit_id} is leaf ${proof.leaf_index} of partition ${proof.checkpoint.partition}'s log of ${proof.checkpoint.record_count} records, signed by the trusted key.`
            : `Proof does not hold: ${problem}.`;
      } catch (err) {
        out.dataset.status = 'fail';
        out.textContent = `Proof does not hold: ${err.message}.`;
      }
    });
  }

  Object.assign(exo, { inclusionProofProblem, wireProofForm });
})();
