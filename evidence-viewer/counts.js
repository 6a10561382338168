// @ts-check
// ExoArmur evidence viewer: the one definition of every count (docs/contracts.md "Counts"), written
// separately from tools/bundle/counts.ts on purpose; a test holds the two equal on a real bundle.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, whatif, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  // The receipt kinds are the trace's receipt stage (contracts.js), one list for both.
  const RECEIPTS = exo.STAGES.find(([stage]) => stage === 'receipt')[1];

  /** Receipt records of partition-ordered audit records, out of order: telemetry_received earlier than one before it on its partition. */
  function lateReceipts(records) {
    const sorted = [...records].sort((a, b) => (a.input?.partition ?? 0) - (b.input?.partition ?? 0) || (a.seq ?? 0) - (b.seq ?? 0));
    const latest = new Map();
    const late = [];
    for (const r of sorted) {
      if (r.event_kind !== 'telemetry_received') continue;
      const max = latest.get(r.input?.partition) ?? '';
      if (r.event_time < max) late.push(r);
      else latest.set(r.input?.partition, r.event_time);
    }
    return late;
  }

  /** Every count, from the audit records and run_facts.json (null: deliveries are 0). */
  function runCounts(records, facts) {
    const n = (kind) => records.filter((r) => r.event_kind === kind).length;
    const telemetry = Array.isArray(facts?.inputs_sent?.telemetry) ? facts.inputs_sent.telemetry.length : 0;
    const operator = Array.isArray(facts?.inputs_sent?.operator_actions) ? facts.inputs_sent.operator_actions.length : 0;
    const results = Array.isArray(facts?.inputs_sent?.results) ? facts.inputs_sent.results.length : 0;
    const late = lateReceipts(records);
    return {
      deliveries: telemetry + operator + results,
      telemetry_deliveries: telemetry,
      operator_deliveries: operator,
      result_deliveries: results,
      receipts: records.filter((r) => RECEIPTS.includes(r.event_kind)).length,
      valid: n('telemetry_received') + n('telemetry_duplicate'),
      unique_keys: n('telemetry_received'),
      duplicates: n('telemetry_duplicate'),
      rejected: n('telemetry_rejected'),
      actions_applied: n('operator_action_applied'),
      actions_rejected: n('operator_action_rejected') + n('action_rejected'),
      actions_duplicate: n('action_duplicate'),
      out_of_order: late.length,
      out_of_order_filler: late.filter((r) => r.tenant_id === (facts?.filler_tenant ?? null)).length,
    };
  }

  Object.assign(exo, { RECEIPTS, runCounts, lateReceipts });
})();
