// @ts-check
// ExoArmur evidence viewer: the seven gate verdicts re-judged from the bundle's evidence files
// (reading what derived.js recomputed from the exports). Written separately from tools/reality/gates.ts
// on purpose (two implementations a reviewer can compare); the page's headline is this verdict,
// never PASS_FAIL.txt's claim.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { RECEIPTS, canonicalJson, sha256Hex, coordinate, signaturesHold, actuationProblems } = exo;
  const GATE_NAMES = ['DURABLE_PERSISTENCE', 'RESTART_SURVIVAL', 'REPLAY_EQUIVALENCE', 'DEPLOYMENT', 'TIME_TRUTH', 'IDEMPOTENCY', 'CONFIG_AND_HUMAN_TRUTH'];

  const judge = (n, failures) => ({ n, name: GATE_NAMES[n - 1], status: failures.length === 0 ? 'PASS' : 'FAIL', evidence: failures.join('; ') });

  /** Every way the exports break exactly-once (the same properties the CLI's read-back checks). */
  function exactlyOnceProblems(model, d, chainOk) {
    const problems = chainOk ? [] : ['a hash chain is broken'];
    const perInput = new Map();
    for (const r of model.records) if (RECEIPTS.includes(r.event_kind)) perInput.set(coordinate(r.input), (perInput.get(coordinate(r.input)) ?? 0) + 1);
    const sent = [...d.facts.inputs_sent.telemetry, ...d.facts.inputs_sent.operator_actions, ...(d.facts.inputs_sent.results ?? [])];
    const sentSet = new Set(sent);
    for (const input of sent) if (perInput.get(input) !== 1) problems.push(`input ${input} has ${perInput.get(input) ?? 0} receipts`);
    for (const input of perInput.keys()) if (!sentSet.has(input)) problems.push(`receipt for an input never sent: ${input}`);
    if (new Set(model.records.map((r) => r.audit_id)).size !== model.records.length) problems.push('an audit_id is written twice');
    const facts = new Map();
    for (const r of model.records) if (r.event_kind === 'facts_derived') facts.set(r.idempotency_key, (facts.get(r.idempotency_key) ?? 0) + 1);
    const telemetryTopic = d.facts.topics?.telemetry;
    for (const r of model.records) {
      if (r.event_kind === 'telemetry_received' && r.input?.topic === telemetryTopic && facts.get(r.idempotency_key) !== 1)
        problems.push(`key ${r.idempotency_key} has ${facts.get(r.idempotency_key) ?? 0} facts_derived records`);
    }
    if (new Set(d.execute.map((e) => e.intent_id)).size !== d.execute.length) problems.push('an intent is on the execute topic twice');
    const released = model.records.filter((r) => r.event_kind === 'intent_released').length;
    if (released !== d.execute.length) problems.push(`${released} intent_released records but ${d.execute.length} execute records`);
    // A sensor record that is not an alert is rejected with a receipt and, by design, no dead letter.
    const notAlerts = model.records.filter((r) => r.event_kind === 'telemetry_rejected' && r.payload?.reason_code === 'not_an_alert').length;
    const rejected = model.records.filter((r) => r.event_kind === 'telemetry_rejected' || r.event_kind === 'action_rejected').length - notAlerts;
    const dlq = model.storage.value?.record_counts_read_back?.dlq ?? 0;
    if (rejected !== dlq) problems.push(`${rejected} rejected receipts${notAlerts > 0 ? ` (besides ${notAlerts} not_an_alert)` : ''} but ${dlq} dead letters`);
    return problems;
  }

  /** The seven gates from the evidence files; null when the files they read are missing. */
  async function rejudgeGates(model, checksBefore) {
    const d = model.derived;
    if (!d || d.missing.length > 0) return null;
    const { facts, counts, time } = d;
    const storage = model.storage.value;
    const report = model.replay.value;
    const files = Array.isArray(storage.data_files) ? storage.data_files : [];
    const bytes = (topic) => files.filter((f) => f.path.startsWith(`${topic}-`) && f.path.endsWith('.log')).reduce((a, f) => a + f.bytes, 0);
    const kills = Array.isArray(storage.counts_across_broker_kills) ? storage.counts_across_broker_kills : [];
    const survived = (k) => k.audit_ids_lost === 0 && Object.entries(k.before ?? {}).every(([topic, n]) => (k.after?.[topic] ?? 0) >= n);
    const chainOk = checksBefore.find((c) => c.name === 'audit hash chains')?.ok === true;
    const published = facts.inputs_sent.operator_actions;
    const perInput = new Map();
    for (const r of model.records) if (RECEIPTS.includes(r.event_kind)) perInput.set(coordinate(r.input), (perInput.get(coordinate(r.input)) ?? 0) + 1);
    const replayed = new Set((Array.isArray(report.replay_order) ? report.replay_order : []).map(coordinate));
    const snapshots = Array.isArray(model.snapshots.value) ? model.snapshots.value : [];
    const snapshotsHash = (await Promise.all(snapshots.map(async (s) => (await sha256Hex(canonicalJson(s.config))) === s.config_hash))).every(Boolean);
    const known = new Set(snapshots.map((s) => s.config_hash));
    const released = model.records.filter((r) => r.event_kind === 'intent_released').map((r) => r.payload?.intent_id);
    const executed = new Set(d.execute.map((e) => e.intent_id));
    const fail = (pairs) => pairs.filter(([ok]) => !ok).map(([, what]) => what);
    return [
      judge(
        1,
        fail([
          [bytes(facts.topics.audit) > 0, 'no audit data files on disk'],
          [bytes(facts.topics.state) > 0, 'no state data files on disk'],
          [kills.every(survived), 'records committed before a broker kill missing after it'],
          [storage.record_counts_read_back?.audit === facts.audit_read_back_again, 'audit count read back twice differs'],
        ]),
      ),
      exo.restartGate(facts, exactlyOnceProblems(model, d, chainOk).length === 0, counts),
      judge(
        3,
        fail([
          [report.config_overridden !== true, 'replay used a config other than the recorded snapshots'],
          [report.pass === true && report.mismatched === 0, `${report.mismatched} mismatches`],
          [report.compared === model.records.length, `replay compared ${report.compared}, the export holds ${model.records.length}`],
          [d.followed, 'replay did not follow the recorded receipt order'],
        ]),
      ),
      await exo.deploymentGate(model, facts),
      judge(
        5,
        fail([
          [time.every_record_timed, 'a record lacks event_time or process_time'],
          [Object.values(time.receipts).every((r) => r.gapless && r.strictly_ordered), 'receipts not gapless and strictly ordered'],
          [d.followed, 'replay did not follow the recorded order'],
          [counts.out_of_order - counts.out_of_order_filler > 0, 'no out-of-order scenario events'],
        ]),
      ),
      judge(
        6,
        fail([
          [d.idempotencyEqual === true, 'double-inject digests differ'],
          [counts.duplicates === counts.valid - counts.unique_keys, 'duplicates != valid - unique keys'],
          [
            released.length === d.execute.length && executed.size === d.execute.length && released.every((id) => executed.has(id)),
            'not exactly one execute record per released intent',
          ],
          ...actuationProblems(
            d.execute.map((e) => e.intent_id),
            model.results.records.map((r) => r.value),
            model.requests.records.map((r) => r.value),
            model.actuatorReport.value,
          ).map((problem) => [false, `actuation: ${problem}`]),
        ]),
      ),
      judge(
        7,
        fail([
          [snapshotsHash, 'a config snapshot does not hash to its config_hash'],
          [model.records.every((r) => known.has(r.config_hash)), 'a record names a config_hash with no snapshot'],
          [await signaturesHold(model), 'an operator action signature does not verify'],
          [model.actions.records.length === published.length, 'operator actions read back != published'],
          [published.every((c) => perInput.get(c) === 1), 'an operator action has no receipt'],
          [report.pass === true, 'replay did not pass'],
          [published.every((c) => replayed.has(c)), 'an operator action was not replayed'],
          [(facts.expectations?.unmet ?? []).length === 0, 'expectations unmet'],
          [
            checksBefore.every((c) => c.ok),
            `verify: ${checksBefore
              .filter((c) => !c.ok)
              .map((c) => c.name)
              .join(', ')}`,
          ],
        ]),
      ),
    ];
  }

  const overallOf = (gates) => (gates.length === 7 && gates.every((g) => g.status !== 'FAIL') ? 'PASS' : 'FAIL');

  function checkGateVerdicts(model, gates) {
    const check = { id: 'gate verdicts', name: 'gate verdicts', ok: true, details: [] };
    const pf = model.passFail;
    if (!pf) {
      check.ok = false;
      check.details.push('PASS_FAIL.txt is not in the bundle');
      return check;
    }
    if (!gates) {
      check.ok = false;
      check.details.push(...(model.derived?.missing ?? []).map((m) => `cannot re-judge: ${m}`));
      return check;
    }
    for (const g of gates) {
      const said = pf.gates.find((x) => x.n === g.n);
      if (said?.status !== g.status) {
        check.ok = false;
        check.details.push(`gate ${g.n} ${g.name}: PASS_FAIL.txt says ${said?.status ?? 'nothing'}, the evidence gives ${g.status}${g.evidence ? ` (${g.evidence})` : ''}`);
      }
    }
    if (pf.overall !== overallOf(gates)) {
      check.ok = false;
      check.details.push(`OVERALL: PASS_FAIL.txt says ${pf.overall}, the evidence gives ${overallOf(gates)}`);
    }
    if (check.ok) check.details.push(`all 7 gate verdicts re-judged from the evidence files equal PASS_FAIL.txt; OVERALL ${overallOf(gates)}`);
    return check;
  }

  Object.assign(exo, { GATE_NAMES, rejudgeGates, checkGateVerdicts, overallOf });
})();
