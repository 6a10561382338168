// @ts-check
// ExoArmur evidence viewer: the integrity banner, the overview (facts and gates from PASS_FAIL.txt) and the integrity section.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, checks, actuation, gates, proof, overview, time-chart, reports, trace, viewer.
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
      el('strong', { class: 'banner-title' }, overall ? `Run verdict: ${overall}` : 'Run verdict: cannot be re-judged'),
      ' ',
      gates
        ? el(
            'span',
            { class: 'verdict-gates' },
            gates.map((g) => el('span', { class: 'verdict-gate', dataset: { gate: g.n, status: g.status } }, `gate ${g.n} `, badge(g.status))),
          )
        : el('span', null, (model.derived?.missing ?? []).join('; ')),
      el('span', { class: 'small' }, ' re-judged in this browser from the evidence files, not read from PASS_FAIL.txt'),
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
        failed.map((c) => el('li', { dataset: { check: c.id } }, `${c.name}: `, c.details[0] ?? 'failed', c.details.length > 1 ? ` (+${c.details.length - 1} more)` : '')),
      ),
      el('span', null, 'This bundle was modified after it was written, is incomplete, or claims what its evidence does not show. Do not rely on it.'),
    );
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
            c.details.slice(0, 20).map((d) => el('li', null, d)),
            c.details.length > 20 ? el('li', null, `… ${c.details.length - 20} more`) : null,
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

  Object.assign(exo, { renderBanner, renderOverview, renderIntegrity });
})();
