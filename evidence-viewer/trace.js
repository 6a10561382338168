// @ts-check
// ExoArmur evidence viewer: the trace explorer: a decision story per correlation, receipt to outcome, rules in words, scenario traces
// before burst filler, and a rejected input found by the ids its receipt names. Reads the rendered bundle from exo.state.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { STAGE_OF, BAD_KINDS, el, replaceChildren, dataTable, kvTable, shortHash } = exo;

  const REJECTED = new Set(['telemetry_rejected', 'action_rejected']);
  const inputKey = (r) => `${r.input?.topic}|${r.input?.partition}|${r.input?.offset}`;

  /** Correlations of the burst filler tenant (run_facts.json filler_tenant); empty when the run had none. */
  function fillerCorrelations(model) {
    const tenant = model.runFacts.value?.filler_tenant ?? null;
    return new Set(tenant === null ? [] : model.records.filter((r) => r.tenant_id === tenant).map((r) => r.correlation_id));
  }

  function deepContains(value, needle, depth = 0) {
    if (value === needle) return true;
    if (!value || typeof value !== 'object' || depth > 6) return false;
    return Object.values(value).some((v) => deepContains(v, needle, depth + 1));
  }

  /**
   * A rejected receipt names the ids its input carried in payload.identifiers (event_id, action_id,
   * tenant_id, correlation_id, cell_id), so a rejected input is found by the ids its sender knows.
   */
  const identifiersOf = (record) => Object.values(record.payload?.identifiers ?? {}).filter((v) => typeof v === 'string');

  function recordMatches(record, q) {
    return (
      identifiersOf(record).includes(q) ||
      record.correlation_id === q ||
      record.audit_id === q ||
      record.trace_id === q ||
      (typeof record.idempotency_key === 'string' && record.idempotency_key.endsWith(`:${q}`)) ||
      deepContains(record.payload, q)
    );
  }

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
        return [typeof p.rule === 'string' ? exo.ruleLabel(exo.state.model.ruleDescriptions, p.rule) : null, ` · ${pick('verdict', 'action_class')}`];
      case 'telemetry_rejected':
      case 'action_rejected':
        return [pick('reason_code', 'reason'), identifiersOf(record).length > 0 ? ` · names ${pickFrom(p.identifiers, Object.keys(p.identifiers))}` : ' · names no ids'];
      case 'approval_requested':
        return pick('approval_id', 'requirement', 'required_approvers', 'expires_at');
      case 'operator_action_applied':
      case 'operator_action_rejected':
        return pick('action', 'actor_id', 'decided_at', 'reason_code', 'reason');
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
    // A rejected input whose correlation could not be read from it (its receipt carries a placeholder) is shown alone, not with every other unreadable input.
    const scopes = new Map();
    for (const r of hits) {
      if (REJECTED.has(r.event_kind) && r.payload?.identifiers?.correlation_id !== r.correlation_id)
        scopes.set(`input ${inputKey(r)}`, { corr: r.correlation_id, input: inputKey(r) });
      else if (r.correlation_id !== undefined) scopes.set(`correlation ${r.correlation_id}`, { corr: r.correlation_id, input: null });
    }
    for (const a of actionHits) if (a.action.correlation_id !== undefined) scopes.set(`correlation ${a.action.correlation_id}`, { corr: a.action.correlation_id, input: null });
    // Scenario traces first, burst filler after them.
    const filler = fillerCorrelations(model);
    const correlations = [...scopes.values()].sort((a, b) => Number(filler.has(a.corr)) - Number(filler.has(b.corr)));
    if (correlations.length === 0) {
      results.replaceChildren(el('p', { class: 'empty', dataset: { empty: 'true' } }, `Nothing in this bundle matches "${q}".`));
      return;
    }
    results.replaceChildren(
      ...correlations.map(({ corr, input }) => {
        const records = model.records
          .filter((r) => r.correlation_id === corr && (input === null || inputKey(r) === input))
          .sort((a, b) => (a.input?.partition ?? 0) - (b.input?.partition ?? 0) || (a.seq ?? 0) - (b.seq ?? 0));
        // One group per consumed input: the receipt and every record the core derived from it.
        const groups = new Map();
        for (const record of records) {
          const key = inputKey(record);
          if (!groups.has(key)) groups.set(key, []);
          groups.get(key).push(record);
        }
        const actions = input === null ? signatures.filter((s) => s.action?.correlation_id === corr) : [];
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
          { class: 'trace-corr', dataset: { correlationId: corr, scope: input === null ? 'correlation' : 'input' } },
          input === null
            ? el('h3', null, 'correlation ', el('span', { class: 'mono' }, corr), el('span', { class: 'muted small' }, ` — ${records.length} audit records, ${groups.size} inputs`))
            : el('h3', null, 'rejected input ', el('span', { class: 'muted small' }, `— its correlation could not be read from it (recorded as "${corr}")`)),
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
            ? el(
                'div',
                { class: 'trace-actions' },
                el('h4', null, 'Operator actions'),
                el('div', { class: 'table-wrap' }, dataTable(exo.ACTION_HEADERS, actions.map(exo.actionRow))),
              )
            : null,
        );
      }),
    );
  }

  /** Chips for every correlation: the scenario's first, then the burst filler's (run_facts.json filler_tenant), each list cut with a "+N more". */
  function renderSuggestions() {
    const { model } = exo.state;
    const filler = fillerCorrelations(model);
    const bad = new Set(model.records.filter((r) => BAD_KINDS.has(r.event_kind)).map((r) => r.correlation_id));
    const corrs = [...new Set(model.records.map((r) => r.correlation_id).filter(Boolean))];
    const chip = (c) =>
      el(
        'button',
        { type: 'button', class: `chip mono${bad.has(c) ? ' chip-bad' : ''}`, title: bad.has(c) ? 'has a rejection, denial or expiry' : '', onclick: () => traceFor(c) },
        c,
      );
    const row = (id, label, list, limit) =>
      list.length === 0 ? null : el('div', { class: 'suggest-row', id }, el('span', { class: 'muted small' }, label), exo.moreList(list, limit, chip));
    const fillerTenant = model.runFacts.value?.filler_tenant;
    replaceChildren(
      'trace-suggestions',
      row(
        'suggest-scenario',
        'Scenario: ',
        corrs.filter((c) => !filler.has(c)),
        24,
      ),
      row(
        'suggest-filler',
        `Burst filler (tenant ${fillerTenant}): `,
        corrs.filter((c) => filler.has(c)),
        8,
      ),
    );
  }

  Object.assign(exo, { traceFor, renderTrace, renderSuggestions });
})();
