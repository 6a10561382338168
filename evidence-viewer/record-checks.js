// @ts-check
// ExoArmur evidence viewer: the integrity checks over the audit records themselves: the per-partition hash chains, id uniqueness, gapless receipts.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { ZERO_HASH, RECEIPTS, canonicalJson, sha256Hex, shortHash } = exo;

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

  Object.assign(exo, { checkAuditChains, checkIdsUnique, checkReceipts });
})();
