// ExoArmur evidence viewer: shows one evidence bundle and re-verifies it in the browser.
// Plain ES2022, no framework, no network. Every piece of bundle data enters the DOM as text
// (textContent / createTextNode), never as HTML, because a bundle is untrusted input.
'use strict';

(() => {
  const ZERO_HASH = '0'.repeat(64);
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const GATE_LINE = /^GATE\s+(\d+)\s+(.+?):\s*(PASS|FAIL|UNPROVEN)\b\s*(?:-\s*(.*))?$/;
  const PARTITION_COLOURS = ['#2563eb', '#0d9488', '#7c3aed', '#c2410c', '#0891b2', '#be185d', '#4d7c0f', '#a16207'];

  /** Which trace stage an audit event_kind belongs to, in the order the decision chain runs. */
  const STAGES = [
    ['receipt', ['telemetry_received', 'telemetry_duplicate', 'telemetry_rejected', 'action_received', 'action_duplicate', 'action_rejected']],
    ['facts', ['facts_derived']],
    ['belief', ['belief_emitted']],
    ['collective', ['collective_updated']],
    ['intent', ['intent_proposed']],
    ['safety', ['safety_evaluated']],
    ['approval', ['approval_requested', 'operator_action_applied', 'operator_action_rejected', 'approval_granted', 'approval_denied', 'approval_expired']],
    ['outcome', ['intent_released', 'intent_denied']],
  ];
  const STAGE_OF = new Map(STAGES.flatMap(([stage, kinds]) => kinds.map((k) => [k, stage])));
  const BAD_KINDS = new Set(['telemetry_rejected', 'action_rejected', 'operator_action_rejected', 'intent_denied', 'approval_denied', 'approval_expired']);

  // ---------------------------------------------------------------- DOM helpers (text only)

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    applyAttrs(node, attrs);
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    applyAttrs(node, attrs);
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function applyAttrs(node, attrs) {
    if (!attrs) return;
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') node.setAttribute('class', value);
      else if (name === 'dataset') for (const [k, v] of Object.entries(value)) node.dataset[k] = String(v);
      else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, String(value));
    }
  }

  function replaceChildren(id, ...children) {
    const node = document.getElementById(id);
    node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined));
    return node;
  }

  function show(id) {
    document.getElementById(id).hidden = false;
  }

  function badge(status, text) {
    return el('span', { class: `badge badge-${String(status).toLowerCase()}` }, text ?? String(status));
  }

  function formatValue(value) {
    if (value === null) return 'null';
    if (typeof value === 'object') return JSON.stringify(value, null, 2);
    return String(value);
  }

  /** A key/value table for a record whose fields vary by kind. Nested objects are shown as JSON text. */
  function kvTable(obj) {
    if (obj === null || typeof obj !== 'object') return el('pre', { class: 'json' }, formatValue(obj));
    const rows = Object.keys(obj).sort().map((key) => {
      const value = obj[key];
      const cell = value !== null && typeof value === 'object' ? el('pre', { class: 'json' }, formatValue(value)) : el('span', { class: 'mono' }, formatValue(value));
      return el('tr', null, el('th', { scope: 'row' }, key), el('td', null, cell));
    });
    return el('table', { class: 'kv' }, el('tbody', null, rows));
  }

  function dataTable(headers, rows, attrs) {
    return el('table', { class: 'data', ...attrs },
      el('thead', null, el('tr', null, headers.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', null, rows));
  }

  function shortHash(hash) {
    return typeof hash === 'string' && hash.length > 16 ? `${hash.slice(0, 12)}…${hash.slice(-4)}` : String(hash ?? '—');
  }

  // ---------------------------------------------------------------- contracts (docs/contracts.md)

  /** Canonical JSON: sorted keys (UTF-16 order), no whitespace, scalars exactly as JSON.stringify writes them. */
  function canonicalJson(value) {
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }

  async function sha256HexBytes(bytes) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  const sha256Hex = (text) => sha256HexBytes(new TextEncoder().encode(text));

  function base64ToBytes(b64) {
    const binary = atob(b64.replace(/\s+/g, ''));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }

  /** Operator keys are base64 SPKI DER (contract); raw 32-byte keys and PEM are accepted too. */
  async function importOperatorKey(publicKey) {
    const pem = publicKey.match(/-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/);
    const der = base64ToBytes(pem ? pem[1] : publicKey);
    const format = der.length === 32 ? 'raw' : 'spki';
    return crypto.subtle.importKey(format, der, { name: 'Ed25519' }, false, ['verify']);
  }

  // ---------------------------------------------------------------- bundle loading

  function embeddedBundle() {
    const node = document.getElementById('exoarmur-bundle');
    if (!node) return null;
    const parsed = JSON.parse(node.textContent);
    const files = new Map();
    const encoder = new TextEncoder();
    for (const [name, text] of Object.entries(parsed.files ?? {})) files.set(name, { text, bytes: encoder.encode(text) });
    return { source: 'embedded in this page', files };
  }

  async function bundleFromFileList(fileList) {
    const files = new Map();
    const decoder = new TextDecoder();
    let root = '';
    for (const file of fileList) {
      const path = file.webkitRelativePath || file.name;
      const parts = path.split('/');
      // Bundle files sit directly in the picked directory; ignore anything in sub-directories.
      if (parts.length > 2) continue;
      root = parts.length === 2 ? parts[0] : root;
      const bytes = new Uint8Array(await file.arrayBuffer());
      files.set(parts[parts.length - 1], { text: decoder.decode(bytes), bytes });
    }
    return { source: root ? `directory ${root}/` : 'picked files', files };
  }

  function parseJsonFile(bundle, name) {
    const file = bundle.files.get(name);
    if (!file) return { missing: true, value: null, error: `${name} is not in the bundle` };
    try {
      return { value: JSON.parse(file.text), error: null };
    } catch (err) {
      return { value: null, error: `${name} is not valid JSON: ${err.message}` };
    }
  }

  function parseJsonLines(bundle, name) {
    const file = bundle.files.get(name);
    if (!file) return { missing: true, records: [], errors: [`${name} is not in the bundle`] };
    const records = [];
    const errors = [];
    file.text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        records.push({ line: index + 1, value: JSON.parse(line) });
      } catch (err) {
        errors.push(`${name} line ${index + 1} is not valid JSON: ${err.message}`);
      }
    });
    return { records, errors };
  }

  function parsePassFail(text) {
    const result = { runId: null, gates: [], overall: null, unparsed: [] };
    for (const raw of (text ?? '').split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      let m;
      if ((m = line.match(/^RUN\s+(\S+)/))) result.runId = m[1];
      else if ((m = line.match(GATE_LINE))) result.gates.push({ n: Number(m[1]), name: m[2], status: m[3], evidence: m[4] ?? '' });
      else if ((m = line.match(/^OVERALL:\s*(PASS|FAIL)\b/))) result.overall = m[1];
      else result.unparsed.push(line);
    }
    return result;
  }

  /** Parses every bundle file once into the model the sections render. */
  function buildModel(bundle) {
    const manifest = parseJsonFile(bundle, 'manifest.json');
    const snapshots = parseJsonFile(bundle, 'config_snapshot.json');
    const audit = parseJsonLines(bundle, 'audit_export.jsonl');
    const actions = parseJsonLines(bundle, 'operator_actions.jsonl');
    const passFailFile = bundle.files.get('PASS_FAIL.txt');
    const configHashFile = bundle.files.get('config_hash.txt');
    return {
      bundle,
      manifest,
      snapshots,
      audit,
      records: audit.records.map((r) => r.value).filter((r) => r && typeof r === 'object'),
      actions,
      passFail: passFailFile ? parsePassFail(passFailFile.text) : null,
      configHash: configHashFile ? configHashFile.text.trim() : null,
      replay: parseJsonFile(bundle, 'replay_report.json'),
      idempotency: parseJsonFile(bundle, 'idempotency_report.json'),
      timeModel: parseJsonFile(bundle, 'time_model.json'),
      storage: parseJsonFile(bundle, 'storage_state.json'),
      serviceLog: bundle.files.get('service.log')?.text ?? null,
    };
  }

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
    return [
      await checkManifest(model),
      await checkConfigHash(model),
      await checkAuditChains(model),
      checkIdsUnique(model),
      checkReplayReport(model),
    ];
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
        results.push({ action, status: ok ? 'valid' : 'invalid', detail: ok ? `verified with ${action.actor_id}'s key` : `signature does not verify with ${action.actor_id}'s key` });
      } catch (err) {
        results.push({ action, status: 'error', detail: `could not verify: ${err.message}` });
      }
    }
    return results;
  }

  // ---------------------------------------------------------------- sections

  function renderBanner(checks) {
    const banner = document.getElementById('integrity-banner');
    const failed = checks.filter((c) => !c.ok);
    banner.hidden = false;
    if (failed.length === 0) {
      banner.dataset.status = 'pass';
      banner.className = 'banner banner-pass';
      banner.replaceChildren(el('strong', null, 'Integrity verified. '), `All ${checks.length} checks passed in this browser: ${checks.map((c) => c.name.toLowerCase()).join('; ')}.`);
      return;
    }
    banner.dataset.status = 'fail';
    banner.className = 'banner banner-fail';
    banner.replaceChildren(
      el('strong', { class: 'banner-title' }, `INTEGRITY FAILURE — ${failed.map((c) => c.name).join(', ')}`),
      el('ul', null, failed.map((c) => el('li', { dataset: { check: c.id } }, `${c.name}: `, c.details[0] ?? 'failed', c.details.length > 1 ? ` (+${c.details.length - 1} more)` : ''))),
      el('span', null, 'This bundle was modified after it was written, or is incomplete. Do not rely on it.'),
    );
  }

  /** Looks for a broker address in the effective config or storage state; field names vary by version. */
  function findBroker(model) {
    const names = new Set(['brokers', 'broker', 'bootstrap_servers', 'bootstrapServers', 'kafka_brokers']);
    const visit = (value, depth) => {
      if (!value || typeof value !== 'object' || depth > 4) return null;
      for (const [key, inner] of Object.entries(value)) {
        if (names.has(key) && (typeof inner === 'string' || Array.isArray(inner))) return Array.isArray(inner) ? inner.join(', ') : inner;
      }
      for (const inner of Object.values(value)) {
        const found = visit(inner, depth + 1);
        if (found) return found;
      }
      return null;
    };
    const firstConfig = Array.isArray(model.snapshots.value) ? model.snapshots.value[0]?.config : null;
    return visit(model.storage.value, 0) ?? visit(firstConfig, 0) ?? 'not recorded';
  }

  function renderOverview(model, checks) {
    const pf = model.passFail;
    const runId = pf?.runId ?? model.manifest.value?.run_id ?? 'unknown';
    document.getElementById('header-run').textContent = runId;
    document.title = `ExoArmur evidence — ${runId}`;
    const partitions = new Set(model.records.map((r) => r.input?.partition));
    const overall = pf?.overall ?? 'UNKNOWN';
    const fact = (label, value, attrs) => el('div', { class: 'fact', ...attrs }, el('div', { class: 'fact-label' }, label), el('div', { class: 'fact-value' }, value));
    replaceChildren('overview-facts',
      fact('Overall', [badge(overall), checks.every((c) => c.ok) ? null : el('div', { class: 'small text-fail' }, 'as claimed — integrity failed, not trustworthy')], { id: 'overall', dataset: { status: overall } }),
      fact('Run id', el('span', { class: 'mono' }, runId), { id: 'run-id' }),
      fact('Broker', el('span', { class: 'mono' }, findBroker(model)), { id: 'broker' }),
      fact('Config hash', el('span', { class: 'mono', title: model.configHash ?? '' }, shortHash(model.configHash)), { id: 'config-hash' }),
      fact('Audit records', String(model.records.length)),
      fact('Partitions', String(partitions.size)),
      fact('Operator actions', String(model.actions.records.length)),
      fact('Bundle', model.bundle.source),
    );
    if (!pf) {
      replaceChildren('gates', el('p', { class: 'error-text' }, 'PASS_FAIL.txt is not in the bundle.'));
      return;
    }
    replaceChildren('gates',
      pf.gates.map((g) => el('div', { class: `gate gate-${g.status.toLowerCase()}`, dataset: { gate: g.n, status: g.status } },
        el('div', { class: 'gate-head' }, el('span', { class: 'gate-n' }, `Gate ${g.n}`), badge(g.status)),
        el('div', { class: 'gate-name' }, g.name),
        el('div', { class: 'gate-evidence' }, g.evidence || '—'))),
      pf.unparsed.length > 0 ? el('p', { class: 'muted small' }, `Unrecognised PASS_FAIL.txt lines: ${pf.unparsed.join(' | ')}`) : null,
    );
  }

  function renderIntegrity(checks) {
    replaceChildren('checks', checks.map((c) => el('li', { class: `check ${c.ok ? 'check-ok' : 'check-fail'}`, dataset: { check: c.id, status: c.ok ? 'pass' : 'fail' } },
      el('div', { class: 'check-head' }, badge(c.ok ? 'PASS' : 'FAIL'), el('span', { class: 'check-name' }, c.name)),
      el('ul', { class: 'check-details' }, c.details.slice(0, 20).map((d) => el('li', null, d)), c.details.length > 20 ? el('li', null, `… ${c.details.length - 20} more`) : null))));
    const manifest = checks.find((c) => c.id === 'manifest');
    const table = document.getElementById('files-table');
    table.replaceChildren(...dataTable(['File', 'Bytes', 'SHA-256 (manifest)', 'SHA-256 (computed)', ''],
      (manifest.files ?? []).map((f) => el('tr', { dataset: { file: f.name, status: f.status } },
        el('td', { class: 'mono' }, f.name),
        el('td', { class: 'num' }, f.size === null ? '—' : f.size.toLocaleString('en-US')),
        el('td', { class: 'mono hash', title: f.expected ?? '' }, shortHash(f.expected)),
        el('td', { class: 'mono hash', title: f.actual ?? '' }, shortHash(f.actual)),
        el('td', null, badge(f.status === 'ok' ? 'PASS' : 'FAIL', f.status))))).childNodes);
  }

  // ---- time model chart

  function parseTime(value) {
    const ms = typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isFinite(ms) ? ms : null;
  }

  function formatClock(ms, withDate) {
    const iso = new Date(ms).toISOString();
    return withDate ? `${iso.slice(5, 10)} ${iso.slice(11, 19)}` : iso.slice(11, 23).replace(/\.000$/, '');
  }

  function formatDuration(ms) {
    if (ms < 1000) return `${ms} ms`;
    if (ms < 120000) return `${(ms / 1000).toFixed(1)} s`;
    return `${(ms / 60000).toFixed(1)} min`;
  }

  /**
   * Points for the chart. A record is out of order when its event time is earlier than an event time
   * its partition had already seen (seq order); a restart gap is a pause in process time far longer
   * than the run's typical spacing.
   */
  function timePoints(records) {
    const points = [];
    const maxSeen = new Map();
    const sorted = [...records].sort((a, b) => (a.input?.partition ?? 0) - (b.input?.partition ?? 0) || (a.seq ?? 0) - (b.seq ?? 0));
    for (const record of sorted) {
      const event = parseTime(record.event_time);
      const process = parseTime(record.process_time);
      if (event === null || process === null) continue;
      const partition = record.input?.partition ?? 0;
      const seen = maxSeen.get(partition) ?? -Infinity;
      points.push({ record, event, process, partition, late: event < seen, lateBy: seen - event });
      maxSeen.set(partition, Math.max(seen, event));
    }
    const times = [...new Set(points.map((p) => p.process))].sort((a, b) => a - b);
    const deltas = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
    const median = deltas.length > 0 ? deltas[Math.floor(deltas.length / 2)] : 0;
    const threshold = Math.max(2000, median * 20);
    const gaps = [];
    for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] > threshold) gaps.push({ from: times[i - 1], to: times[i] });
    return { points, gaps, threshold };
  }

  /**
   * A process-time axis broken at restart gaps: each gap gets a fixed width so it stays visible
   * without squeezing the runs on either side; runs share the rest in proportion to their length.
   */
  function brokenAxis(times, gaps, left, right) {
    const sorted = [...new Set(times)].sort((a, b) => a - b);
    const segments = [];
    let start = sorted[0];
    for (const gap of gaps) {
      segments.push([start, gap.from]);
      start = gap.to;
    }
    segments.push([start, sorted.at(-1)]);
    const gapWidth = gaps.length > 0 ? Math.min(90, (right - left) / (4 * gaps.length)) : 0;
    const available = right - left - gapWidth * gaps.length;
    const total = segments.reduce((sum, [a, b]) => sum + (b - a), 0);
    const minWidth = Math.min(60, available / segments.length);
    const flexible = available - minWidth * segments.length;
    const layout = [];
    let x = left;
    for (const [a, b] of segments) {
      const w = minWidth + (total > 0 ? (flexible * (b - a)) / total : flexible / segments.length);
      layout.push({ a, b, x0: x, x1: x + w });
      x += w + gapWidth;
    }
    const scale = (t) => {
      const seg = layout.find((s) => t <= s.b) ?? layout.at(-1);
      if (t < seg.a) return seg.x0 - gapWidth / 2;
      return seg.b === seg.a ? (seg.x0 + seg.x1) / 2 : seg.x0 + ((t - seg.a) / (seg.b - seg.a)) * (seg.x1 - seg.x0);
    };
    scale.ticks = layout.flatMap((s) => {
      if (s.b === s.a) return [s.a];
      const n = Math.max(1, Math.floor((s.x1 - s.x0) / 150));
      return Array.from({ length: n + 1 }, (_, i) => s.a + ((s.b - s.a) * i) / n);
    });
    return scale;
  }

  function renderTimeModel(model) {
    const { points, gaps, threshold } = timePoints(model.records);
    const width = 960;
    const height = 380;
    const m = { left: 92, right: 20, top: 16, bottom: 48 };
    if (points.length === 0) {
      replaceChildren('time-chart', el('p', { class: 'muted' }, 'No audit records with valid event and process times.'));
    } else {
      const ys = points.map((p) => p.event);
      const pad = (lo, hi) => (hi - lo === 0 ? [lo - 500, hi + 500] : [lo - (hi - lo) * 0.03, hi + (hi - lo) * 0.03]);
      const [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
      const sx = brokenAxis(points.map((p) => p.process), gaps, m.left + 8, width - m.right - 8);
      const sy = (t) => height - m.bottom - ((t - y0) / (y1 - y0)) * (height - m.top - m.bottom);
      const xTicks = sx.ticks;
      const multiDay = xTicks.at(-1) - xTicks[0] > 86400000 || y1 - y0 > 86400000;
      const ticks = (lo, hi) => Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
      const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'time-svg', role: 'img', 'aria-label': 'Event time against process time for every audit record' },
        svg('rect', { x: m.left, y: m.top, width: width - m.left - m.right, height: height - m.top - m.bottom, class: 'plot-bg' }),
        gaps.map((g) => svg('g', { class: 'gap', dataset: { gapMs: g.to - g.from } },
          svg('rect', { x: sx(g.from) + 2, y: m.top, width: Math.max(2, sx(g.to) - sx(g.from) - 4), height: height - m.top - m.bottom, class: 'gap-rect' }),
          svg('text', { x: (sx(g.from) + sx(g.to)) / 2, y: m.top + 14, class: 'gap-label', 'text-anchor': 'middle' }, `gap ${formatDuration(g.to - g.from)}`),
          svg('title', null, `No records processed for ${formatDuration(g.to - g.from)} (${formatClock(g.from, multiDay)} → ${formatClock(g.to, multiDay)}): processor or broker restart`))),
        xTicks.map((t, i) => svg('g', { class: 'tick' },
          svg('line', { x1: sx(t), x2: sx(t), y1: m.top, y2: height - m.bottom, class: 'grid' }),
          svg('text', { x: sx(t), y: height - m.bottom + 16 + (i % 2) * 12, 'text-anchor': i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle' }, formatClock(t, multiDay)))),
        ticks(y0, y1).map((t) => svg('g', { class: 'tick' },
          svg('line', { x1: m.left, x2: width - m.right, y1: sy(t), y2: sy(t), class: 'grid' }),
          svg('text', { x: m.left - 6, y: sy(t) + 4, 'text-anchor': 'end' }, formatClock(t, multiDay)))),
        svg('text', { x: (m.left + width - m.right) / 2, y: height - 4, 'text-anchor': 'middle', class: 'axis-label' }, 'process_time (when the processor consumed it, UTC)'),
        svg('text', { x: 14, y: (m.top + height - m.bottom) / 2, 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 14 ${(m.top + height - m.bottom) / 2})` }, 'event_time (UTC)'),
        points.filter((p) => !p.late).map((p) => svg('circle', { cx: sx(p.process), cy: sy(p.event), r: 4, fill: PARTITION_COLOURS[p.partition % PARTITION_COLOURS.length], class: 'pt', onclick: () => traceFor(p.record.correlation_id) },
          svg('title', null, `p${p.partition} seq ${p.record.seq} ${p.record.event_kind}\nevent ${p.record.event_time}\nprocess ${p.record.process_time}\n${p.record.correlation_id}`))),
        points.filter((p) => p.late).map((p) => {
          const cx = sx(p.process);
          const cy = sy(p.event);
          return svg('path', { d: `M${cx} ${cy - 7}L${cx + 7} ${cy}L${cx} ${cy + 7}L${cx - 7} ${cy}Z`, class: 'pt pt-late', dataset: { late: 'true' }, onclick: () => traceFor(p.record.correlation_id) },
            svg('title', null, `OUT OF ORDER by ${formatDuration(p.lateBy)} — p${p.partition} seq ${p.record.seq} ${p.record.event_kind}\nevent ${p.record.event_time}\nprocess ${p.record.process_time}\n${p.record.correlation_id}`));
        }));
      replaceChildren('time-chart', chart);
      const partitions = [...new Set(points.map((p) => p.partition))].sort((a, b) => a - b);
      const lateEvents = new Set(points.filter((p) => p.late).map((p) => `${p.partition}/${p.record.input?.offset}/${p.record.input?.topic}`));
      replaceChildren('time-legend',
        partitions.map((p) => el('span', { class: 'legend-item' }, el('span', { class: 'swatch', style: `background:${PARTITION_COLOURS[p % PARTITION_COLOURS.length]}` }), `partition ${p}`)),
        el('span', { class: 'legend-item' }, el('span', { class: 'swatch swatch-late' }), `out of order (${lateEvents.size} input${lateEvents.size === 1 ? '' : 's'})`),
        el('span', { class: 'legend-item' }, el('span', { class: 'swatch swatch-gap' }), `process-time gap > ${formatDuration(threshold)} (${gaps.length})`),
        el('span', { class: 'legend-item muted' }, 'Click a point to trace it.'));
    }
    const tm = model.timeModel.value;
    const parts = [];
    if (tm?.per_kind && typeof tm.per_kind === 'object') {
      parts.push(el('h3', null, 'Per event kind'), el('div', { class: 'table-wrap' }, dataTable(['event_kind', 'count', 'event time', 'process time', 'max skew'],
        Object.entries(tm.per_kind).map(([kind, k]) => el('tr', null,
          el('td', { class: 'mono' }, kind), el('td', { class: 'num' }, String(k?.count ?? '—')),
          el('td', { class: 'mono small' }, `${k?.event_time_min ?? '—'} → ${k?.event_time_max ?? '—'}`),
          el('td', { class: 'mono small' }, `${k?.process_time_min ?? '—'} → ${k?.process_time_max ?? '—'}`),
          el('td', { class: 'num' }, typeof k?.max_skew_ms === 'number' ? formatDuration(k.max_skew_ms) : '—'))))));
    }
    if (tm?.receipts && typeof tm.receipts === 'object') {
      parts.push(el('h3', null, 'Receipts per partition'), el('div', { class: 'table-wrap' }, dataTable(['partition', 'count', 'gapless', 'strictly ordered'],
        Object.entries(tm.receipts).map(([p, r]) => el('tr', null, el('td', null, p), el('td', { class: 'num' }, String(r?.count ?? '—')),
          el('td', null, badge(r?.gapless ? 'PASS' : 'FAIL', String(r?.gapless))), el('td', null, badge(r?.strictly_ordered ? 'PASS' : 'FAIL', String(r?.strictly_ordered))))))));
    }
    if (tm && 'replay_followed_recorded_order' in tm) {
      parts.push(el('p', null, 'Replay followed the recorded order: ', badge(tm.replay_followed_recorded_order ? 'PASS' : 'FAIL', String(tm.replay_followed_recorded_order))));
    }
    if (!tm) parts.push(el('p', { class: 'error-text' }, model.timeModel.error));
    replaceChildren('time-summary', parts);
  }

  function renderIdempotency(model) {
    const report = model.idempotency.value;
    if (!report) {
      replaceChildren('idem-body', el('p', { class: 'error-text' }, model.idempotency.error));
      return;
    }
    const count = (v) => (typeof v === 'number' ? v : Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : null);
    const bars = [
      ['Deliveries', report.deliveries, 'every record consumed, duplicates included'],
      ['Unique keys', report.unique_keys, 'distinct idempotency keys'],
      ['Duplicates suppressed', report.duplicates_suppressed, 'receipts only, nothing else produced'],
      ['Outcomes before', count(report.outcomes_before), 'decision outcomes after the first inject'],
      ['Outcomes after', count(report.outcomes_after), 'after injecting everything again'],
    ];
    const max = Math.max(1, ...bars.map(([, v]) => (typeof v === 'number' ? v : 0)));
    const equal = report.equal === true;
    const receipts = model.records.filter((r) => STAGE_OF.get(r.event_kind) === 'receipt').length;
    const dupReceipts = model.records.filter((r) => r.event_kind === 'telemetry_duplicate' || r.event_kind === 'action_duplicate').length;
    const parts = [
      el('div', { class: 'bars' }, bars.map(([label, value, hint]) => el('div', { class: 'bar-row', dataset: { metric: label } },
        el('div', { class: 'bar-label' }, label, el('span', { class: 'muted small' }, hint)),
        el('div', { class: 'bar-track' }, el('div', { class: 'bar-fill', style: `width:${typeof value === 'number' ? (100 * value) / max : 0}%` })),
        el('div', { class: 'bar-value num' }, value === null || value === undefined ? '—' : String(value))))),
      el('p', { class: 'idem-verdict' }, 'Outcomes identical before and after the double inject: ', badge(equal ? 'PASS' : 'FAIL', String(report.equal))),
      el('div', { class: 'table-wrap' }, dataTable(['', 'digest'], [
        el('tr', null, el('td', null, 'before'), el('td', { class: 'mono hash' }, String(report.digest_before ?? '—'))),
        el('tr', null, el('td', null, 'after'), el('td', { class: 'mono hash' }, String(report.digest_after ?? '—'))),
      ])),
      el('p', { class: 'muted small' }, `From the audit trail itself: ${receipts} receipts, ${dupReceipts} of them duplicates.`),
    ];
    for (const key of ['outcomes_before', 'outcomes_after']) {
      if (report[key] && typeof report[key] === 'object') parts.push(el('details', null, el('summary', null, key), kvTable(report[key])));
    }
    replaceChildren('idem-body', parts);
  }

  function renderReplay(model) {
    const report = model.replay.value;
    if (!report) {
      replaceChildren('replay-body', el('p', { class: 'error-text' }, model.replay.error));
      return;
    }
    const stat = (label, value, status) => el('div', { class: 'fact', dataset: { metric: label } }, el('div', { class: 'fact-label' }, label), el('div', { class: `fact-value ${status ? `text-${status}` : ''}` }, String(value ?? '—')));
    const flags = ['intent_hashes_equal', 'verdicts_equal', 'approvals_equal', 'trace_structure_equal', 'pass'];
    const mismatches = Array.isArray(report.mismatches) ? report.mismatches : [];
    replaceChildren('replay-body',
      el('div', { class: 'facts' },
        stat('Compared', report.compared),
        stat('Matched', report.matched, 'pass'),
        stat('Mismatched', report.mismatched, report.mismatched > 0 ? 'fail' : 'pass')),
      el('div', { class: 'flags' }, flags.filter((f) => f in report).map((f) => el('span', { class: 'flag' }, f.replaceAll('_', ' '), ' ', badge(report[f] ? 'PASS' : 'FAIL', String(report[f]))))),
      mismatches.length === 0
        ? el('p', { class: 'muted' }, 'Replay reproduced every recorded decision.')
        : el('div', { class: 'mismatches' }, mismatches.map((mm) => el('div', { class: 'mismatch', dataset: { auditId: mm.audit_id ?? '' } },
          el('div', { class: 'mismatch-head' }, el('span', { class: 'mono' }, `p${mm.partition} seq ${mm.seq}`), el('span', { class: 'mono' }, mm.audit_id ?? ''), el('strong', null, mm.field ?? '')),
          el('div', { class: 'sides' },
            el('div', { class: 'side side-recorded' }, el('div', { class: 'side-label' }, 'recorded'), el('pre', { class: 'json' }, formatValue(mm.recorded))),
            el('div', { class: 'side side-replayed' }, el('div', { class: 'side-label' }, 'replayed'), el('pre', { class: 'json' }, formatValue(mm.replayed))))))),
    );
  }

  // ---- trace explorer

  function deepContains(value, needle, depth = 0) {
    if (value === needle) return true;
    if (!value || typeof value !== 'object' || depth > 6) return false;
    return Object.values(value).some((v) => deepContains(v, needle, depth + 1));
  }

  function recordMatches(record, q) {
    return record.correlation_id === q || record.audit_id === q || record.trace_id === q
      || (typeof record.idempotency_key === 'string' && record.idempotency_key.endsWith(`:${q}`))
      || deepContains(record.payload, q);
  }

  function signatureBadge(status) {
    const map = { valid: ['PASS', 'signature valid'], invalid: ['FAIL', 'signature INVALID'], unknown: ['UNPROVEN', 'unknown actor'], error: ['FAIL', 'not verifiable'] };
    const [cls, text] = map[status] ?? ['UNPROVEN', status];
    return badge(cls, text);
  }

  function actionRow(sig) {
    const a = sig.action ?? {};
    return el('tr', { dataset: { actionId: a.action_id ?? '', signature: sig.status } },
      el('td', { class: 'mono' }, a.action ?? '—'),
      el('td', { class: 'mono' }, a.actor_id ?? '—'),
      el('td', { class: 'mono small' }, a.decided_at ?? '—'),
      el('td', { class: 'mono small' }, a.correlation_id ?? '—'),
      el('td', { class: 'mono small', title: a.approval_id ?? '' }, a.approval_id ?? (a.scope ? `scope ${a.scope}` : '—')),
      el('td', null, a.reason ?? ''),
      el('td', { title: sig.detail }, signatureBadge(sig.status)));
  }

  const ACTION_HEADERS = ['action', 'actor', 'decided_at', 'correlation', 'approval / scope', 'reason', 'signature'];

  function stepSummary(record) {
    const p = record.payload ?? {};
    const pick = (...keys) => keys.filter((k) => p[k] !== undefined && p[k] !== null && typeof p[k] !== 'object').map((k) => `${k} ${p[k]}`).join(' · ');
    switch (record.event_kind) {
      case 'facts_derived': return pick('subject', 'claim_type');
      case 'belief_emitted': return pick('emitter', 'subject', 'classification', 'confidence');
      case 'collective_updated': return pick('aggregate_score', 'quorum_count', 'conflict');
      case 'intent_proposed': return pick('intent_id', 'action_class', 'intent_type');
      case 'safety_evaluated': return pick('rule', 'verdict', 'rule_id');
      case 'approval_requested': return pick('approval_id', 'requirement', 'required_approvers', 'expires_at');
      case 'operator_action_applied':
      case 'operator_action_rejected': return pick('action', 'actor_id', 'decided_at', 'reason');
      default: return pick('event_id', 'intent_id', 'reason', 'verdict');
    }
  }

  let model = null;
  let signatures = [];

  function traceFor(query) {
    document.getElementById('trace-query').value = query ?? '';
    renderTrace(query);
    document.getElementById('trace').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  function renderTrace(rawQuery) {
    const q = (rawQuery ?? '').trim();
    const results = document.getElementById('trace-results');
    results.dataset.query = q;
    if (q === '') {
      results.replaceChildren();
      return;
    }
    const hits = model.records.filter((r) => recordMatches(r, q));
    const actionHits = signatures.filter((s) => s.action && (s.action.correlation_id === q || s.action.action_id === q || s.action.approval_id === q || s.action.intent_hash === q));
    const correlations = [...new Set([...hits.map((r) => r.correlation_id), ...actionHits.map((s) => s.action.correlation_id)])].filter((c) => c !== undefined);
    if (correlations.length === 0) {
      results.replaceChildren(el('p', { class: 'empty', dataset: { empty: 'true' } }, `Nothing in this bundle matches "${q}".`));
      return;
    }
    results.replaceChildren(...correlations.map((corr) => {
      const records = model.records.filter((r) => r.correlation_id === corr)
        .sort((a, b) => (a.input?.partition ?? 0) - (b.input?.partition ?? 0) || (a.seq ?? 0) - (b.seq ?? 0));
      // One group per consumed input: the receipt and every record the core derived from it.
      const groups = new Map();
      for (const record of records) {
        const key = `${record.input?.topic}|${record.input?.partition}|${record.input?.offset}`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(record);
      }
      const actions = signatures.filter((s) => s.action?.correlation_id === corr);
      return el('article', { class: 'trace-corr', dataset: { correlationId: corr } },
        el('h3', null, 'correlation ', el('span', { class: 'mono' }, corr), el('span', { class: 'muted small' }, ` — ${records.length} audit records, ${groups.size} inputs`)),
        [...groups.values()].map((group) => {
          const first = group[0];
          return el('div', { class: 'trace-input' },
            el('div', { class: 'trace-input-head' },
              el('span', { class: 'mono' }, `${first.input?.topic ?? '?'} · p${first.input?.partition} @ ${first.input?.offset}`),
              el('span', { class: 'mono muted' }, first.idempotency_key ?? '')),
            el('ol', { class: 'steps' }, group.map((record) => {
              const stage = STAGE_OF.get(record.event_kind) ?? 'other';
              const matched = q !== corr && hits.includes(record);
              return el('li', { class: `trace-step stage-${stage}${BAD_KINDS.has(record.event_kind) ? ' step-bad' : ''}${matched ? ' step-hit' : ''}`, dataset: { auditId: record.audit_id ?? '', eventKind: record.event_kind ?? '', seq: record.seq ?? '' } },
                el('details', null,
                  el('summary', null,
                    el('span', { class: 'stage-pill' }, stage),
                    el('span', { class: 'kind mono' }, record.event_kind ?? '?'),
                    el('span', { class: 'step-summary' }, stepSummary(record)),
                    el('span', { class: 'step-time mono muted small' }, `seq ${record.seq} · event ${record.event_time ?? '—'}`)),
                  el('div', { class: 'step-body' },
                    el('div', { class: 'step-meta mono small' }, `audit_id ${record.audit_id} · process ${record.process_time} · record_hash ${shortHash(record.record_hash)}`),
                    kvTable(record.payload ?? {}))));
            })));
        }),
        actions.length > 0
          ? el('div', { class: 'trace-actions' }, el('h4', null, 'Operator actions'), el('div', { class: 'table-wrap' }, dataTable(ACTION_HEADERS, actions.map(actionRow))))
          : null);
    }));
  }

  function renderSuggestions() {
    const corrs = [...new Set(model.records.map((r) => r.correlation_id).filter(Boolean))];
    replaceChildren('trace-suggestions', corrs.length === 0 ? null : [
      el('span', { class: 'muted small' }, 'Correlations: '),
      corrs.slice(0, 24).map((c) => el('button', { type: 'button', class: 'chip mono', onclick: () => traceFor(c) }, c)),
      corrs.length > 24 ? el('span', { class: 'muted small' }, ` +${corrs.length - 24} more`) : null,
    ]);
  }

  function renderOperators() {
    if (model.actions.missing) {
      replaceChildren('operators-body', el('p', { class: 'error-text' }, 'operator_actions.jsonl is not in the bundle.'));
      return;
    }
    const counts = { valid: 0, invalid: 0, unknown: 0, error: 0 };
    for (const s of signatures) counts[s.status] = (counts[s.status] ?? 0) + 1;
    replaceChildren('operators-body',
      el('p', { class: 'muted' }, `${signatures.length} actions: ${counts.valid} valid signatures, ${counts.invalid + counts.error} invalid, ${counts.unknown} from actors without a registered key. The processor must have rejected every action whose signature is not valid.`),
      model.actions.errors.map((e) => el('p', { class: 'error-text' }, e)),
      signatures.length > 0 ? el('div', { class: 'table-wrap' }, dataTable(ACTION_HEADERS, signatures.map(actionRow), { id: 'operators-table' })) : null);
  }

  // ---------------------------------------------------------------- main

  async function render(bundle) {
    document.body.dataset.state = 'loading';
    model = buildModel(bundle);
    const checks = await runChecks(model);
    signatures = await verifyOperatorSignatures(model);
    renderBanner(checks);
    renderOverview(model, checks);
    renderIntegrity(checks);
    renderTimeModel(model);
    renderIdempotency(model);
    renderReplay(model);
    renderSuggestions();
    renderOperators();
    for (const id of ['overview', 'integrity', 'time', 'idempotency', 'replay', 'trace', 'operators']) show(id);
    document.getElementById('footer').textContent = `Bundle ${bundle.source}: ${bundle.files.size} files. Checked ${new Date().toISOString()} in this browser.`;
    const fromHash = decodeURIComponent(location.hash.match(/^#trace=(.+)$/)?.[1] ?? '');
    if (fromHash) traceFor(fromHash);
    document.body.dataset.state = 'ready';
  }

  function fail(message) {
    document.body.dataset.state = 'error';
    const banner = document.getElementById('integrity-banner');
    banner.hidden = false;
    banner.dataset.status = 'fail';
    banner.className = 'banner banner-fail';
    banner.replaceChildren(el('strong', { class: 'banner-title' }, 'Cannot show this bundle. '), message);
  }

  // Printed evidence shows every traced record in full, so collapsed steps are opened for printing.
  let openedForPrint = [];
  window.addEventListener('beforeprint', () => {
    openedForPrint = [...document.querySelectorAll('details:not([open])')];
    for (const d of openedForPrint) d.open = true;
  });
  window.addEventListener('afterprint', () => {
    for (const d of openedForPrint) d.open = false;
    openedForPrint = [];
  });

  document.getElementById('trace-form').addEventListener('submit', (event) => {
    event.preventDefault();
    renderTrace(document.getElementById('trace-query').value);
  });

  document.getElementById('bundle-input').addEventListener('change', async (event) => {
    try {
      const bundle = await bundleFromFileList(event.target.files);
      if (!bundle.files.has('manifest.json')) {
        const error = document.getElementById('picker-error');
        error.hidden = false;
        error.textContent = 'That directory has no manifest.json; pick a bundle directory (artifacts/<run_id>/).';
        return;
      }
      document.getElementById('picker').hidden = true;
      await render(bundle);
    } catch (err) {
      fail(`Could not read the picked directory: ${err.message}`);
    }
  });

  (async () => {
    try {
      if (!globalThis.crypto?.subtle) throw new Error('WebCrypto is not available in this browser, so nothing can be verified.');
      const bundle = embeddedBundle();
      if (bundle) await render(bundle);
      else {
        show('picker');
        document.body.dataset.state = 'awaiting-bundle';
      }
    } catch (err) {
      fail(err.message);
    }
  })();
})();
