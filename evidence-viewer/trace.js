// @ts-check
// ExoArmur evidence viewer: the trace explorer and the operator actions section; both read the rendered bundle from exo.state.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, checks, actuation, gates, proof, overview, time-chart, reports, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { STAGE_OF, BAD_KINDS, el, badge, replaceChildren, dataTable, kvTable, shortHash } = exo;

  // ---- trace explorer

  function deepContains(value, needle, depth = 0) {
    if (value === needle) return true;
    if (!value || typeof value !== 'object' || depth > 6) return false;
    return Object.values(value).some((v) => deepContains(v, needle, depth + 1));
  }

  function recordMatches(record, q) {
    return (
      record.correlation_id === q ||
      record.audit_id === q ||
      record.trace_id === q ||
      (typeof record.idempotency_key === 'string' && record.idempotency_key.endsWith(`:${q}`)) ||
      deepContains(record.payload, q)
    );
  }

  function signatureBadge(status) {
    const map = { valid: ['PASS', 'signature valid'], invalid: ['FAIL', 'signature INVALID'], unknown: ['UNPROVEN', 'unknown actor'], error: ['FAIL', 'not verifiable'] };
    const [cls, text] = map[status] ?? ['UNPROVEN', status];
    return badge(cls, text);
  }

  function actionRow(sig) {
    const a = sig.action ?? {};
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
    );
  }

  const ACTION_HEADERS = ['action', 'actor', 'decided_at', 'correlation', 'approval / scope', 'reason', 'signature'];

  function stepSummary(record) {
    const p = record.payload ?? {};
    const pickFrom = (o, keys) =>
      keys
        .filter((k) => o[k] !== undefined && o[k] !== null && typeof o[k] !== 'object')
        .map((k) => `${k} ${o[k]}`)
        .join(' · ');
    const pick = (...keys) => pickFrom(p, keys);
    switch (record.event_kind) {
      case 'facts_derived':
        return pick('subject', 'claim_type');
      case 'belief_emitted':
        return pick('emitter', 'subject', 'classification', 'confidence');
      case 'collective_updated':
        return pick('aggregate_score', 'quorum_count', 'conflict');
      // The core records the intent itself under payload.intent.
      case 'intent_proposed':
        return pickFrom(p.intent && typeof p.intent === 'object' ? p.intent : p, ['intent_id', 'action_class', 'intent_type']);
      case 'safety_evaluated':
        return pick('rule', 'verdict', 'rule_id');
      case 'approval_requested':
        return pick('approval_id', 'requirement', 'required_approvers', 'expires_at');
      case 'operator_action_applied':
      case 'operator_action_rejected':
        return pick('action', 'actor_id', 'decided_at', 'reason');
      case 'result_received':
        return pick('intent_id', 'outcome', 'attempt', 'actuator_group');
      case 'execution_succeeded':
      case 'execution_failed':
        return pick('intent_id', 'outcome', 'reason', 'response_status', 'driver');
      default:
        return pick('event_id', 'intent_id', 'reason', 'verdict');
    }
  }

  /** The rendered bundle's model and operator signatures, set by viewer.js before any section renders. */
  exo.state = { model: null, signatures: [] };

  function traceFor(query) {
    /** @type {HTMLInputElement} */ (document.getElementById('trace-query')).value = query ?? '';
    renderTrace(query);
    document.getElementById('trace').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  function renderTrace(rawQuery) {
    const { model, signatures } = exo.state;
    const q = (rawQuery ?? '').trim();
    const results = document.getElementById('trace-results');
    results.dataset.query = q;
    if (q === '') {
      results.replaceChildren();
      return;
    }
    const hits = model.records.filter((r) => recordMatches(r, q));
    const actionHits = signatures.filter(
      (s) => s.action && (s.action.correlation_id === q || s.action.action_id === q || s.action.approval_id === q || s.action.intent_hash === q),
    );
    const correlations = [...new Set([...hits.map((r) => r.correlation_id), ...actionHits.map((s) => s.action.correlation_id)])].filter((c) => c !== undefined);
    if (correlations.length === 0) {
      results.replaceChildren(el('p', { class: 'empty', dataset: { empty: 'true' } }, `Nothing in this bundle matches "${q}".`));
      return;
    }
    results.replaceChildren(
      ...correlations.map((corr) => {
        const records = model.records.filter((r) => r.correlation_id === corr).sort((a, b) => (a.input?.partition ?? 0) - (b.input?.partition ?? 0) || (a.seq ?? 0) - (b.seq ?? 0));
        // One group per consumed input: the receipt and every record the core derived from it.
        const groups = new Map();
        for (const record of records) {
          const key = `${record.input?.topic}|${record.input?.partition}|${record.input?.offset}`;
          if (!groups.has(key)) groups.set(key, []);
          groups.get(key).push(record);
        }
        const actions = signatures.filter((s) => s.action?.correlation_id === corr);
        // A released intent with no execution record in the bundle never ran (as far as the trail knows).
        const executed = new Set(model.records.filter((r) => r.event_kind === 'execution_succeeded' || r.event_kind === 'execution_failed').map((r) => r.payload?.intent_id));
        const executionNote = (group) =>
          group
            .filter((r) => r.event_kind === 'intent_released')
            .map((r) =>
              el(
                'p',
                {
                  class: executed.has(r.payload?.intent_id) ? 'muted small' : 'error-text small',
                  dataset: { execution: executed.has(r.payload?.intent_id) ? 'executed' : 'not-executed' },
                },
                executed.has(r.payload?.intent_id)
                  ? `intent ${r.payload?.intent_id} released and executed (its result is below)`
                  : `intent ${r.payload?.intent_id} released, not executed: no actuator result in this bundle`,
              ),
            );
        return el(
          'article',
          { class: 'trace-corr', dataset: { correlationId: corr } },
          el('h3', null, 'correlation ', el('span', { class: 'mono' }, corr), el('span', { class: 'muted small' }, ` — ${records.length} audit records, ${groups.size} inputs`)),
          [...groups.values()].map((group) => {
            const first = group[0];
            return el(
              'div',
              { class: 'trace-input' },
              el(
                'div',
                { class: 'trace-input-head' },
                el('span', { class: 'mono' }, `${first.input?.topic ?? '?'} · p${first.input?.partition} @ ${first.input?.offset}`),
                el('span', { class: 'mono muted' }, first.idempotency_key ?? ''),
              ),
              el(
                'ol',
                { class: 'steps' },
                group.map((record) => {
                  const stage = STAGE_OF.get(record.event_kind) ?? 'other';
                  const matched = q !== corr && hits.includes(record);
                  return el(
                    'li',
                    {
                      class: `trace-step stage-${stage}${BAD_KINDS.has(record.event_kind) ? ' step-bad' : ''}${matched ? ' step-hit' : ''}`,
                      dataset: { auditId: record.audit_id ?? '', eventKind: record.event_kind ?? '', seq: record.seq ?? '' },
                    },
                    el(
                      'details',
                      null,
                      el(
                        'summary',
                        null,
                        el('span', { class: 'stage-pill' }, stage),
                        el('span', { class: 'kind mono' }, record.event_kind ?? '?'),
                        el('span', { class: 'step-summary' }, stepSummary(record)),
                        el('span', { class: 'step-time mono muted small' }, `seq ${record.seq} · event ${record.event_time ?? '—'}`),
                      ),
                      el(
                        'div',
                        { class: 'step-body' },
                        el('div', { class: 'step-meta mono small' }, `audit_id ${record.audit_id} · process ${record.process_time} · record_hash ${shortHash(record.record_hash)}`),
                        kvTable(record.payload ?? {}),
                      ),
                    ),
                  );
                }),
              ),
              executionNote(group),
            );
          }),
          actions.length > 0
            ? el('div', { class: 'trace-actions' }, el('h4', null, 'Operator actions'), el('div', { class: 'table-wrap' }, dataTable(ACTION_HEADERS, actions.map(actionRow))))
            : null,
        );
      }),
    );
  }

  function renderSuggestions() {
    const { model } = exo.state;
    const corrs = [...new Set(model.records.map((r) => r.correlation_id).filter(Boolean))];
    replaceChildren(
      'trace-suggestions',
      corrs.length === 0
        ? null
        : [
            el('span', { class: 'muted small' }, 'Correlations: '),
            corrs.slice(0, 24).map((c) => el('button', { type: 'button', class: 'chip mono', onclick: () => traceFor(c) }, c)),
            corrs.length > 24 ? el('span', { class: 'muted small' }, ` +${corrs.length - 24} more`) : null,
          ],
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
    replaceChildren(
      'operators-body',
      el(
        'p',
        { class: 'muted' },
        `${signatures.length} actions: ${counts.valid} valid signatures, ${counts.invalid + counts.error} invalid, ${counts.unknown} from actors without a registered key. The processor must have rejected every action whose signature is not valid.`,
      ),
      model.actions.errors.map((e) => el('p', { class: 'error-text' }, e)),
      signatures.length > 0 ? el('div', { class: 'table-wrap' }, dataTable(ACTION_HEADERS, signatures.map(actionRow), { id: 'operators-table' })) : null,
    );
  }

  Object.assign(exo, { traceFor, renderTrace, renderSuggestions, renderOperators });
})();
