// @ts-check
// ExoArmur evidence viewer: the one list of integrity checks it runs in the browser, the checks over the bundle's files (manifest, config, replay report), and runChecks, which runs them all in order.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { canonicalJson, sha256HexBytes, sha256Hex } = exo;

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

  /** Every check of CHECKS, in order: the file checks here, the record checks (record-checks.js), signatures (signatures.js), the derived reports (derived.js) and the gate verdicts (gates.js). */
  async function runChecks(model) {
    const integrity = [
      await checkManifest(model),
      await checkConfigHash(model),
      checkConfigReferences(model),
      await exo.checkAuditChains(model),
      exo.checkIdsUnique(model),
      exo.checkReceipts(model),
      await exo.checkSignatures(model),
      checkReplayReport(model),
    ];
    const derived = await exo.checkDerivedReports(model);
    const judged = await exo.rejudgeGates(model, [...integrity, derived]);
    const checks = [...integrity, derived, exo.checkGateVerdicts(model, judged)];
    return { checks, gates: judged };
  }

  Object.assign(exo, { CHECKS, runChecks });
})();
