// @ts-check
// ExoArmur evidence viewer: the time model's charts: one point per consumed input (its receipt) on an event-time panel and on a
// process-time panel (one lane per partition each), and the skew between the two as a histogram.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { RECEIPTS, MINUTE, SECOND, el, svg, replaceChildren } = exo;
  const { parseTime, formatSpan, formatDuration, niceStep, clockLabel, spacedTicks, stepsIn, robustWindow, processPauses, brokenScale } = exo;

  /** What a receipt stands for, in drawing order (later classes on top), with its legend text and colour. */
  /** @type {Array<[string, string, string]>} */
  const CLASSES = [
    ['filler', 'burst filler', '#a3acbb'],
    ['duplicate', 'duplicate delivery', '#7cb3f7'],
    ['scenario', 'scenario input', '#1d4ed8'],
    ['action', 'operator action', '#7c3aed'],
    ['rejected', 'rejected input', '#ea580c'],
  ];
  const COLOUR = new Map(CLASSES.map(([c, , colour]) => [c, colour]));
  const W = 960;
  const M = { left: 44, right: 12, top: 6 };
  const LANE = 34;
  const STRIP = 76;

  function classOf(record, filler) {
    if (record.event_kind.endsWith('_rejected')) return 'rejected';
    if (record.event_kind.endsWith('_duplicate')) return 'duplicate';
    if (record.event_kind === 'action_received') return 'action';
    return record.tenant_id === filler ? 'filler' : 'scenario';
  }

  // An actuator result's event time is the actuator's own finish (wall clock), which moves no stream time:
  // drawn with the alerts it would stretch the event-time axis over months, so results are counted, not drawn.
  const isResultReceipt = (r) => r.event_kind.startsWith('result_');

  /** One point per telemetry or operator receipt; out of order by the one definition (counts.js lateReceipts). */
  function receiptPoints(records, filler) {
    const late = new Set(exo.lateReceipts(records));
    return records
      .filter((r) => RECEIPTS.includes(r.event_kind) && !isResultReceipt(r))
      .map((record) => ({ record, event: parseTime(record.event_time), process: parseTime(record.process_time), cls: classOf(record, filler), late: late.has(record) }))
      .filter((p) => p.event !== null && p.process !== null)
      .sort((a, b) => CLASSES.findIndex(([c]) => c === a.cls) - CLASSES.findIndex(([c]) => c === b.cls) || Number(a.late) - Number(b.late));
  }

  /** A deterministic vertical spread inside a lane, so inputs at one instant do not hide each other. */
  const jitter = (seq) => ((((seq ?? 0) * 7919) % 23) - 11) * ((LANE - 12) / 22);

  function pointMark(p, x, y) {
    const r = p.record;
    const title = svg(
      'title',
      null,
      `${p.late ? 'OUT OF ORDER — ' : ''}${r.event_kind} · p${r.input?.partition} seq ${r.seq} · ${r.correlation_id}\nevent ${r.event_time}\nprocess ${r.process_time}\nclick to trace`,
    );
    const onclick = () => exo.traceFor(r.correlation_id);
    const dataset = { cls: p.cls, late: p.late ? 'true' : 'false' };
    // Burst filler is observed at the scenario's earliest time on purpose, so nearly all of it is late: drawn small, it leaves the scenario's own late inputs visible.
    const d = p.cls === 'filler' ? 3.5 : 7;
    if (p.late)
      return svg(
        'path',
        { d: `M${x} ${y - d}L${x + d} ${y}L${x} ${y + d}L${x - d} ${y}Z`, class: `pt pt-late${p.cls === 'filler' ? ' pt-late-filler' : ''}`, dataset, onclick },
        title,
      );
    return svg('circle', { cx: x, cy: y, r: p.cls === 'filler' ? 2.6 : 4, fill: COLOUR.get(p.cls), class: 'pt', dataset, onclick }, title);
  }

  /** A panel with one lane per partition; `xOf` places a point, `ticks` label the axis, `under` is drawn beneath the points. */
  function lanePanel({ name, points, partitions, xOf, ticks, under, caption }) {
    const plotBottom = M.top + partitions.length * LANE;
    const height = plotBottom + 40;
    const laneY = (partition) => M.top + partitions.indexOf(partition) * LANE + LANE / 2;
    return svg(
      'svg',
      { viewBox: `0 0 ${W} ${height}`, class: 'time-svg', role: 'img', 'aria-label': caption, dataset: { panel: name } },
      partitions.map((p, i) => svg('rect', { x: M.left, y: M.top + i * LANE, width: W - M.left - M.right, height: LANE, class: i % 2 ? 'lane lane-alt' : 'lane' })),
      partitions.map((p) => svg('text', { x: M.left - 8, y: laneY(p) + 4, 'text-anchor': 'end', class: 'lane-label' }, `p${p}`)),
      ticks.map((t) => svg('line', { x1: t.x, x2: t.x, y1: M.top, y2: plotBottom, class: 'grid' })),
      under(M.top, plotBottom),
      points.map((p) => pointMark(p, xOf(p), laneY(p.record.input?.partition ?? 0) + jitter(p.record.seq))),
      ticks.map((t) => svg('text', { x: t.x, y: plotBottom + 15, 'text-anchor': 'middle', class: 'tick-label' }, t.label)),
      svg('text', { x: (M.left + W - M.right) / 2, y: height - 4, 'text-anchor': 'middle', class: 'axis-label' }, caption),
    );
  }

  const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);
  const dateRange = (lo, hi) => (dayOf(lo) === dayOf(hi) ? dayOf(lo) : `${dayOf(lo)} → ${dayOf(hi)}`);

  /** Edge strips for values outside the window: their count in the tick row, their extent in a tooltip. */
  function outsideStrips(win, x0, x1, describe) {
    const strips = [];
    if (win.below.length > 0) strips.push({ side: 'below', x: M.left + STRIP / 2, values: win.below, label: `${win.below.length} before`, from: x0 - STRIP - 4 });
    if (win.above.length > 0) strips.push({ side: 'above', x: W - M.right - STRIP / 2, values: win.above, label: `${win.above.length} after`, from: x1 + 4 });
    const draw = (top, bottom) =>
      strips.map((s) =>
        svg(
          'rect',
          { x: s.x - STRIP / 2 + 2, y: top, width: STRIP - 4, height: bottom - top, class: 'outside-strip', dataset: { side: s.side } },
          svg('title', null, `${s.values.length} outside the range shown: ${describe(s.values[0])} … ${describe(s.values.at(-1))}`),
        ),
      );
    return { strips, draw };
  }

  function eventPanel(points, partitions) {
    const win = robustWindow(
      points.map((p) => p.event),
      MINUTE,
    );
    const x0 = M.left + (win.below.length > 0 ? STRIP + 8 : 8);
    const x1 = W - M.right - (win.above.length > 0 ? STRIP + 8 : 8);
    const sx = (t) => x0 + ((t - win.lo) / (win.hi - win.lo)) * (x1 - x0);
    const { strips, draw } = outsideStrips(win, x0, x1, (t) => new Date(t).toISOString());
    const xOf = (p) => (p.event < win.lo ? strips[0].x : p.event > win.hi ? strips.at(-1).x : sx(p.event));
    const step = niceStep(win.hi - win.lo, Math.floor((x1 - x0) / 110));
    const withDate = dayOf(win.lo) !== dayOf(win.hi);
    const fixed = strips.map((s) => ({ x: s.x, label: s.label }));
    const ticks = spacedTicks(
      stepsIn(win.lo, win.hi, step).map((t) => ({ x: sx(t), label: clockLabel(t, step, withDate) })),
      M.left,
      W,
      fixed,
    );
    const outside = win.below.length + win.above.length;
    return lanePanel({
      name: 'event',
      points,
      partitions,
      xOf,
      ticks: [...fixed, ...ticks],
      under: draw,
      caption: `event time (UTC, ${dateRange(win.lo, win.hi)})${outside > 0 ? `; ${outside} far outside the range, counted at the edges` : ''}`,
    });
  }

  function processPanel(points, partitions) {
    const times = points.map((p) => p.process);
    const { gaps, threshold } = processPauses(times);
    const { scale, stretches, gaps: drawn } = brokenScale(times, gaps, M.left + 8, W - M.right - 8);
    const withDate = dayOf(Math.min(...times)) !== dayOf(Math.max(...times));
    // Where each stretch starts is labelled first, so a reader sees where processing resumed.
    const starts = spacedTicks(
      stretches.map((s) => ({ x: s.x0, label: clockLabel(s.a, SECOND, withDate) })),
      M.left,
      W,
    );
    const inner = stretches.flatMap((s) => {
      const step = niceStep(s.b - s.a, Math.max(1, Math.floor((s.x1 - s.x0) / 110)));
      return stepsIn(s.a, s.b, step).map((t) => ({ x: scale(t), label: clockLabel(t, step, withDate) }));
    });
    const ticks = [...starts, ...spacedTicks(inner, M.left, W, starts)];
    const under = (top, bottom) =>
      drawn.map((g) =>
        svg(
          'g',
          { class: 'gap', dataset: { gapMs: g.to - g.from } },
          svg('rect', { x: g.x0 + 2, y: top, width: Math.max(2, g.x1 - g.x0 - 4), height: bottom - top, class: 'gap-rect' }),
          g.x1 - g.x0 >= 16 && bottom - top >= exo.labelWidth(`pause ${formatDuration(g.to - g.from)}`)
            ? svg(
                'text',
                { x: 0, y: 0, transform: `translate(${(g.x0 + g.x1) / 2 + 4} ${(top + bottom) / 2}) rotate(-90)`, 'text-anchor': 'middle', class: 'gap-label' },
                `pause ${formatDuration(g.to - g.from)}`,
              )
            : null,
          svg('title', null, `Nothing processed for ${formatDuration(g.to - g.from)} (${new Date(g.from).toISOString()} → ${new Date(g.to).toISOString()}): a restart`),
        ),
      );
    const panel = lanePanel({
      name: 'process',
      points,
      partitions,
      xOf: (p) => scale(p.process),
      ticks,
      under,
      caption: `process time (when the processor consumed it, UTC, ${dateRange(Math.min(...times), Math.max(...times))}); axis broken at pauses > ${formatDuration(threshold)}`,
    });
    return { panel, gaps };
  }

  function skewPanel(points) {
    const skews = points.map((p) => ({ p, skew: p.process - p.event }));
    const win = robustWindow(
      skews.map((s) => s.skew),
      SECOND,
    );
    const hasBelow = win.below.length > 0;
    const hasAbove = win.above.length > 0;
    const x0 = M.left + (hasBelow ? STRIP + 8 : 8);
    const x1 = W - M.right - (hasAbove ? STRIP + 8 : 8);
    const step = niceStep(win.hi - win.lo, 36);
    const start = Math.floor(win.lo / step) * step;
    const bins = Math.max(1, Math.ceil((win.hi - start) / step + 1e-9));
    const binWidth = (x1 - x0) / bins;
    /** counts per slot: 0 below, 1..bins, bins + 1 above */
    const slots = Array.from({ length: bins + 2 }, () => new Map());
    for (const { p, skew } of skews) {
      const slot = skew < win.lo ? 0 : skew > win.hi ? bins + 1 : 1 + Math.min(bins - 1, Math.floor((skew - start) / step));
      slots[slot].set(p.cls, (slots[slot].get(p.cls) ?? 0) + 1);
    }
    const total = (m) => [...m.values()].reduce((a, b) => a + b, 0);
    const max = Math.max(1, ...slots.map(total));
    const top = M.top + 8;
    const bottom = 150;
    // A square-root count scale: a bin of a few inputs stays visible next to the burst's hundreds; the axis says so.
    const sy = (n) => bottom - Math.sqrt(n / max) * (bottom - top);
    const slotX = (i) => (i === 0 ? [M.left + 2, STRIP - 4] : i === bins + 1 ? [W - M.right - STRIP + 2, STRIP - 4] : [x0 + (i - 1) * binWidth + 0.5, Math.max(1, binWidth - 1)]);
    const bars = slots.flatMap((counts, i) => {
      if (total(counts) === 0) return [];
      const [x, w] = slotX(i);
      let below = 0;
      const range =
        i === 0
          ? `below ${formatSpan(win.lo, step)}`
          : i === bins + 1
            ? `above ${formatSpan(win.hi, step)}`
            : `${formatSpan(start + (i - 1) * step, step)} to ${formatSpan(start + i * step, step)}`;
      const tip = `${total(counts)} inputs with skew ${range}: ${CLASSES.filter(([c]) => counts.has(c))
        .map(([c, text]) => `${counts.get(c)} ${text}`)
        .join(', ')}`;
      return CLASSES.filter(([c]) => counts.has(c)).map(([c]) => {
        const n = counts.get(c);
        // At least 2 px, so a bin of one input is visible next to one of hundreds.
        const h = Math.max(2, sy(below) - sy(below + n));
        const rect = svg('rect', { x, width: w, y: sy(below) - h, height: h, fill: COLOUR.get(c), class: 'bar', dataset: { slot: i, cls: c } }, svg('title', null, tip));
        below += n;
        return rect;
      });
    });
    const fixed = [
      ...(hasBelow ? [{ x: M.left + STRIP / 2, label: `${win.below.length} below` }] : []),
      ...(hasAbove ? [{ x: W - M.right - STRIP / 2, label: `${win.above.length} above` }] : []),
    ];
    const boundaries = Array.from({ length: bins + 1 }, (_, i) => ({ x: x0 + i * binWidth, label: formatSpan(start + i * step, step) }));
    const ticks = [...fixed, ...spacedTicks(boundaries, M.left, W, fixed)];
    const countTicks = [0, Math.round(max / 16), Math.round(max / 4), max].filter((n, i, a) => a.indexOf(n) === i);
    const sorted = skews.map((s) => s.skew).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const caption = `skew = process time − event time, per input; bins of ${formatSpan(step)}, counts on a square-root scale; median ${formatDuration(median)}`;
    return svg(
      'svg',
      { viewBox: `0 0 ${W} ${bottom + 40}`, class: 'time-svg', role: 'img', 'aria-label': caption, dataset: { panel: 'skew' } },
      svg('rect', { x: M.left, y: top, width: W - M.left - M.right, height: bottom - top, class: 'plot-bg' }),
      countTicks.map((n) => [
        svg('line', { x1: M.left, x2: W - M.right, y1: sy(n), y2: sy(n), class: 'grid' }),
        svg('text', { x: M.left - 6, y: sy(n) + 4, 'text-anchor': 'end', class: 'tick-label' }, String(n)),
      ]),
      bars,
      ticks.map((t) => svg('text', { x: t.x, y: bottom + 15, 'text-anchor': 'middle', class: 'tick-label' }, t.label)),
      svg('text', { x: (M.left + W - M.right) / 2, y: bottom + 36, 'text-anchor': 'middle', class: 'axis-label' }, caption),
    );
  }

  function renderTimeModel(model) {
    const filler = model.runFacts.value?.filler_tenant ?? null;
    const points = receiptPoints(model.records, filler);
    if (points.length === 0) {
      replaceChildren('time-chart', el('p', { class: 'muted' }, 'No receipts with valid event and process times.'));
      replaceChildren('time-legend');
    } else {
      const partitions = [...new Set(points.map((p) => p.record.input?.partition ?? 0))].sort((a, b) => a - b);
      const { panel, gaps } = processPanel(points, partitions);
      const figure = (id, title, hint, body) =>
        el('figure', { class: 'time-panel', id }, el('figcaption', null, el('strong', null, title), ' ', el('span', { class: 'muted small' }, hint)), body);
      replaceChildren(
        'time-chart',
        figure('time-event', 'Event time', 'when each input says it happened', eventPanel(points, partitions)),
        figure('time-process', 'Process time', 'when the processor consumed it; the same inputs, the same lanes', panel),
        figure('time-skew', 'Skew', 'how far processing trailed each input’s event time', skewPanel(points)),
      );
      const counts = exo.runCounts(model.records, model.runFacts.value);
      const present = new Set(points.map((p) => p.cls));
      replaceChildren(
        'time-legend',
        el('span', { class: 'legend-item' }, `${points.length} inputs (one point per receipt):`),
        counts.result_deliveries > 0
          ? el(
              'span',
              { class: 'legend-item muted', dataset: { results: String(counts.result_deliveries) } },
              `${counts.result_deliveries} actuator results not drawn (their event time moves no stream time)`,
            )
          : null,
        CLASSES.filter(([c]) => present.has(c)).map(([c, text, colour]) =>
          el('span', { class: 'legend-item', dataset: { cls: c } }, el('span', { class: 'swatch', style: `background:${colour}` }), text),
        ),
        el(
          'span',
          { class: 'legend-item' },
          el('span', { class: 'swatch swatch-late' }),
          `out of order: ${counts.out_of_order - counts.out_of_order_filler} scenario, ${counts.out_of_order_filler} burst filler (small)`,
        ),
        el('span', { class: 'legend-item' }, el('span', { class: 'swatch swatch-gap' }), `pause in processing (${gaps.length})`),
        el('span', { class: 'legend-item muted' }, 'Click a point to trace it.'),
      );
    }
    exo.renderTimeTables(model);
  }

  Object.assign(exo, { renderTimeModel });
})();
