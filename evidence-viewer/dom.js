// @ts-check
// ExoArmur evidence viewer: DOM helpers. Every piece of bundle data enters the DOM as text (textContent / createTextNode), never as HTML, because a bundle is untrusted input.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { SVG_NS } = exo;

  // ---------------------------------------------------------------- DOM helpers (text only)

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    applyAttrs(node, attrs);
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    applyAttrs(node, attrs);
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function applyAttrs(node, attrs) {
    if (!attrs) return;
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') node.setAttribute('class', value);
      else if (name === 'dataset') for (const [k, v] of Object.entries(value)) node.dataset[k] = String(v);
      else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, String(value));
    }
  }

  function replaceChildren(id, ...children) {
    const node = document.getElementById(id);
    node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined));
    return node;
  }

  function show(id) {
    document.getElementById(id).hidden = false;
  }

  function badge(status, text) {
    return el('span', { class: `badge badge-${String(status).toLowerCase()}` }, text ?? String(status));
  }

  function formatValue(value) {
    if (value === null) return 'null';
    if (typeof value === 'object') return JSON.stringify(value, null, 2);
    return String(value);
  }

  /** A key/value table for a record whose fields vary by kind. Nested objects are shown as JSON text. */
  function kvTable(obj) {
    if (obj === null || typeof obj !== 'object') return el('pre', { class: 'json' }, formatValue(obj));
    const rows = Object.keys(obj)
      .sort()
      .map((key) => {
        const value = obj[key];
        const cell = value !== null && typeof value === 'object' ? el('pre', { class: 'json' }, formatValue(value)) : el('span', { class: 'mono' }, formatValue(value));
        return el('tr', null, el('th', { scope: 'row' }, key), el('td', null, cell));
      });
    return el('table', { class: 'kv' }, el('tbody', null, rows));
  }

  function dataTable(headers, rows, attrs) {
    return el(
      'table',
      { class: 'data', ...attrs },
      el(
        'thead',
        null,
        el(
          'tr',
          null,
          headers.map((h) => el('th', { scope: 'col' }, h)),
        ),
      ),
      el('tbody', null, rows),
    );
  }

  function shortHash(hash) {
    return typeof hash === 'string' && hash.length > 16 ? `${hash.slice(0, 12)}…${hash.slice(-4)}` : String(hash ?? '—');
  }

  /**
   * The first `limit` of `items` rendered, then a "+N more" button that renders the rest in its
   * place: a cut list says how much is left and gives it on a click. `wrap` fits the button to its
   * list (an <li> in a <ul>).
   */
  function moreList(items, limit, render, wrap = (node) => node) {
    const shown = items.slice(0, limit).map(render);
    if (items.length <= limit) return shown;
    const button = el('button', { type: 'button', class: 'more', dataset: { more: items.length - limit } }, `+${items.length - limit} more`);
    const holder = wrap(button);
    button.addEventListener('click', () => holder.replaceWith(...items.slice(limit).map(render)));
    return [...shown, holder];
  }

  /** A safety rule id with its description beside it (from the gate's table embedded in the page), or the bare id when the page has none. */
  function ruleLabel(descriptions, rule) {
    const text = descriptions && Object.prototype.hasOwnProperty.call(descriptions, rule) ? descriptions[rule] : null;
    return el('span', { class: 'rule', dataset: { rule } }, el('span', { class: 'mono rule-id' }, rule), text ? el('span', { class: 'rule-desc' }, ` ${text}`) : null);
  }

  Object.assign(exo, { el, svg, replaceChildren, show, badge, formatValue, kvTable, dataTable, shortHash, moreList, ruleLabel });
})();
