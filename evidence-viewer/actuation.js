// @ts-check
// ExoArmur evidence viewer: the actuation half of gate 6 (one result and one effect per execute
// record), from execution_results.jsonl, actuator_requests.jsonl and actuator_report.json. Written
// separately from tools/bundle/actuation-evidence.ts on purpose (two implementations a reviewer can compare).
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { canonicalJson } = exo;

  /** Requests and effects per Idempotency-Key from the receiver's log lines. */
  function receiverCounts(lines) {
    const perKey = {};
    let repeats = 0;
    let refused = 0;
    for (const r of lines) {
      if (r.key === null) {
        refused += 1;
        continue;
      }
      const entry = (perKey[r.key] ??= { requests: 0, applied: 0 });
      entry.requests += 1;
      if (r.effect === 'applied') entry.applied += 1;
      else repeats += 1;
    }
    const sorted = {};
    for (const key of Object.keys(perKey).sort()) sorted[key] = perKey[key];
    return { requests: lines.length, keys: Object.keys(sorted).length, repeats, refused, per_key: sorted };
  }

  function actuatorReport(results, requests) {
    const outcomes = {};
    for (const r of [...results].sort((a, b) => String(a.outcome).localeCompare(String(b.outcome)))) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    return { receiver: receiverCounts(requests), results: results.length, outcomes };
  }

  /** Every way the actuation breaks one result and one effect per execute record (empty = holds). */
  function actuationProblems(executeIds, results, requests, report) {
    const problems = [];
    const executed = new Set(executeIds);
    const resultsPer = new Map();
    for (const r of results) resultsPer.set(r.intent_id, (resultsPer.get(r.intent_id) ?? 0) + 1);
    for (const id of executed) if (resultsPer.get(id) !== 1) problems.push(`intent ${id} has ${resultsPer.get(id) ?? 0} results`);
    for (const id of resultsPer.keys()) if (!executed.has(id)) problems.push(`a result for intent ${id}, which is not on the execute topic`);
    const counts = receiverCounts(requests);
    if (canonicalJson(report) !== canonicalJson(actuatorReport(results, requests))) problems.push('actuator_report.json is not what the results and the request log give');
    for (const r of requests) {
      if (r.key === null) problems.push('a request without an Idempotency-Key');
      else if (r.key !== r.intent_id) problems.push(`a request keyed ${r.key} carried intent ${r.intent_id ?? 'none'}`);
      else if (!executed.has(r.key)) problems.push(`a request for ${r.key}, which is not on the execute topic`);
    }
    for (const [key, c] of Object.entries(counts.per_key)) if (c.applied !== 1) problems.push(`key ${key} applied ${c.applied} times`);
    for (const r of results)
      if (r.outcome === 'succeeded' && counts.per_key[r.intent_id] === undefined) problems.push(`intent ${r.intent_id} succeeded but the receiver never saw its key`);
    return problems;
  }

  Object.assign(exo, { receiverCounts, actuatorReport, actuationProblems });
})();
