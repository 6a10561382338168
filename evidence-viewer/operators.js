// @ts-check
// ExoArmur evidence viewer: the operator actions section: each signed action with its Ed25519 status and what the processor did with it
// (applied, or rejected with the reason code), read from the audit trail. The trace explorer shows the same rows per correlation.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { el, badge, replaceChildren, dataTable } = exo;

  function signatureBadge(status) {
    const map = { valid: ['PASS', 'signature valid'], invalid: ['FAIL', 'signature INVALID'], unknown: ['UNPROVEN', 'unknown actor'], error: ['FAIL', 'not verifiable'] };
    const [cls, text] = map[status] ?? ['UNPROVEN', status];
    return badge(cls, text);
  }

  /**
   * What the processor did with each action id, from the audit trail: applied (a kill switch once
   * per partition), rejected by the core (operator_action_rejected) or at the door (action_rejected,
   * which names the id in payload.identifiers), or a duplicate delivery (its key ends in the id).
   */
  function actionOutcomes(records) {
    const outcomes = new Map();
    const of = (id) => {
      if (!outcomes.has(id)) outcomes.set(id, { applied: [], rejected: [], duplicates: 0 });
      return outcomes.get(id);
    };
    for (const r of records) {
      const p = r.payload ?? {};
      if (r.event_kind === 'operator_action_applied') of(p.action_id).applied.push(r.input?.partition);
      else if (r.event_kind === 'operator_action_rejected' || r.event_kind === 'action_rejected')
        of(p.action_id ?? p.identifiers?.action_id).rejected.push({ code: p.reason_code ?? r.event_kind, reason: p.reason ?? '' });
      else if (r.event_kind === 'action_duplicate')
        of(
          String(r.idempotency_key ?? '')
            .split(':')
            .at(-1),
        ).duplicates++;
    }
    return outcomes;
  }

  function outcomeCell(outcome) {
    if (!outcome || (outcome.applied.length === 0 && outcome.rejected.length === 0))
      return el('td', { dataset: { outcome: 'none' } }, badge('UNPROVEN', 'no verdict in the audit trail'));
    const parts = [];
    if (outcome.applied.length > 0) parts.push(badge('PASS', outcome.applied.length > 1 ? `applied on ${outcome.applied.length} partitions` : 'applied'));
    for (const r of outcome.rejected) parts.push(el('span', { class: 'rejection', title: r.reason }, badge('FAIL', 'rejected'), ' ', el('span', { class: 'mono small' }, r.code)));
    const status = outcome.applied.length > 0 && outcome.rejected.length > 0 ? 'mixed' : outcome.applied.length > 0 ? 'applied' : 'rejected';
    return el('td', { dataset: { outcome: status }, title: outcome.rejected.map((r) => r.reason).join('\n') }, parts);
  }

  const ACTION_HEADERS = ['action', 'actor', 'decided_at', 'correlation', 'approval / scope', 'reason', 'signature', 'outcome'];

  function actionRow(sig) {
    const a = sig.action ?? {};
    const outcomes = exo.state.outcomes ?? actionOutcomes(exo.state.model.records);
    exo.state.outcomes = outcomes;
    return el(
      'tr',
      { dataset: { actionId: a.action_id ?? '', signature: sig.status } },
      el('td', { class: 'mono' }, a.action ?? '—'),
      el('td', { class: 'mono' }, a.actor_id ?? '—'),
      el('td', { class: 'mono small' }, a.decided_at ?? '—'),
      el('td', { class: 'mono small' }, a.correlation_id ?? '—'),
      el('td', { class: 'mono small', title: a.approval_id ?? '' }, a.approval_id ?? (a.scope ? `scope ${a.scope}` : '—')),
      el('td', null, a.reason ?? ''),
      el('td', { title: sig.detail }, signatureBadge(sig.status)),
      outcomeCell(outcomes.get(a.action_id)),
    );
  }

  function renderOperators() {
    const { model, signatures } = exo.state;
    if (model.actions.missing) {
      replaceChildren('operators-body', el('p', { class: 'error-text' }, 'operator_actions.jsonl is not in the bundle.'));
      return;
    }
    const counts = { valid: 0, invalid: 0, unknown: 0, error: 0 };
    for (const s of signatures) counts[s.status] = (counts[s.status] ?? 0) + 1;
    const c = exo.runCounts(model.records, model.runFacts.value);
    replaceChildren(
      'operators-body',
      el(
        'p',
        { class: 'muted', id: 'operators-summary' },
        `${signatures.length} actions published: ${counts.valid} valid signatures, ${counts.invalid + counts.error} invalid, ${counts.unknown} from actors without a registered key. The audit trail records ${c.actions_applied} applied and ${c.actions_rejected} rejected (a kill switch is applied once per partition). The processor must have rejected every action whose signature is not valid.`,
      ),
      model.actions.errors.map((e) => el('p', { class: 'error-text' }, e)),
      signatures.length > 0 ? el('div', { class: 'table-wrap' }, dataTable(ACTION_HEADERS, signatures.map(actionRow), { id: 'operators-table' })) : null,
    );
  }

  Object.assign(exo, { ACTION_HEADERS, actionRow, actionOutcomes, renderOperators });
})();
