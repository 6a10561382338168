// @ts-check
// ExoArmur evidence viewer: time axes for the time model's charts: parsing and formatting times and durations, "nice" tick steps, a
// window that keeps far outliers from squeezing the rest, a process-time axis broken at pauses, and ticks whose labels never overlap.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis).exoViewer;

  const SECOND = 1000;
  const MINUTE = 60 * SECOND;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  /** Tick and bin steps a reader can add up in their head. */
  const STEPS = [
    ...[1, 2, 5, 10, 20, 50, 100, 200, 500],
    ...[1, 2, 5, 10, 15, 30].map((s) => s * SECOND),
    ...[1, 2, 5, 10, 15, 30].map((m) => m * MINUTE),
    ...[1, 2, 3, 6, 12].map((h) => h * HOUR),
    ...[1, 2, 7, 14, 30, 61, 91, 182, 365].map((d) => d * DAY),
  ];
  /** Width of one character of an 11 px axis label, rounded up, so the overlap test errs on the safe side. */
  const CHAR_PX = 7;

  function parseTime(value) {
    const ms = typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isFinite(ms) ? ms : null;
  }

  /** A duration in its largest units, down to `resolution`: "279 d 20 h 16 min", "2.2 s", "-3 min". */
  function formatSpan(ms, resolution = 1) {
    const sign = ms < 0 ? '-' : '';
    let rest = Math.abs(ms);
    if (rest < SECOND) return `${sign}${Math.round(rest)} ms`;
    if (rest < MINUTE && resolution < SECOND) return `${sign}${(rest / SECOND).toFixed(1).replace(/\.0$/, '')} s`;
    const finest = [DAY, HOUR, MINUTE, SECOND].find((u) => u <= resolution) ?? SECOND;
    const parts = [];
    for (const [unit, name] of /** @type {Array<[number, string]>} */ ([
      [DAY, 'd'],
      [HOUR, 'h'],
      [MINUTE, 'min'],
      [SECOND, 's'],
    ])) {
      if (unit < finest && parts.length > 0) break;
      const n = Math.floor(rest / unit);
      rest -= n * unit;
      if (n > 0) parts.push(`${n} ${name}`);
    }
    return `${sign}${parts.join(' ') || '0 s'}`;
  }

  const formatDuration = (ms) => formatSpan(ms, ms < MINUTE ? 1 : SECOND);

  /** The smallest step of STEPS that cuts `span` into at most `count` pieces. */
  function niceStep(span, count) {
    const wanted = span / Math.max(1, count);
    return STEPS.find((s) => s >= wanted) ?? Math.ceil(wanted / (365 * DAY)) * 365 * DAY;
  }

  /** A UTC clock label as fine as `step`; with the date when the axis crosses midnight. */
  function clockLabel(ms, step, withDate) {
    const iso = new Date(ms).toISOString();
    const date = iso.slice(5, 10);
    if (step >= DAY) return date;
    const clock = step >= MINUTE ? iso.slice(11, 16) : step >= SECOND ? iso.slice(11, 19) : iso.slice(11, 23);
    return withDate ? `${date} ${clock}` : clock;
  }

  const labelWidth = (text) => String(text).length * CHAR_PX + 12;

  /** Tick candidates ({x, label}) thinned left to right so that no two labels (centred on x) overlap, nor leave [x0, x1]. */
  function spacedTicks(candidates, x0, x1, taken = []) {
    const boxes = taken.map((t) => [t.x - labelWidth(t.label) / 2, t.x + labelWidth(t.label) / 2]);
    const kept = [];
    for (const tick of [...candidates].sort((a, b) => a.x - b.x)) {
      const half = labelWidth(tick.label) / 2;
      const box = [tick.x - half, tick.x + half];
      if (box[0] < x0 || box[1] > x1) continue;
      if (boxes.some(([a, b]) => box[0] < b && a < box[1])) continue;
      boxes.push(box);
      kept.push(tick);
    }
    return kept;
  }

  /** Multiples of `step` in [lo, hi]. */
  function stepsIn(lo, hi, step) {
    const out = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) out.push(t);
    return out;
  }

  /**
   * The range that holds the bulk of `values`: the 1st to 99th percentile widened by its spread
   * on each side (so an evenly spread run keeps every value), at least `minSpan` wide. Values beyond it
   * are returned apart, to be drawn as counts at the edges instead of squeezing the rest to a line.
   */
  function robustWindow(values, minSpan) {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
    const spread = at(0.99) - at(0.01);
    // Then shrunk to the values it holds, so no empty stretch is drawn up to the bound.
    const inside = sorted.filter((v) => v >= at(0.01) - spread && v <= at(0.99) + spread);
    let lo = inside[0];
    let hi = inside.at(-1);
    if (hi - lo < minSpan) {
      const mid = (lo + hi) / 2;
      [lo, hi] = [mid - minSpan / 2, mid + minSpan / 2];
    }
    return { lo, hi, below: sorted.filter((v) => v < lo), above: sorted.filter((v) => v > hi) };
  }

  /** Pauses in processing: gaps between consecutive process times far longer than the run's typical spacing. */
  function processPauses(times) {
    const sorted = [...new Set(times)].sort((a, b) => a - b);
    const deltas = sorted
      .slice(1)
      .map((t, i) => t - sorted[i])
      .sort((a, b) => a - b);
    const median = deltas.length > 0 ? deltas[Math.floor(deltas.length / 2)] : 0;
    const threshold = Math.max(2000, median * 20);
    const gaps = [];
    for (let i = 1; i < sorted.length; i++) if (sorted[i] - sorted[i - 1] > threshold) gaps.push({ from: sorted[i - 1], to: sorted[i] });
    return { gaps, threshold };
  }

  /**
   * A time axis over [x0, x1] broken at `gaps`: each gap gets a fixed narrow width so a pause stays
   * visible without squeezing the stretches on either side, which share the rest by their length.
   * Returns the scale, its stretches ({a, b, x0, x1}) and the drawn gaps ({from, to, x0, x1}).
   */
  function brokenScale(times, gaps, x0, x1) {
    const sorted = [...new Set(times)].sort((a, b) => a - b);
    const stretches = [];
    let start = sorted[0];
    for (const gap of gaps) {
      stretches.push([start, gap.from]);
      start = gap.to;
    }
    stretches.push([start, sorted.at(-1)]);
    const gapWidth = gaps.length > 0 ? Math.min(60, (x1 - x0) / (5 * gaps.length)) : 0;
    const available = x1 - x0 - gapWidth * gaps.length;
    const total = stretches.reduce((sum, [a, b]) => sum + (b - a), 0);
    const minWidth = Math.min(24, available / stretches.length);
    const flexible = available - minWidth * stretches.length;
    const layout = [];
    let x = x0;
    for (const [a, b] of stretches) {
      const w = minWidth + (total > 0 ? (flexible * (b - a)) / total : flexible / stretches.length);
      layout.push({ a, b, x0: x, x1: x + w });
      x += w + gapWidth;
    }
    const scale = (t) => {
      const s = layout.find((seg) => t <= seg.b) ?? layout.at(-1);
      if (t < s.a) return s.x0 - gapWidth / 2;
      return s.b === s.a ? (s.x0 + s.x1) / 2 : s.x0 + ((t - s.a) / (s.b - s.a)) * (s.x1 - s.x0);
    };
    const drawnGaps = gaps.map((g, i) => ({ ...g, x0: layout[i].x1, x1: layout[i + 1].x0 }));
    return { scale, stretches: layout, gaps: drawnGaps };
  }

  Object.assign(exo, {
    SECOND,
    MINUTE,
    HOUR,
    DAY,
    parseTime,
    formatSpan,
    formatDuration,
    niceStep,
    clockLabel,
    labelWidth,
    spacedTicks,
    stepsIn,
    robustWindow,
    processPauses,
    brokenScale,
  });
})();
