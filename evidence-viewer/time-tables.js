// @ts-check
// ExoArmur evidence viewer: the time model's tables, as time_model.json states them: per event kind, receipts per partition, replay order.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { el, badge, replaceChildren, dataTable, formatDuration } = exo;

  function renderTimeTables(model) {
    const tm = model.timeModel.value;
    const parts = [];
    if (tm?.per_kind && typeof tm.per_kind === 'object') {
      parts.push(
        el('h3', null, 'Per event kind'),
        el(
          'div',
          { class: 'table-wrap' },
          dataTable(
            ['event_kind', 'count', 'event time', 'process time', 'max skew'],
            Object.entries(tm.per_kind).map(([kind, k]) =>
              el(
                'tr',
                null,
                el('td', { class: 'mono' }, kind),
                el('td', { class: 'num' }, String(k?.count ?? '—')),
                el('td', { class: 'mono small' }, `${k?.event_time_min ?? '—'} → ${k?.event_time_max ?? '—'}`),
                el('td', { class: 'mono small' }, `${k?.process_time_min ?? '—'} → ${k?.process_time_max ?? '—'}`),
                el('td', { class: 'num' }, typeof k?.max_skew_ms === 'number' ? formatDuration(k.max_skew_ms) : '—'),
              ),
            ),
          ),
        ),
      );
    }
    if (tm?.receipts && typeof tm.receipts === 'object') {
      parts.push(
        el('h3', null, 'Receipts per partition'),
        el(
          'div',
          { class: 'table-wrap' },
          dataTable(
            ['partition', 'count', 'gapless', 'strictly ordered'],
            Object.entries(tm.receipts).map(([p, r]) =>
              el(
                'tr',
                null,
                el('td', null, p),
                el('td', { class: 'num' }, String(r?.count ?? '—')),
                el('td', null, badge(r?.gapless ? 'PASS' : 'FAIL', String(r?.gapless))),
                el('td', null, badge(r?.strictly_ordered ? 'PASS' : 'FAIL', String(r?.strictly_ordered))),
              ),
            ),
          ),
        ),
      );
    }
    if (tm && 'replay_followed_recorded_order' in tm) {
      parts.push(el('p', null, 'Replay followed the recorded order: ', badge(tm.replay_followed_recorded_order ? 'PASS' : 'FAIL', String(tm.replay_followed_recorded_order))));
    }
    if (!tm) parts.push(el('p', { class: 'error-text' }, model.timeModel.error));
    replaceChildren('time-summary', parts);
  }

  Object.assign(exo, { renderTimeTables });
})();
