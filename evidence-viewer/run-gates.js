// @ts-check
// ExoArmur evidence viewer: the gates that read what the harness did, re-judged from the bundle: gate 2
// (restart survival: the faults in run_facts.json) and gate 4 (deployment: the compose files). Written
// separately from tools/reality/gates.ts, tools/bundle/compose-facts.ts and tools/reality/deployment-gate.ts
// on purpose (two implementations a reviewer can compare). run_facts.json says whether docker-compose ran; when it
// did, compose_evidence.json, compose_decisions.json, the compose file as run and each container's
// log must be in the bundle, the compose file must hash as recorded, both runs must decide every
// scenario event alike, and each embedded decision must be what audit_export.jsonl says at its delivery.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { RECEIPTS, sha256HexBytes } = exo;
  const FIELDS = ['intent_hash', 'verdict', 'rule', 'approval', 'final'];
  const at = (r) => `${r.input?.topic}/${r.input?.partition}/${r.input?.offset}`;

  /** The decision audit records imply for the delivery at `input` (the fate of its receipt's key). */
  function decisionAt(records, input) {
    const receipt = records.find((r) => RECEIPTS.includes(r.event_kind) && at(r) === input);
    const d = { intent_hash: null, verdict: null, rule: null, approval: 'none', final: null };
    if (!receipt) return d;
    if (receipt.event_kind === 'telemetry_rejected') return { ...d, final: 'REJECTED' };
    const own = records.filter((r) => r.idempotency_key === receipt.idempotency_key && !RECEIPTS.includes(r.event_kind));
    d.intent_hash = records.find((r) => r.event_kind === 'intent_proposed' && r.idempotency_key === receipt.idempotency_key)?.payload?.intent_hash ?? null;
    const safety = own.find((r) => r.event_kind === 'safety_evaluated');
    if (safety) {
      d.verdict = safety.payload?.verdict ?? null;
      d.rule = safety.payload?.rule ?? null;
    }
    // The input's chain can hold outcomes of other intents its stream time triggered (a revert): match the intent.
    const ofIntent = (r) => safety !== undefined && r.payload?.intent_id === safety.payload?.intent_id;
    if (own.some((r) => r.event_kind === 'intent_released' && ofIntent(r))) return { ...d, final: 'RELEASED' };
    if (own.some((r) => r.event_kind === 'intent_denied' && ofIntent(r))) return { ...d, final: 'DENIED' };
    const requested = own.find((r) => r.event_kind === 'approval_requested');
    if (!requested) return d;
    d.approval = requested.payload?.requirement;
    const about = records.filter((r) => r !== requested && r.payload?.approval_id === requested.payload?.approval_id);
    if (about.some((r) => r.event_kind === 'approval_granted')) return { ...d, final: 'APPROVED' };
    if (about.some((r) => r.event_kind === 'approval_denied')) return { ...d, final: 'OPERATOR_DENIED' };
    if (about.some((r) => r.event_kind === 'approval_expired')) return { ...d, final: 'EXPIRED' };
    return { ...d, final: 'PENDING' };
  }

  function parsed(model, name) {
    const file = model.bundle.files.get(name);
    if (!file) return { error: `${name} is not in the bundle` };
    try {
      return { value: JSON.parse(file.text) };
    } catch (err) {
      return { error: `${name} is not valid JSON: ${err.message}` };
    }
  }

  /** What the compose files fail to show, and how the two runs' decisions differ. */
  async function composeProblems(model, facts, summary, decisions) {
    const problems = [];
    const copy = model.bundle.files.get(summary.compose_file);
    if (!copy) problems.push(`the compose file ${summary.compose_file} is not in the bundle`);
    else if ((await sha256HexBytes(copy.bytes)) !== summary.compose_file_sha256) problems.push(`${summary.compose_file} does not hash to compose_file_sha256`);
    for (const log of summary.logs ?? []) if (!model.bundle.files.has(log)) problems.push(`the container log ${log} is not in the bundle`);
    if (summary.failure === null && (!(summary.logs?.length > 0) || !(summary.services?.length > 0)))
      problems.push('no service state or container log recorded for a stack that ran');
    const embedded = Array.isArray(decisions.embedded) ? decisions.embedded : [];
    const compose = new Map((Array.isArray(decisions.compose) ? decisions.compose : []).map((d) => [d.event_id, d]));
    const sent = new Set(facts.inputs_sent?.telemetry ?? []);
    const listed = new Set(embedded.map((d) => d.event_id));
    for (const r of model.records) {
      if (r.event_kind === 'telemetry_received' && r.tenant_id !== facts.filler_tenant && r.input?.topic === facts.topics?.telemetry && !listed.has(r.payload?.event_id))
        problems.push(`${r.payload?.event_id} was received but is not among the decisions compared`);
    }
    const differ = [];
    for (const d of embedded) {
      if (!sent.has(d.input)) problems.push(`${d.event_id}: ${d.input} is not a telemetry delivery of the run`);
      else if (FIELDS.some((f) => decisionAt(model.records, d.input)[f] !== d[f])) problems.push(`${d.event_id}: its decision is not what audit_export.jsonl says at ${d.input}`);
      const c = compose.get(d.event_id);
      if (!c) differ.push(`${d.event_id} decided only in the embedded run`);
      else for (const f of FIELDS) if (c[f] !== d[f]) differ.push(`${d.event_id} ${f} ${c[f]} != embedded ${d[f]}`);
    }
    for (const id of compose.keys()) if (!listed.has(id)) differ.push(`${id} decided only in the compose run`);
    return { problems, differ, compared: compose.size };
  }

  /** Gate 2: a processor kill, and a broker kill where the broker was the run's, survived exactly once; a --no-faults run is UNPROVEN. */
  function restartGate(facts, exactlyOnce, counts) {
    const f = facts.faults;
    const kills = f.processor_kills + f.broker_kills;
    if (f.disabled === true && kills === 0 && exactlyOnce && counts.receipts === counts.deliveries)
      return { n: 2, name: 'RESTART_SURVIVAL', status: 'UNPROVEN', evidence: 'run with --no-faults: no processor or broker kill injected' };
    const failures = [
      [exactlyOnce, 'exactly-once broken'],
      [counts.receipts === counts.deliveries, `receipts ${counts.receipts} != deliveries ${counts.deliveries}`],
      [f.processor_kills > 0, 'the processor was never killed in this run'],
      [f.broker_kills > 0 || facts.broker_owned === false, "the run's broker was never killed in this run"],
    ];
    const failed = failures.filter(([ok]) => !ok).map(([, what]) => what);
    return { n: 2, name: 'RESTART_SURVIVAL', status: failed.length === 0 ? 'PASS' : 'FAIL', evidence: failed.join('; ') };
  }

  /** Gate 4 from run_facts.json and the compose files. */
  async function deploymentGate(model, facts) {
    const gate = (status, evidence) => ({ n: 4, name: 'DEPLOYMENT', status, evidence });
    const deployment = facts.deployment ?? {};
    if (deployment.engine === 'unavailable') return gate('UNPROVEN', `${deployment.reason} (to enable: ${deployment.enable})`);
    if (deployment.engine === 'skipped') return gate('UNPROVEN', deployment.reason);
    if (deployment.engine !== 'ran') return gate('FAIL', 'run_facts.json names no compose outcome (ran, unavailable or skipped)');
    const summary = parsed(model, 'compose_evidence.json');
    const decisions = parsed(model, 'compose_decisions.json');
    if (summary.error || decisions.error) return gate('FAIL', [summary.error, decisions.error].filter(Boolean).join('; '));
    const s = summary.value;
    const { problems, differ, compared } = await composeProblems(model, facts, s, decisions.value);
    const required = s.faults_required !== false;
    const failures = [
      [s.failure === null, `compose run failed: ${s.failure}`],
      [problems.length === 0, `compose evidence does not hold: ${problems.slice(0, 3).join('; ')}`],
      [compared > 0, 'no scenario event compared'],
      [differ.length === 0, `${differ.length} decision(s) differ from the embedded run: ${differ.slice(0, 3).join('; ')}`],
      [(s.faults?.processor_kills ?? 0) > 0 || !required, 'the processor container was never killed'],
      [(s.faults?.broker_kills ?? 0) > 0 || !required, 'the broker container was never killed'],
      [s.down?.ok === true, 'docker-compose down -v failed'],
    ]
      .filter(([ok]) => !ok)
      .map(([, what]) => what);
    return failures.length === 0
      ? gate('PASS', `docker-compose (${s.flavour}, ${s.compose_file}): ${compared} scenario events decided as in the embedded run`)
      : gate('FAIL', failures.join('; '));
  }

  Object.assign(exo, { restartGate, deploymentGate });
})();
