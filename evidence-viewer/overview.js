// @ts-check
// ExoArmur evidence viewer: the integrity banner, the overview (facts and gates from PASS_FAIL.txt) and the integrity section.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { el, badge, replaceChildren, shortHash, dataTable } = exo;

  // ---------------------------------------------------------------- sections

  /**
   * The headline is the run's verdict as this page re-judged it from the evidence files, per gate;
   * integrity is its own line below it, so a bundle that is intact but failed never reads as green.
   */
  function renderBanner(checks, gates, model) {
    const verdict = document.getElementById('verdict-banner');
    verdict.hidden = false;
    const overall = gates ? exo.overallOf(gates) : null;
    verdict.dataset.status = overall ?? 'UNKNOWN';
    verdict.className = `banner ${overall === 'PASS' ? 'banner-pass' : 'banner-fail'}`;
    verdict.replaceChildren(
      el(
        'div',
        { class: 'verdict-head' },
        el('strong', { class: 'banner-title verdict-overall' }, overall ? `OVERALL ${overall}` : 'OVERALL: cannot be re-judged'),
        el('span', { class: 'small' }, ' re-judged in this browser from the evidence files, not read from PASS_FAIL.txt'),
      ),
      gates
        ? el(
            'div',
            { class: 'verdict-gates' },
            gates.map((g) =>
              el(
                'a',
                { class: 'verdict-gate', href: '#gates', title: g.evidence || g.name, dataset: { gate: g.n, status: g.status } },
                el('span', { class: 'verdict-gate-n' }, `gate ${g.n}`),
                ` ${g.name} `,
                badge(g.status),
              ),
            ),
          )
        : el('div', null, (model.derived?.missing ?? []).join('; ')),
    );
    const banner = document.getElementById('integrity-banner');
    const failed = checks.filter((c) => !c.ok);
    banner.hidden = false;
    if (failed.length === 0) {
      banner.dataset.status = 'pass';
      banner.className = 'banner integrity-line integrity-ok';
      banner.replaceChildren(el('strong', null, 'Integrity: '), `all ${checks.length} checks hold in this browser (${checks.map((c) => c.name).join(', ')}).`);
      return;
    }
    banner.dataset.status = 'fail';
    banner.className = 'banner integrity-line banner-fail';
    banner.replaceChildren(
      el('strong', { class: 'banner-title' }, `INTEGRITY FAILURE — ${failed.length} of ${checks.length} checks failed: ${failed.map((c) => c.name).join(', ')}`),
      el(
        'ul',
        null,
        failed.map((c) =>
          el(
            'li',
            { dataset: { check: c.id } },
            `${c.name}: `,
            c.details[0] ?? 'failed',
            c.details.length > 1 ? [' ', el('button', { type: 'button', class: 'more more-inverse', onclick: () => openCheck(c.id) }, `+${c.details.length - 1} more`)] : null,
          ),
        ),
      ),
      el('span', null, 'This bundle was modified after it was written, is incomplete, or claims what its evidence does not show. Do not rely on it.'),
    );
  }

  /** Shows a check of the integrity section with every detail (its "+N more" opened). */
  function openCheck(id) {
    const item = [...document.querySelectorAll('#checks > li')].find((li) => /** @type {HTMLElement} */ (li).dataset.check === id);
    if (!item) return;
    /** @type {HTMLButtonElement | null} */ (item.querySelector('button.more'))?.click();
    item.scrollIntoView({ block: 'start' });
  }

  /** Looks for a broker address in the effective config or storage state; field names vary by version. */
  function findBroker(model) {
    const names = new Set(['brokers', 'broker', 'bootstrap_servers', 'bootstrapServers', 'kafka_brokers']);
    const visit = (value, depth) => {
      if (!value || typeof value !== 'object' || depth > 4) return null;
      for (const [key, inner] of Object.entries(value)) {
        if (names.has(key) && (typeof inner === 'string' || Array.isArray(inner))) return Array.isArray(inner) ? inner.join(', ') : inner;
      }
      for (const inner of Object.values(value)) {
        const found = visit(inner, depth + 1);
        if (found) return found;
      }
      return null;
    };
    const firstConfig = Array.isArray(model.snapshots.value) ? model.snapshots.value[0]?.config : null;
    return visit(model.storage.value, 0) ?? visit(firstConfig, 0) ?? 'not recorded';
  }

  function renderOverview(model, checks, judged) {
    const pf = model.passFail;
    const runId = pf?.runId ?? model.manifest.value?.run_id ?? 'unknown';
    document.getElementById('header-run').textContent = runId;
    document.title = `ExoArmur evidence — ${runId}`;
    const partitions = new Set(model.records.map((r) => r.input?.partition));
    const overall = judged ? exo.overallOf(judged) : 'UNKNOWN';
    const fact = (label, value, attrs) => el('div', { class: 'fact', ...attrs }, el('div', { class: 'fact-label' }, label), el('div', { class: 'fact-value' }, value));
    replaceChildren(
      'overview-facts',
      fact(
        'Overall',
        [
          badge(overall),
          el('div', { class: 'small' }, `re-judged; PASS_FAIL.txt claims ${pf?.overall ?? 'nothing'}`),
          checks.every((c) => c.ok) ? null : el('div', { class: 'small text-fail' }, 'integrity failed, not trustworthy'),
        ],
        {
          id: 'overall',
          dataset: { status: overall },
        },
      ),
      fact('Run id', el('span', { class: 'mono' }, runId), { id: 'run-id' }),
      fact('Broker', el('span', { class: 'mono' }, findBroker(model)), { id: 'broker' }),
      fact('Config hash', el('span', { class: 'mono', title: model.configHash ?? '' }, shortHash(model.configHash)), { id: 'config-hash' }),
      fact('Audit records', String(model.records.length)),
      fact('Partitions', String(partitions.size)),
      fact('Operator actions', String(model.actions.records.length)),
      fact('Bundle', model.bundle.source),
    );
    if (!pf) {
      replaceChildren('gates', el('p', { class: 'error-text' }, 'PASS_FAIL.txt is not in the bundle.'));
      return;
    }
    replaceChildren(
      'gates',
      pf.gates.map((g) => {
        const status = judged?.find((j) => j.n === g.n)?.status ?? 'UNKNOWN';
        return el(
          'div',
          { class: `gate gate-${status.toLowerCase()}`, dataset: { gate: g.n, status, claimed: g.status } },
          el('div', { class: 'gate-head' }, el('span', { class: 'gate-n' }, `Gate ${g.n}`), badge(status)),
          el('div', { class: 'gate-name' }, g.name),
          status === g.status ? null : el('div', { class: 'gate-claim text-fail' }, `PASS_FAIL.txt claims ${g.status}`),
          el('div', { class: 'gate-evidence' }, g.evidence || '—'),
        );
      }),
      pf.unparsed.length > 0 ? el('p', { class: 'muted small' }, `Unrecognised PASS_FAIL.txt lines: ${pf.unparsed.join(' | ')}`) : null,
    );
  }

  function renderIntegrity(checks) {
    replaceChildren(
      'checks',
      checks.map((c) =>
        el(
          'li',
          { class: `check ${c.ok ? 'check-ok' : 'check-fail'}`, dataset: { check: c.id, status: c.ok ? 'pass' : 'fail' } },
          el('div', { class: 'check-head' }, badge(c.ok ? 'PASS' : 'FAIL'), el('span', { class: 'check-name' }, c.name)),
          el(
            'ul',
            { class: 'check-details' },
            exo.moreList(
              c.details,
              20,
              (d) => el('li', null, d),
              (button) => el('li', null, button),
            ),
          ),
        ),
      ),
    );
    const manifest = checks.find((c) => c.id === 'manifest');
    const table = document.getElementById('files-table');
    table.replaceChildren(
      ...dataTable(
        ['File', 'Bytes', 'SHA-256 (manifest)', 'SHA-256 (computed)', ''],
        (manifest.files ?? []).map((f) =>
          el(
            'tr',
            { dataset: { file: f.name, status: f.status } },
            el('td', { class: 'mono' }, f.name),
            el('td', { class: 'num' }, f.size === null ? '—' : f.size.toLocaleString('en-US')),
            el('td', { class: 'mono hash', title: f.expected ?? '' }, shortHash(f.expected)),
            el('td', { class: 'mono hash', title: f.actual ?? '' }, shortHash(f.actual)),
            el('td', null, badge(f.status === 'ok' ? 'PASS' : 'FAIL', f.status)),
          ),
        ),
      ).childNodes,
    );
  }

  /** How many safety verdicts each rule gave, with the rule in words. */
  function renderRules(model) {
    const counts = new Map();
    for (const r of model.records) {
      if (r.event_kind !== 'safety_evaluated') continue;
      const key = `${r.payload?.rule}|${r.payload?.verdict}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const rows = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    replaceChildren(
      'rules',
      rows.length === 0
        ? el('p', { class: 'muted' }, 'No safety verdicts in this bundle.')
        : el(
            'div',
            { class: 'table-wrap' },
            dataTable(
              ['rule', 'verdict', 'decisions'],
              rows.map(([key, n]) => {
                const [rule, verdict] = key.split('|');
                return el(
                  'tr',
                  { dataset: { rule, verdict } },
                  el('td', null, exo.ruleLabel(model.ruleDescriptions, rule)),
                  el('td', { class: 'mono' }, verdict),
                  el('td', { class: 'num' }, String(n)),
                );
              }),
              { id: 'rules-table' },
            ),
          ),
      model.ruleDescriptions ? null : el('p', { class: 'muted small' }, 'Rule descriptions are embedded when exoarmur writes a bundle’s index.html; this page has none.'),
    );
  }

  Object.assign(exo, { renderBanner, renderOverview, renderIntegrity, renderRules });
})();
