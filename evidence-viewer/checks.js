// @ts-check
// ExoArmur evidence viewer: the integrity checks it runs in the browser, and the operator signatures it verifies.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, checks, actuation, gates, proof, overview, time-chart, reports, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { ZERO_HASH, RECEIPTS, canonicalJson, sha256HexBytes, sha256Hex, base64ToBytes, importOperatorKey, shortHash } = exo;

  /**
   * Every check, in order, named exactly as `exoarmur verify` names it (tools/verify/integrity.ts
   * CHECK_NAMES); tools/verify/check-list.test.ts holds the two lists equal. Each is implemented
   * here separately from the CLI's, so a reviewer has two to compare.
   */
  const CHECKS = [
    'manifest',
    'config hash',
    'config references',
    'audit hash chains',
    'id uniqueness',
    'receipts gapless',
    'operator signatures',
    'replay report consistency',
    'derived reports',
    'gate verdicts',
  ];

  // ---------------------------------------------------------------- integrity checks

  async function checkManifest(model) {
    const check = { id: 'manifest', name: 'manifest', ok: true, details: [], files: [] };
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
      if (name === 'manifest.json' || name === 'manifest.sig' || name === 'index.html' || name in listed) continue;
      check.ok = false;
      check.details.push(`${name}: in the bundle but not listed in manifest.json`);
      check.files.push({ name, size: bundle.files.get(name).bytes.length, expected: null, actual: await sha256HexBytes(bundle.files.get(name).bytes), status: 'unlisted' });
    }
    if (check.ok) check.details.push(`${Object.keys(listed).length} files hashed, all equal to manifest.json`);
    return check;
  }

  async function checkConfigHash(model) {
    const check = { id: 'config hash', name: 'config hash', ok: true, details: [] };
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
    if (check.ok) check.details.push(`${snapshots.value.length} snapshot(s) re-hashed; config_hash.txt = ${configHash}`);
    return check;
  }

  function checkConfigReferences(model) {
    const check = { id: 'config references', name: 'config references', ok: true, details: [] };
    const snapshots = Array.isArray(model.snapshots.value) ? model.snapshots.value : [];
    const known = new Set(snapshots.map((s) => s?.config_hash));
    const unknown = new Set(model.records.map((r) => r.config_hash).filter((h) => !known.has(h)));
    for (const hash of unknown) {
      check.ok = false;
      check.details.push(`audit records stamped with config ${hash}, which no snapshot holds`);
    }
    if (check.ok) check.details.push(`every audit record names one of ${known.size} snapshot(s)`);
    return check;
  }

  /** One receipt per consumed input, first among its records (an approval expiry may come first), offsets rising per topic, telemetry consecutive. */
  function checkReceipts(model) {
    const check = { id: 'receipts gapless', name: 'receipts gapless', ok: true, details: [] };
    const byPartition = new Map();
    for (const r of model.records) {
      if (!byPartition.has(r.input?.partition)) byPartition.set(r.input?.partition, []);
      byPartition.get(r.input?.partition).push(r);
    }
    let receipts = 0;
    const fail = (text) => {
      check.ok = false;
      check.details.push(text);
    };
    for (const [partition, list] of byPartition) {
      const seen = new Set();
      const last = new Map();
      let current = null;
      let received = false;
      for (const r of list) {
        const at = `${r.input?.topic}/${r.input?.partition}@${r.input?.offset}`;
        if (at !== current) {
          if (current !== null && !received) fail(`partition ${partition}: records of ${current} have no receipt`);
          current = at;
          received = false;
          if (!RECEIPTS.includes(r.event_kind) && r.event_kind !== 'approval_expired') {
            fail(`partition ${partition} seq ${r.seq}: records of ${at} do not start with a receipt (${r.event_kind})`);
            received = true;
          }
        }
        if (!RECEIPTS.includes(r.event_kind)) continue;
        if (received) {
          fail(`partition ${partition} seq ${r.seq}: a second receipt for ${at}`);
          continue;
        }
        received = true;
        receipts++;
        if (seen.has(at)) fail(`partition ${partition} seq ${r.seq}: ${at} consumed twice`);
        seen.add(at);
        const offset = BigInt(r.input.offset);
        const previous = last.get(r.input.topic);
        if (previous !== undefined && offset <= previous) fail(`partition ${partition} seq ${r.seq}: ${at} consumed after offset ${previous}`);
        else if (previous !== undefined && r.event_kind.startsWith('telemetry_') && offset !== previous + 1n)
          fail(`partition ${partition} seq ${r.seq}: ${at} follows offset ${previous}; the offsets between have no receipt`);
        last.set(r.input.topic, offset);
      }
      if (current !== null && !received) fail(`partition ${partition}: records of ${current} have no receipt`);
    }
    if (check.ok) check.details.push(`${receipts} receipts, one per consumed input, offsets consecutive per partition`);
    return check;
  }

  /** Every applied operator action is in operator_actions.jsonl and verifies with its config's operator key. */
  async function checkSignatures(model) {
    const check = { id: 'operator signatures', name: 'operator signatures', ok: true, details: [] };
    const snapshots = new Map((Array.isArray(model.snapshots.value) ? model.snapshots.value : []).map((s) => [s?.config_hash, s]));
    const actions = new Map(model.actions.records.map(({ value }) => [value?.action_id, value]));
    const verified = new Set();
    for (const r of model.records.filter((x) => x.event_kind === 'operator_action_applied')) {
      const id = r.payload?.action_id;
      if (verified.has(id)) continue;
      const action = actions.get(id);
      const key = action ? snapshots.get(r.config_hash)?.config?.operators?.[action.actor_id]?.public_key : undefined;
      let ok = false;
      if (action && key) {
        try {
          const { signature, ...unsigned } = action;
          ok = await crypto.subtle.verify({ name: 'Ed25519' }, await importOperatorKey(key), base64ToBytes(signature), new TextEncoder().encode(canonicalJson(unsigned)));
        } catch {
          ok = false;
        }
      }
      if (ok) verified.add(id);
      else {
        check.ok = false;
        check.details.push(
          !action
            ? `action ${id} was applied but is not in operator_actions.jsonl`
            : !key
              ? `action ${id}: actor ${action.actor_id} has no public key`
              : `action ${id} by ${action.actor_id}: Ed25519 signature does not verify`,
        );
      }
    }
    if (check.ok)
      check.details.push(`${model.records.filter((x) => x.event_kind === 'operator_action_applied').length} actions applied (${verified.size} distinct), every signature verifies`);
    return check;
  }

  /** The per-partition audit hash chain: seq from 0 by 1, prev_hash links, record_hash recomputed. */
  async function checkAuditChains(model) {
    const check = { id: 'audit hash chains', name: 'audit hash chains', ok: true, details: [], partitions: [] };
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
    const check = { id: 'id uniqueness', name: 'id uniqueness', ok: true, details: [] };
    const seen = new Map();
    const once = (kind, id, where) => {
      if (!seen.has(kind)) seen.set(kind, new Set());
      if (seen.get(kind).has(id)) {
        check.ok = false;
        check.details.push(`${kind} ${id} occurs twice (${where})`);
      }
      seen.get(kind).add(id);
    };
    for (const r of model.records) {
      const where = `partition ${r.input?.partition} seq ${r.seq}`;
      once('audit_id', r.audit_id, where);
      if (r.event_kind === 'intent_proposed') once('intent_id', r.payload?.intent?.intent_id, where);
      if (r.event_kind === 'approval_requested') once('approval_id', r.payload?.approval_id, where);
      // A kill switch is written to every partition, so an action id is unique per partition.
      if (r.event_kind === 'action_received') once(`action_id in partition ${r.input?.partition}`, r.payload?.action_id, where);
      if (r.event_kind === 'telemetry_rejected' || r.event_kind === 'action_rejected') once('dead_letter_id', r.payload?.dead_letter_id, where);
    }
    if (check.ok) check.details.push(`${seen.get('audit_id')?.size ?? 0} distinct audit ids; intent, approval, action and dead-letter ids unique`);
    return check;
  }

  function checkReplayReport(model) {
    const check = { id: 'replay report consistency', name: 'replay report consistency', ok: true, details: [] };
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

  /** Every check of CHECKS, in order: the integrity checks here, the derived reports and gate verdicts from gates.js. */
  async function runChecks(model) {
    const integrity = [
      await checkManifest(model),
      await checkConfigHash(model),
      checkConfigReferences(model),
      await checkAuditChains(model),
      checkIdsUnique(model),
      checkReceipts(model),
      await checkSignatures(model),
      checkReplayReport(model),
    ];
    const derived = await exo.checkDerivedReports(model);
    const judged = await exo.rejudgeGates(model, [...integrity, derived]);
    const checks = [...integrity, derived, exo.checkGateVerdicts(model, judged)];
    return { checks, gates: judged };
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

  Object.assign(exo, { CHECKS, runChecks, verifyOperatorSignatures });
})();
