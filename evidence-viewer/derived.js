// @ts-check
// ExoArmur evidence viewer: the derived reports (time_model.json, idempotency_report.json) recomputed from the exports, the `derived reports` check, and what the gates read.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { RECEIPTS, canonicalJson, sha256Hex, runCounts } = exo;

  const coordinate = (c) => `${c?.topic}/${c?.partition}/${c?.offset}`;
  const byPartitionSeq = (records) => [...records].sort((a, b) => (a.input?.partition ?? 0) - (b.input?.partition ?? 0) || (a.seq ?? 0) - (b.seq ?? 0));

  /** The receipts in the order replay feeds them, and whether the replay report's order digest is theirs. */
  async function followedRecordedOrder(records, report) {
    const order = byPartitionSeq(records)
      .filter((r) => RECEIPTS.includes(r.event_kind))
      .map((r) => ({ topic: r.input.topic, partition: r.input.partition, offset: r.input.offset }));
    return report?.replay_order_length === order.length && report?.replay_order_sha256 === (await sha256Hex(canonicalJson(order)));
  }

  /** time_model.json as the audit export implies it (same fields, same definitions). */
  function timeModel(records, followed, filler) {
    const perKind = {};
    let everyTimed = true;
    for (const r of records) {
      if (!r.event_time || !r.process_time) everyTimed = false;
      const skew = Math.abs(Date.parse(r.process_time) - Date.parse(r.event_time));
      const k = perKind[r.event_kind];
      if (!k) {
        perKind[r.event_kind] = {
          count: 1,
          event_time_min: r.event_time,
          event_time_max: r.event_time,
          process_time_min: r.process_time,
          process_time_max: r.process_time,
          max_skew_ms: skew,
        };
        continue;
      }
      k.count++;
      if (r.event_time < k.event_time_min) k.event_time_min = r.event_time;
      if (r.event_time > k.event_time_max) k.event_time_max = r.event_time;
      if (r.process_time < k.process_time_min) k.process_time_min = r.process_time;
      if (r.process_time > k.process_time_max) k.process_time_max = r.process_time;
      if (skew > k.max_skew_ms) k.max_skew_ms = skew;
    }
    const receipts = {};
    for (const partition of [...new Set(records.map((r) => r.input?.partition))].sort((a, b) => a - b)) {
      const list = byPartitionSeq(records.filter((r) => r.input?.partition === partition));
      const rs = list.filter((r) => RECEIPTS.includes(r.event_kind));
      const last = new Map();
      let ordered = true;
      for (const r of rs) {
        const offset = BigInt(r.input.offset);
        if (last.has(r.input.topic) && offset <= last.get(r.input.topic)) ordered = false;
        last.set(r.input.topic, offset);
      }
      receipts[String(partition)] = { count: rs.length, gapless: list.every((r, i) => r.seq === i), strictly_ordered: ordered };
    }
    const counts = runCounts(records, { filler_tenant: filler });
    return {
      per_kind: perKind,
      receipts,
      replay_followed_recorded_order: followed,
      every_record_timed: everyTimed,
      out_of_order_events: counts.out_of_order,
      out_of_order_filler_events: counts.out_of_order_filler,
    };
  }

  /** Outcome counts and digest over every decision (receipts left out), as tools/reality/analysis.ts outcomeSummary defines them. */
  async function outcomeSummary(records, execute) {
    const counts = {};
    const lines = [];
    for (const r of records) {
      if (RECEIPTS.includes(r.event_kind)) continue;
      counts[r.event_kind] = (counts[r.event_kind] ?? 0) + 1;
      const p = r.payload ?? {};
      lines.push([r.audit_id, r.event_kind, r.idempotency_key, p.verdict ?? '', p.rule ?? '', p.intent_hash ?? ''].join('|'));
    }
    counts.execute = execute.length;
    for (const e of execute) lines.push(`execute|${e.intent_id}|${e.intent_hash}`);
    lines.sort();
    const sorted = {};
    for (const k of Object.keys(counts).sort()) sorted[k] = counts[k];
    return { counts: sorted, digest: await sha256Hex(lines.join('\n')) };
  }

  /** What the derived reports and the gates read, recomputed once; null with the files it lacks. */
  async function derive(model) {
    const missing = ['runFacts', 'storage', 'idempotency', 'timeModel', 'replay', 'actuatorReport'].filter((k) => !model[k].value).map((k) => model[k].error);
    for (const k of ['execute', 'results', 'requests']) if (model[k].missing) missing.push(...model[k].errors);
    if (missing.length > 0) return { missing };
    const facts = model.runFacts.value;
    const execute = model.execute.records.map((r) => r.value);
    const followed = await followedRecordedOrder(model.records, model.replay.value);
    return {
      missing: [],
      facts,
      execute,
      followed,
      counts: runCounts(model.records, facts),
      time: timeModel(model.records, followed, facts.filler_tenant ?? null),
      after: await outcomeSummary(model.records, execute),
    };
  }

  async function checkDerivedReports(model) {
    const check = { id: 'derived reports', name: 'derived reports', ok: true, details: [] };
    const d = await derive(model);
    model.derived = d;
    if (d.missing.length > 0) {
      check.ok = false;
      check.details.push(...d.missing);
      return check;
    }
    const file = model.timeModel.value;
    const differs = Object.keys(d.time).filter((k) => canonicalJson(file[k]) !== canonicalJson(d.time[k]));
    if (differs.length > 0) {
      check.ok = false;
      check.details.push(`time_model.json differs from the time model of audit_export.jsonl in ${differs.join(', ')}`);
    }
    const idem = model.idempotency.value;
    const expected = {
      deliveries: d.counts.telemetry_deliveries,
      rejected_deliveries: d.counts.rejected,
      unique_keys: d.counts.unique_keys,
      duplicates_suppressed: d.counts.duplicates,
      digest_after: d.after.digest,
      equal: d.facts.outcomes_before?.digest === d.after.digest && canonicalJson(d.facts.outcomes_before?.counts) === canonicalJson(d.after.counts),
    };
    for (const [key, value] of Object.entries(expected)) {
      if (idem[key] !== value) {
        check.ok = false;
        check.details.push(`idempotency_report.json ${key} ${JSON.stringify(idem[key])} ≠ ${JSON.stringify(value)} from the exports`);
      }
    }
    d.idempotencyEqual = expected.equal;
    const c = d.counts;
    if (check.ok)
      check.details.push(
        `recomputed from the exports: ${c.deliveries} deliveries, ${c.receipts} receipts, ${c.valid} valid, ${c.duplicates} duplicates, ${c.rejected} rejected, ${c.actions_applied} actions applied, ${c.actions_rejected} rejected, ${c.out_of_order} out of order`,
      );
    return check;
  }

  Object.assign(exo, { coordinate, checkDerivedReports });
})();
