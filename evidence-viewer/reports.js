// @ts-check
// ExoArmur evidence viewer: the idempotency and replay sections.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { el, badge, replaceChildren, dataTable, kvTable, formatValue } = exo;

  function renderIdempotency(model) {
    const report = model.idempotency.value;
    if (!report) {
      replaceChildren('idem-body', el('p', { class: 'error-text' }, model.idempotency.error));
      return;
    }
    // Every count by the one definition (counts.js); outcomes are records, summed over their kinds.
    const c = exo.runCounts(model.records, model.runFacts.value);
    const total = (v) => (v && typeof v === 'object' ? Object.values(v).reduce((a, n) => a + (typeof n === 'number' ? n : 0), 0) : null);
    const bars = [
      ['Deliveries', c.telemetry_deliveries, 'telemetry records sent, both injects'],
      ['Valid', c.valid, 'telemetry receipts not rejected'],
      ['Unique keys', c.unique_keys, 'distinct idempotency keys'],
      ['Duplicates suppressed', c.duplicates, 'receipts only, nothing else produced'],
      ['Rejected', c.rejected, 'receipt and a dead letter'],
      ['Outcomes before', total(report.outcomes_before), 'decision records (and execute records) after the first inject'],
      ['Outcomes after', total(report.outcomes_after), 'after injecting everything again'],
    ];
    const max = Math.max(1, ...bars.map(([, v]) => (typeof v === 'number' ? v : 0)));
    const equal = report.equal === true;
    const parts = [
      el(
        'div',
        { class: 'bars' },
        bars.map(([label, value, hint]) =>
          el(
            'div',
            { class: 'bar-row', dataset: { metric: label } },
            el('div', { class: 'bar-label' }, label, el('span', { class: 'muted small' }, hint)),
            el('div', { class: 'bar-track' }, el('div', { class: 'bar-fill', style: `width:${typeof value === 'number' ? (100 * value) / max : 0}%` })),
            el('div', { class: 'bar-value num' }, value === null || value === undefined ? '—' : String(value)),
          ),
        ),
      ),
      el('p', { class: 'idem-verdict' }, 'Outcomes identical before and after the double inject: ', badge(equal ? 'PASS' : 'FAIL', String(report.equal))),
      el(
        'div',
        { class: 'table-wrap' },
        dataTable(
          ['', 'digest'],
          [
            el('tr', null, el('td', null, 'before'), el('td', { class: 'mono hash' }, String(report.digest_before ?? '—'))),
            el('tr', null, el('td', null, 'after'), el('td', { class: 'mono hash' }, String(report.digest_after ?? '—'))),
          ],
        ),
      ),
      el(
        'p',
        { class: 'muted small', id: 'counts-line' },
        `From the audit trail itself: ${c.receipts} receipts for ${c.deliveries} deliveries (both input topics); ${c.actions_applied} operator actions applied, ${c.actions_rejected} rejected; ${c.out_of_order} out of order.`,
      ),
    ];
    for (const key of ['outcomes_before', 'outcomes_after']) {
      if (report[key] && typeof report[key] === 'object') parts.push(el('details', null, el('summary', null, key), kvTable(report[key])));
    }
    replaceChildren('idem-body', parts);
  }

  function renderReplay(model) {
    const report = model.replay.value;
    if (!report) {
      replaceChildren('replay-body', el('p', { class: 'error-text' }, model.replay.error));
      return;
    }
    const stat = (label, value, status) =>
      el(
        'div',
        { class: 'fact', dataset: { metric: label } },
        el('div', { class: 'fact-label' }, label),
        el('div', { class: `fact-value ${status ? `text-${status}` : ''}` }, String(value ?? '—')),
      );
    const flags = ['intent_hashes_equal', 'verdicts_equal', 'approvals_equal', 'trace_structure_equal', 'pass'];
    const mismatches = Array.isArray(report.mismatches) ? report.mismatches : [];
    replaceChildren(
      'replay-body',
      el(
        'div',
        { class: 'facts' },
        stat('Compared', report.compared),
        stat('Matched', report.matched, 'pass'),
        stat('Mismatched', report.mismatched, report.mismatched > 0 ? 'fail' : 'pass'),
      ),
      el(
        'div',
        { class: 'flags' },
        flags.filter((f) => f in report).map((f) => el('span', { class: 'flag' }, f.replaceAll('_', ' '), ' ', badge(report[f] ? 'PASS' : 'FAIL', String(report[f])))),
      ),
      mismatches.length === 0
        ? el('p', { class: 'muted' }, 'Replay reproduced every recorded decision.')
        : el(
            'div',
            { class: 'mismatches' },
            mismatches.map((mm) =>
              el(
                'div',
                { class: 'mismatch', dataset: { auditId: mm.audit_id ?? '' } },
                el(
                  'div',
                  { class: 'mismatch-head' },
                  el('span', { class: 'mono' }, `p${mm.partition} seq ${mm.seq}`),
                  el('span', { class: 'mono' }, mm.audit_id ?? ''),
                  el('strong', null, mm.field ?? ''),
                ),
                el(
                  'div',
                  { class: 'sides' },
                  el('div', { class: 'side side-recorded' }, el('div', { class: 'side-label' }, 'recorded'), el('pre', { class: 'json' }, formatValue(mm.recorded))),
                  el('div', { class: 'side side-replayed' }, el('div', { class: 'side-label' }, 'replayed'), el('pre', { class: 'json' }, formatValue(mm.replayed))),
                ),
              ),
            ),
          ),
    );
  }

  Object.assign(exo, { renderIdempotency, renderReplay });
})();
