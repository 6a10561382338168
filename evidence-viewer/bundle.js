// @ts-check
// ExoArmur evidence viewer: loading a bundle (embedded in the page or picked as a directory) and parsing its files once into the model the sections render.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { parsePassFail } = exo;

  // ---------------------------------------------------------------- bundle loading

  function embeddedBundle() {
    const node = document.getElementById('exoarmur-bundle');
    if (!node) return null;
    const parsed = JSON.parse(node.textContent);
    const files = new Map();
    const encoder = new TextEncoder();
    for (const [name, text] of Object.entries(parsed.files ?? {})) files.set(name, { text, bytes: encoder.encode(text) });
    return { source: 'embedded in this page', files, ruleDescriptions: parsed.rule_descriptions ?? null };
  }

  /**
   * The rule descriptions `exoarmur` embedded in a bundle's own index.html (the gate's table, written
   * with the page), for a bundle picked as a directory; null when there is none. Shown as words only.
   */
  function ruleDescriptionsOf(indexHtml) {
    if (!indexHtml) return null;
    try {
      const node = new DOMParser().parseFromString(indexHtml.text, 'text/html').getElementById('exoarmur-bundle');
      return node ? (JSON.parse(node.textContent).rule_descriptions ?? null) : null;
    } catch {
      return null;
    }
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
    return { source: root ? `directory ${root}/` : 'picked files', files, ruleDescriptions: ruleDescriptionsOf(files.get('index.html')) };
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
      runFacts: parseJsonFile(bundle, 'run_facts.json'),
      execute: parseJsonLines(bundle, 'execute_export.jsonl'),
      results: parseJsonLines(bundle, 'execution_results.jsonl'),
      requests: parseJsonLines(bundle, 'actuator_requests.jsonl'),
      actuatorReport: parseJsonFile(bundle, 'actuator_report.json'),
      serviceLog: bundle.files.get('service.log')?.text ?? null,
      ruleDescriptions: bundle.ruleDescriptions ?? null,
    };
  }

  Object.assign(exo, { embeddedBundle, bundleFromFileList, buildModel });
})();
