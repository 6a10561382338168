// @ts-check
// ExoArmur evidence viewer: Ed25519 over operator actions: the integrity check of applied actions, every action's status for the page, and gate 7's all-verify.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { canonicalJson, base64ToBytes, importOperatorKey } = exo;

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

  async function signaturesHold(model) {
    const registry = {};
    for (const s of Array.isArray(model.snapshots.value) ? model.snapshots.value : []) for (const [actor, e] of Object.entries(s?.config?.operators ?? {})) registry[actor] = e;
    for (const { value: action } of model.actions.records) {
      const key = registry[action?.actor_id]?.public_key;
      if (!key) return false;
      try {
        const { signature, ...unsigned } = action;
        if (!(await crypto.subtle.verify({ name: 'Ed25519' }, await importOperatorKey(key), base64ToBytes(signature), new TextEncoder().encode(canonicalJson(unsigned)))))
          return false;
      } catch {
        return false;
      }
    }
    return true;
  }

  Object.assign(exo, { checkSignatures, verifyOperatorSignatures, signaturesHold });
})();
