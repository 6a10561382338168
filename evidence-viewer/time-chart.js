// @ts-check
// ExoArmur evidence viewer: the time model section: event time against process time, out-of-order inputs and restart gaps.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, checks, actuation, gates, proof, overview, time-chart, reports, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;
  const { PARTITION_COLOURS, el, svg, badge, replaceChildren, dataTable } = exo;

  // ---- time model chart

  function parseTime(value) {
    const ms = typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isFinite(ms) ? ms : null;
  }

  function formatClock(ms, withDate) {
    const iso = new Date(ms).toISOString();
    return withDate ? `${iso.slice(5, 10)} ${iso.slice(11, 19)}` : iso.slice(11, 23).replace(/\.000$/, '');
  }

  function formatDuration(ms) {
    if (ms < 1000) return `${ms} ms`;
    if (ms < 120000) return `${(ms / 1000).toFixed(1)} s`;
    return `${(ms / 60000).toFixed(1)} min`;
  }

  /**
   * Points for the chart. A telemetry receipt is out of order when its event time is earlier than one
   * its partition had already received (seq order, counts.js); a restart gap is a pause in process time far longer
   * than the run's typical spacing.
   */
  function timePoints(records) {
    const points = [];
    const maxSeen = new Map();
    const sorted = [...records].sort((a, b) => (a.input?.partition ?? 0) - (b.input?.partition ?? 0) || (a.seq ?? 0) - (b.seq ?? 0));
    for (const record of sorted) {
      const event = parseTime(record.event_time);
      const process = parseTime(record.process_time);
      if (event === null || process === null) continue;
      const partition = record.input?.partition ?? 0;
      // Out of order by the one definition (counts.js): a telemetry receipt earlier than one received before it.
      const seen = maxSeen.get(partition) ?? -Infinity;
      const receipt = record.event_kind === 'telemetry_received';
      points.push({ record, event, process, partition, late: receipt && event < seen, lateBy: seen - event });
      if (receipt) maxSeen.set(partition, Math.max(seen, event));
    }
    const times = [...new Set(points.map((p) => p.process))].sort((a, b) => a - b);
    const deltas = times
      .slice(1)
      .map((t, i) => t - times[i])
      .sort((a, b) => a - b);
    const median = deltas.length > 0 ? deltas[Math.floor(deltas.length / 2)] : 0;
    const threshold = Math.max(2000, median * 20);
    const gaps = [];
    for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] > threshold) gaps.push({ from: times[i - 1], to: times[i] });
    return { points, gaps, threshold };
  }

  /**
   * A process-time axis broken at restart gaps: each gap gets a fixed width so it stays visible
   * without squeezing the runs on either side; runs share the rest in proportion to their length.
   */
  function brokenAxis(times, gaps, left, right) {
    const sorted = [...new Set(times)].sort((a, b) => a - b);
    const segments = [];
    let start = sorted[0];
    for (const gap of gaps) {
      segments.push([start, gap.from]);
      start = gap.to;
    }
    segments.push([start, sorted.at(-1)]);
    const gapWidth = gaps.length > 0 ? Math.min(90, (right - left) / (4 * gaps.length)) : 0;
    const available = right - left - gapWidth * gaps.length;
    const total = segments.reduce((sum, [a, b]) => sum + (b - a), 0);
    const minWidth = Math.min(60, available / segments.length);
    const flexible = available - minWidth * segments.length;
    const layout = [];
    let x = left;
    for (const [a, b] of segments) {
      const w = minWidth + (total > 0 ? (flexible * (b - a)) / total : flexible / segments.length);
      layout.push({ a, b, x0: x, x1: x + w });
      x += w + gapWidth;
    }
    const scale = (t) => {
      const seg = layout.find((s) => t <= s.b) ?? layout.at(-1);
      if (t < seg.a) return seg.x0 - gapWidth / 2;
      return seg.b === seg.a ? (seg.x0 + seg.x1) / 2 : seg.x0 + ((t - seg.a) / (seg.b - seg.a)) * (seg.x1 - seg.x0);
    };
    scale.ticks = layout.flatMap((s) => {
      if (s.b === s.a) return [s.a];
      const n = Math.max(1, Math.floor((s.x1 - s.x0) / 150));
      return Array.from({ length: n + 1 }, (_, i) => s.a + ((s.b - s.a) * i) / n);
    });
    return scale;
  }

  function renderTimeModel(model) {
    const { points, gaps, threshold } = timePoints(model.records);
    const width = 960;
    const height = 380;
    const m = { left: 92, right: 20, top: 16, bottom: 48 };
    if (points.length === 0) {
      replaceChildren('time-chart', el('p', { class: 'muted' }, 'No audit records with valid event and process times.'));
    } else {
      const ys = points.map((p) => p.event);
      const pad = (lo, hi) => (hi - lo === 0 ? [lo - 500, hi + 500] : [lo - (hi - lo) * 0.03, hi + (hi - lo) * 0.03]);
      const [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
      const sx = brokenAxis(
        points.map((p) => p.process),
        gaps,
        m.left + 8,
        width - m.right - 8,
      );
      const sy = (t) => height - m.bottom - ((t - y0) / (y1 - y0)) * (height - m.top - m.bottom);
      const xTicks = sx.ticks;
      const multiDay = xTicks.at(-1) - xTicks[0] > 86400000 || y1 - y0 > 86400000;
      const ticks = (lo, hi) => Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
      const chart = svg(
        'svg',
        { viewBox: `0 0 ${width} ${height}`, class: 'time-svg', role: 'img', 'aria-label': 'Event time against process time for every audit record' },
        svg('rect', { x: m.left, y: m.top, width: width - m.left - m.right, height: height - m.top - m.bottom, class: 'plot-bg' }),
        gaps.map((g) =>
          svg(
            'g',
            { class: 'gap', dataset: { gapMs: g.to - g.from } },
            svg('rect', { x: sx(g.from) + 2, y: m.top, width: Math.max(2, sx(g.to) - sx(g.from) - 4), height: height - m.top - m.bottom, class: 'gap-rect' }),
            svg('text', { x: (sx(g.from) + sx(g.to)) / 2, y: m.top + 14, class: 'gap-label', 'text-anchor': 'middle' }, `gap ${formatDuration(g.to - g.from)}`),
            svg(
              'title',
              null,
              `No records processed for ${formatDuration(g.to - g.from)} (${formatClock(g.from, multiDay)} → ${formatClock(g.to, multiDay)}): processor or broker restart`,
            ),
          ),
        ),
        xTicks.map((t, i) =>
          svg(
            'g',
            { class: 'tick' },
            svg('line', { x1: sx(t), x2: sx(t), y1: m.top, y2: height - m.bottom, class: 'grid' }),
            svg(
              'text',
              { x: sx(t), y: height - m.bottom + 16 + (i % 2) * 12, 'text-anchor': i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle' },
              formatClock(t, multiDay),
            ),
          ),
        ),
        ticks(y0, y1).map((t) =>
          svg(
            'g',
            { class: 'tick' },
            svg('line', { x1: m.left, x2: width - m.right, y1: sy(t), y2: sy(t), class: 'grid' }),
            svg('text', { x: m.left - 6, y: sy(t) + 4, 'text-anchor': 'end' }, formatClock(t, multiDay)),
          ),
        ),
        svg('text', { x: (m.left + width - m.right) / 2, y: height - 4, 'text-anchor': 'middle', class: 'axis-label' }, 'process_time (when the processor consumed it, UTC)'),
        svg(
          'text',
          { x: 14, y: (m.top + height - m.bottom) / 2, 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 14 ${(m.top + height - m.bottom) / 2})` },
          'event_time (UTC)',
        ),
        points
          .filter((p) => !p.late)
          .map((p) =>
            svg(
              'circle',
              {
                cx: sx(p.process),
                cy: sy(p.event),
                r: 4,
                fill: PARTITION_COLOURS[p.partition % PARTITION_COLOURS.length],
                class: 'pt',
                onclick: () => exo.traceFor(p.record.correlation_id),
              },
              svg(
                'title',
                null,
                `p${p.partition} seq ${p.record.seq} ${p.record.event_kind}\nevent ${p.record.event_time}\nprocess ${p.record.process_time}\n${p.record.correlation_id}`,
              ),
            ),
          ),
        points
          .filter((p) => p.late)
          .map((p) => {
            const cx = sx(p.process);
            const cy = sy(p.event);
            return svg(
              'path',
              {
                d: `M${cx} ${cy - 7}L${cx + 7} ${cy}L${cx} ${cy + 7}L${cx - 7} ${cy}Z`,
                class: 'pt pt-late',
                dataset: { late: 'true' },
                onclick: () => exo.traceFor(p.record.correlation_id),
              },
              svg(
                'title',
                null,
                `OUT OF ORDER by ${formatDuration(p.lateBy)} — p${p.partition} seq ${p.record.seq} ${p.record.event_kind}\nevent ${p.record.event_time}\nprocess ${p.record.process_time}\n${p.record.correlation_id}`,
              ),
            );
          }),
      );
      replaceChildren('time-chart', chart);
      const partitions = [...new Set(points.map((p) => p.partition))].sort((a, b) => a - b);
      const late = exo.runCounts(model.records, model.runFacts.value).out_of_order;
      replaceChildren(
        'time-legend',
        partitions.map((p) =>
          el('span', { class: 'legend-item' }, el('span', { class: 'swatch', style: `background:${PARTITION_COLOURS[p % PARTITION_COLOURS.length]}` }), `partition ${p}`),
        ),
        el('span', { class: 'legend-item' }, el('span', { class: 'swatch swatch-late' }), `out of order (${late} input${late === 1 ? '' : 's'})`),
        el('span', { class: 'legend-item' }, el('span', { class: 'swatch swatch-gap' }), `process-time gap > ${formatDuration(threshold)} (${gaps.length})`),
        el('span', { class: 'legend-item muted' }, 'Click a point to trace it.'),
      );
    }
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

  Object.assign(exo, { renderTimeModel });
})();
