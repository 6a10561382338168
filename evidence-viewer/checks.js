// @ts-check
// ExoArmur evidence viewer: the integrity checks it runs in the browser, and the operator signatures it verifies.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, checks, overview, time-chart, reports, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { ZERO_HASH, canonicalJson, sha256HexBytes, sha256Hex, base64ToBytes, importOperatorKey, shortHash } = exo;

  // ---------------------------------------------------------------- integrity checks

  async function checkManifest(model) {
    const check = { id: 'manifest', name: 'File hashes match manifest.json', ok: true, details: [], files: [] };
    const { manifest, bundle } = model;
    if (manifest.error || !manifest.value || typeof manifest.value.files !== 'object') {
      check.ok = false;
      check.details.push(manifest.error ?? 'manifest.json has no "files" object');
      return check;
    }
    if (manifest.value.algorithm !== undefined && manifest.value.algorithm !== 'sha256') {
      check.ok = false;
      check.details.push(`manifest.json names algorithm "${manifest.value.algorithm}"; only sha256 is defined`);
    }
    const listed = manifest.value.files;
    for (const name of Object.keys(listed).sort()) {
      const expected = String(listed[name]).toLowerCase();
      const file = bundle.files.get(name);
      if (!file) {
        check.ok = false;
        check.details.push(`${name}: listed in manifest.json but missing from the bundle`);
        check.files.push({ name, size: null, expected, actual: null, status: 'missing' });
        continue;
      }
      const actual = await sha256HexBytes(file.bytes);
      const ok = actual === expected;
      if (!ok) {
        check.ok = false;
        check.details.push(`${name}: SHA-256 ${actual} ≠ manifest ${expected}`);
      }
      check.files.push({ name, size: file.bytes.length, expected, actual, status: ok ? 'ok' : 'mismatch' });
    }
    for (const name of [...bundle.files.keys()].sort()) {
      if (name === 'manifest.json' || name === 'index.html' || name in listed) continue;
      check.ok = false;
      check.details.push(`${name}: in the bundle but not listed in manifest.json`);
      check.files.push({ name, size: bundle.files.get(name).bytes.length, expected: null, actual: await sha256HexBytes(bundle.files.get(name).bytes), status: 'unlisted' });
    }
    if (check.ok) check.details.push(`${Object.keys(listed).length} files hashed, all equal to manifest.json`);
    return check;
  }

  async function checkConfigHash(model) {
    const check = { id: 'config', name: 'Config snapshot hash matches config_hash.txt', ok: true, details: [] };
    const { snapshots, configHash } = model;
    if (snapshots.error || !Array.isArray(snapshots.value) || snapshots.value.length === 0) {
      check.ok = false;
      check.details.push(snapshots.error ?? 'config_snapshot.json is not a non-empty array');
      return check;
    }
    for (const [index, snapshot] of snapshots.value.entries()) {
      const computed = await sha256Hex(canonicalJson(snapshot?.config ?? null));
      if (computed !== snapshot?.config_hash) {
        check.ok = false;
        check.details.push(`snapshot ${index}: sha256(canonicalJson(config)) = ${computed} ≠ recorded ${snapshot?.config_hash}`);
      }
    }
    if (configHash === null) {
      check.ok = false;
      check.details.push('config_hash.txt is not in the bundle');
    } else if (configHash !== snapshots.value[0]?.config_hash) {
      check.ok = false;
      check.details.push(`config_hash.txt ${configHash} ≠ first snapshot ${snapshots.value[0]?.config_hash}`);
    }
    const known = new Set(snapshots.value.map((s) => s?.config_hash));
    const unknown = new Set(model.records.map((r) => r.config_hash).filter((h) => !known.has(h)));
    for (const hash of unknown) {
      check.ok = false;
      check.details.push(`audit records stamped with config ${hash}, which no snapshot holds`);
    }
    if (check.ok) check.details.push(`${snapshots.value.length} snapshot(s) re-hashed; config_hash.txt = ${configHash}`);
    return check;
  }

  /** The per-partition audit hash chain: seq from 0 by 1, prev_hash links, record_hash recomputed. */
  async function checkAuditChains(model) {
    const check = { id: 'chain', name: 'Audit hash chains', ok: true, details: [], partitions: [] };
    const { audit } = model;
    if (audit.missing || audit.errors.length > 0) {
      check.ok = false;
      check.details.push(...audit.errors);
      if (audit.missing) return check;
    }
    const byPartition = new Map();
    for (const { line, value } of audit.records) {
      const partition = value?.input?.partition;
      if (!byPartition.has(partition)) byPartition.set(partition, []);
      byPartition.get(partition).push({ line, record: value });
    }
    for (const [partition, entries] of [...byPartition.entries()].sort((a, b) => Number(a[0]) - Number(b[0]))) {
      let prev = ZERO_HASH;
      let broken = 0;
      for (const [index, { line, record }] of entries.entries()) {
        const where = `partition ${partition} seq ${record.seq} (line ${line})`;
        if (record.seq !== index) {
          broken++;
          check.details.push(`${where}: seq ${record.seq}, expected ${index}`);
        }
        if (record.prev_hash !== prev) {
          broken++;
          check.details.push(`${where}: prev_hash ${shortHash(record.prev_hash)} does not link to the previous record_hash ${shortHash(prev)}`);
        }
        const { record_hash: recorded, ...rest } = record;
        const computed = await sha256Hex(canonicalJson(rest));
        if (computed !== recorded) {
          broken++;
          check.details.push(`${where}: record_hash ${shortHash(recorded)} ≠ recomputed ${shortHash(computed)} — the record was edited`);
        }
        prev = recorded;
      }
      if (broken > 0) check.ok = false;
      check.partitions.push({ partition, count: entries.length, head: prev, ok: broken === 0 });
    }
    if (check.ok) check.details.push(`${audit.records.length} records in ${byPartition.size} partition chain(s), every link verified`);
    return check;
  }

  function checkIdsUnique(model) {
    const check = { id: 'ids', name: 'Audit ids unique', ok: true, details: [] };
    const seen = new Set();
    for (const record of model.records) {
      if (seen.has(record.audit_id)) {
        check.ok = false;
        check.details.push(`audit_id ${record.audit_id} appears more than once`);
      }
      seen.add(record.audit_id);
    }
    if (check.ok) check.details.push(`${seen.size} distinct audit ids`);
    return check;
  }

  function checkReplayReport(model) {
    const check = { id: 'replay', name: 'Replay report consistent', ok: true, details: [] };
    const report = model.replay.value;
    if (!report) {
      check.ok = false;
      check.details.push(model.replay.error);
      return check;
    }
    const mismatches = Array.isArray(report.mismatches) ? report.mismatches : [];
    if (report.matched + report.mismatched !== report.compared) {
      check.ok = false;
      check.details.push(`matched ${report.matched} + mismatched ${report.mismatched} ≠ compared ${report.compared}`);
    }
    if (mismatches.length !== report.mismatched) {
      check.ok = false;
      check.details.push(`${mismatches.length} mismatches listed, but mismatched = ${report.mismatched}`);
    }
    const claimsPass = report.pass === true;
    const shouldPass = report.mismatched === 0 && ['intent_hashes_equal', 'verdicts_equal', 'approvals_equal', 'trace_structure_equal'].every((k) => report[k] !== false);
    if (claimsPass && !shouldPass) {
      check.ok = false;
      check.details.push('pass is true although the report records mismatches or unequal comparisons');
    }
    if (check.ok) check.details.push(`${report.compared} compared, ${report.matched} matched, ${report.mismatched} mismatched`);
    return check;
  }

  async function runChecks(model) {
    return [await checkManifest(model), await checkConfigHash(model), await checkAuditChains(model), checkIdsUnique(model), checkReplayReport(model)];
  }

  /** Ed25519 status of every operator action, keyed by its position in operator_actions.jsonl. */
  async function verifyOperatorSignatures(model) {
    const registry = {};
    for (const snapshot of Array.isArray(model.snapshots.value) ? model.snapshots.value : []) {
      Object.assign(registry, snapshot?.config?.operators ?? {});
    }
    const results = [];
    for (const { value: action } of model.actions.records) {
      const entry = registry[action?.actor_id];
      if (!entry?.public_key) {
        results.push({ action, status: 'unknown', detail: `actor ${action?.actor_id} has no public key in the config snapshot` });
        continue;
      }
      if (typeof action.signature !== 'string' || action.signature === '') {
        results.push({ action, status: 'invalid', detail: 'no signature' });
        continue;
      }
      try {
        const key = await importOperatorKey(entry.public_key);
        const { signature, ...unsigned } = action;
        const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, base64ToBytes(signature), new TextEncoder().encode(canonicalJson(unsigned)));
        results.push({
          action,
          status: ok ? 'valid' : 'invalid',
          detail: ok ? `verified with ${action.actor_id}'s key` : `signature does not verify with ${action.actor_id}'s key`,
        });
      } catch (err) {
        results.push({ action, status: 'error', detail: `could not verify: ${err.message}` });
      }
    }
    return results;
  }

  Object.assign(exo, { runChecks, verifyOperatorSignatures });
})();
