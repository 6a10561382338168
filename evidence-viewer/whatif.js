// @ts-check
// ExoArmur evidence viewer: the what-if section: a report of `exoarmur whatif --bundle DIR --out DIR/whatif_report.json` shown beside the bundle it was run on, before -> after per changed event, with counts per rule, per final state and per class.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, whatif, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { el, replaceChildren, dataTable, moreList } = exo;

  /** Changed events listed before a "+N more" button. */
  const LISTED = 50;

  const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const text = (v) => (v === null || v === undefined ? '—' : String(v));

  /** What the report lacks to be shown, or null when it has every part the section reads. */
  function shapeProblem(report) {
    if (!isObject(report)) return 'whatif_report.json is not a JSON object';
    if (!Array.isArray(report.changes)) return 'whatif_report.json has no "changes" array';
    for (const key of ['by_rule', 'by_final', 'changed_by_class']) if (!isObject(report[key])) return `whatif_report.json has no "${key}" object`;
    if (typeof report.events !== 'number' || typeof report.changed !== 'number') return 'whatif_report.json has no numeric "events" and "changed"';
    return null;
  }

  /** One side of a change: verdict, rule, approval, final state, containment, each a cell; `other` marks the fields that differ. */
  function decisionCells(decision, other) {
    return ['verdict', 'rule', 'approval', 'final', 'containment'].map((field) => {
      const value = isObject(decision) ? decision[field] : undefined;
      const moved = isObject(other) && other[field] !== value;
      return el('td', { class: moved ? 'mono whatif-moved' : 'mono', dataset: { field } }, text(value));
    });
  }

  function changeRow(change) {
    const before = isObject(change) ? change.before : null;
    const after = isObject(change) ? change.after : null;
    const actionClass = (isObject(before) && before.actionClass) || (isObject(after) && after.actionClass) || 'no intent';
    return el(
      'tr',
      { dataset: { key: text(change?.idempotency_key) } },
      el('td', { class: 'mono' }, `${text(change?.partition)}@${text(change?.offset)}`),
      el('td', { class: 'mono' }, text(change?.idempotency_key)),
      el('td', { class: 'mono' }, String(actionClass)),
      decisionCells(before, after),
      el('td', { class: 'whatif-arrow' }, '→'),
      decisionCells(after, before),
    );
  }

  function tallyTable(title, tallies, label) {
    const rows = Object.keys(tallies)
      .sort()
      .map((name) => {
        const t = isObject(tallies[name]) ? tallies[name] : {};
        const delta = Number(t.after) - Number(t.before);
        return el(
          'tr',
          { dataset: { [label]: name }, class: delta === 0 ? null : 'whatif-moved' },
          el('td', { class: 'mono' }, name),
          el('td', null, text(t.before)),
          el('td', null, text(t.after)),
          el('td', null, Number.isFinite(delta) ? (delta > 0 ? `+${delta}` : String(delta)) : '—'),
        );
      });
    return el('div', { class: 'whatif-tally' }, el('h3', null, title), dataTable([label, 'before', 'after', 'change'], rows, { dataset: { tally: label } }));
  }

  /** Renders model.whatif into #whatif; returns whether there was a report to show. */
  function renderWhatIf(model) {
    const file = model.whatif;
    if (file.missing) return false;
    const problem = file.error ?? shapeProblem(file.value);
    if (problem) {
      replaceChildren('whatif-body', el('p', { class: 'error-text' }, problem));
      return true;
    }
    const report = file.value;
    const bundleRun = model.runFacts.value?.run_id ?? model.manifest.value?.run_id ?? null;
    const classes = Object.keys(report.changed_by_class)
      .sort()
      .map((name) => el('tr', { dataset: { class: name } }, el('td', { class: 'mono' }, name), el('td', null, text(report.changed_by_class[name]))));
    replaceChildren(
      'whatif-body',
      el(
        'p',
        { class: 'whatif-summary' },
        `${report.changed} of ${report.events} events would change under the candidate below. `,
        'This report is a reviewer’s analysis added after the run: no manifest covers it.',
      ),
      report.run_id !== bundleRun ? el('p', { class: 'error-text' }, `The report is about run ${text(report.run_id)}, this bundle is run ${text(bundleRun)}.`) : null,
      el('pre', { class: 'json whatif-candidate' }, JSON.stringify(report.candidate ?? null, null, 2)),
      el('h3', null, 'Changed events (before → after)'),
      report.changes.length === 0
        ? el('p', { class: 'muted' }, 'No event would change.')
        : dataTable(
            ['input', 'idempotency key', 'class', 'verdict', 'rule', 'approval', 'final', 'containment', '', 'verdict', 'rule', 'approval', 'final', 'containment'],
            moreList(report.changes, LISTED, changeRow, (button) => el('tr', null, el('td', { colspan: 14 }, button))),
            { id: 'whatif-changes' },
          ),
      el(
        'div',
        { class: 'whatif-tallies' },
        tallyTable('Per rule', report.by_rule, 'rule'),
        tallyTable('Per final state', report.by_final, 'final'),
        el('div', { class: 'whatif-tally' }, el('h3', null, 'Changed per class'), dataTable(['class', 'changed events'], classes, { dataset: { tally: 'class' } })),
      ),
    );
    return true;
  }

  Object.assign(exo, { renderWhatIf });
})();
