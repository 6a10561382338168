// @ts-check
// ExoArmur evidence viewer: the entry point: renders a bundle into every section, and wires the page (embedded bundle, directory picker, trace search, printing).
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const {
    embeddedBundle,
    bundleFromFileList,
    buildModel,
    runChecks,
    verifyOperatorSignatures,
    renderBanner,
    renderOverview,
    renderIntegrity,
    renderTimeModel,
    renderIdempotency,
    renderReplay,
    renderSuggestions,
    renderOperators,
    traceFor,
    renderTrace,
    el,
    show,
  } = exo;

  // ---------------------------------------------------------------- main

  async function render(bundle) {
    document.body.dataset.state = 'loading';
    const model = buildModel(bundle);
    const { checks, gates } = await runChecks(model);
    exo.state = { model, signatures: await verifyOperatorSignatures(model) };
    renderBanner(checks, gates, model);
    renderOverview(model, checks, gates);
    exo.renderRules(model);
    renderIntegrity(checks);
    renderTimeModel(model);
    renderIdempotency(model);
    renderReplay(model);
    renderSuggestions();
    renderOperators();
    for (const id of ['overview', 'integrity', 'time', 'idempotency', 'replay', 'trace', 'operators']) show(id);
    document.getElementById('footer').textContent = `Bundle ${bundle.source}: ${bundle.files.size} files. Checked ${new Date().toISOString()} in this browser.`;
    const fromHash = decodeURIComponent(location.hash.match(/^#trace=(.+)$/)?.[1] ?? '');
    if (fromHash) traceFor(fromHash);
    document.body.dataset.state = 'ready';
  }

  function fail(message) {
    document.body.dataset.state = 'error';
    const banner = document.getElementById('verdict-banner');
    banner.hidden = false;
    banner.dataset.status = 'fail';
    banner.className = 'banner banner-fail';
    banner.replaceChildren(el('strong', { class: 'banner-title' }, 'Cannot show this bundle. '), message);
  }

  // Printed evidence shows every traced record in full, so collapsed steps are opened for printing.
  /** @type {HTMLDetailsElement[]} */
  let openedForPrint = [];
  window.addEventListener('beforeprint', () => {
    openedForPrint = [...document.querySelectorAll('details:not([open])')].map((d) => /** @type {HTMLDetailsElement} */ (d));
    for (const d of openedForPrint) d.open = true;
  });
  window.addEventListener('afterprint', () => {
    for (const d of openedForPrint) d.open = false;
    openedForPrint = [];
  });

  exo.wireProofForm();

  document.getElementById('trace-form').addEventListener('submit', (event) => {
    event.preventDefault();
    renderTrace(/** @type {HTMLInputElement} */ (document.getElementById('trace-query')).value);
  });

  document.getElementById('bundle-input').addEventListener('change', async (event) => {
    try {
      const bundle = await bundleFromFileList(/** @type {HTMLInputElement} */ (event.target).files);
      if (!bundle.files.has('manifest.json')) {
        const error = document.getElementById('picker-error');
        error.hidden = false;
        error.textContent = 'That directory has no manifest.json; pick a bundle directory (artifacts/<run_id>/).';
        return;
      }
      document.getElementById('picker').hidden = true;
      await render(bundle);
    } catch (err) {
      fail(`Could not read the picked directory: ${err.message}`);
    }
  });

  (async () => {
    try {
      if (!globalThis.crypto?.subtle) throw new Error('WebCrypto is not available in this browser, so nothing can be verified.');
      const bundle = embeddedBundle();
      if (bundle) await render(bundle);
      else {
        show('picker');
        document.body.dataset.state = 'awaiting-bundle';
      }
    } catch (err) {
      fail(err.message);
    }
  })();
})();
