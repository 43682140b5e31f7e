/**
 * One chart card per series, drawn with uPlot: avg line over a min–max band (gauges), bars of the
 * bucket sum (counters), points joined by lines (raw samples). Null buckets are gaps. The tooltip
 * shows the bucket's time, avg, min, max and count; the width follows the container (ResizeObserver).
 * The card carries `data-points` (points drawn, read back from uPlot) for tests and tools.
 */
import uPlot from 'uplot';
import { fractionDigits, formatValue, isolatedIndices, type ChartSeries } from './chart-data.js';
import { h } from './dom.js';

const PLOT_HEIGHT_PX = 220;
const MIN_WIDTH_PX = 280;

interface Palette { LINE: string; BAND_FILL: string; BAR_FILL: string; EDGE: string; AXIS: string; GRID: string }
/**
 * Chart colours from the page's CSS variables, read when a chart is drawn. The variables hold
 * `light-dark(…, …)` (styles.css), which a canvas cannot parse, so each is resolved through a probe
 * element's computed `color` in the theme now in force (`rgb(…)`/`rgba(…)`).
 */
function palette(): Palette {
  const probe = typeof document === 'undefined' ? undefined : document.documentElement.appendChild(document.createElement('span'));
  const v = (name: string, fallback: string) => {
    if (!probe) return fallback;
    probe.style.color = `var(${name}, ${fallback})`;
    return getComputedStyle(probe).color || fallback;
  };
  try {
    return colours(v);
  } finally {
    probe?.remove();
  }
}

function colours(v: (name: string, fallback: string) => string): Palette {
  return {
    LINE: v('--chart-line', '#0b57a4'), BAND_FILL: v('--chart-band', 'rgba(11, 87, 164, 0.16)'), BAR_FILL: v('--chart-bar', 'rgba(11, 87, 164, 0.55)'),
    EDGE: v('--chart-edge', 'rgba(11, 87, 164, 0.35)'), AXIS: v('--chart-axis', '#3b4350'), GRID: v('--chart-grid', 'rgba(59, 67, 80, 0.12)'),
  };
}

const timeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const shortTimeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** A rendered chart: destroy it before dropping the card. */
export interface ChartView {
  readonly card: HTMLElement;
  destroy(): void;
}

/** Lowest and highest drawn value: bucket min/max for gauges, the sums for counters. */
function extent(cs: ChartSeries): [number, number] {
  const lows = cs.style === 'bars' || cs.style === 'bearings' ? cs.value : cs.min;
  const highs = cs.style === 'bars' || cs.style === 'bearings' ? cs.value : cs.max;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < cs.xS.length; i++) {
    const a = lows[i];
    const b = highs[i];
    if (a !== null && a < lo) lo = a;
    if (b !== null && b > hi) hi = b;
  }
  return [lo, hi];
}

/** Fraction digits for this chart: none when every value is whole (counts), else by span. */
function digitsFor(cs: ChartSeries, lo: number, hi: number): number {
  const isWhole = cs.value.every((v) => v === null || Number.isInteger(v));
  return isWhole && cs.style !== 'band' ? 0 : fractionDigits(lo, hi);
}

function lastValue(cs: ChartSeries): { i: number; v: number } | undefined {
  for (let i = cs.value.length - 1; i >= 0; i--) {
    const v = cs.value[i];
    if (v !== null) return { i, v };
  }
  return undefined;
}

function seriesOpts(cs: ChartSeries): { series: uPlot.Series[]; bands: uPlot.Band[]; data: uPlot.AlignedData } {
  const { LINE, BAR_FILL, EDGE, BAND_FILL } = palette();
  if (cs.style === 'bearings') {
    return {
      series: [{}, { label: 'circular mean', stroke: LINE, width: 0, paths: () => null, points: { show: true, size: 5, fill: LINE }, spanGaps: false }],
      bands: [],
      data: [cs.xS, cs.value],
    };
  }
  if (cs.style === 'points') {
    return {
      series: [{}, { label: 'value', stroke: LINE, width: 1.5, points: { show: true, size: 4, fill: LINE }, spanGaps: false }],
      bands: [],
      data: [cs.xS, cs.value],
    };
  }
  if (cs.style === 'bars') {
    const bars = uPlot.paths.bars?.({ size: [0.8, 24] });
    return {
      series: [{}, { label: 'sum', stroke: LINE, fill: BAR_FILL, width: 1, paths: bars, points: { show: false } }],
      bands: [],
      data: [cs.xS, cs.value],
    };
  }
  const lonely = isolatedIndices(cs.value);
  return {
    series: [
      {},
      { label: 'max', stroke: EDGE, width: 1, points: { show: lonely.length > 0, filter: lonely, size: 4, fill: EDGE } },
      { label: 'min', stroke: EDGE, width: 1, points: { show: lonely.length > 0, filter: lonely, size: 4, fill: EDGE } },
      // Buckets between gaps get a dot: a line through one point draws nothing.
      { label: 'avg', stroke: LINE, width: 2, points: { show: lonely.length > 0, filter: lonely, size: 6, fill: LINE } },
    ],
    bands: [{ series: [1, 2], fill: BAND_FILL }],
    data: [cs.xS, cs.max, cs.min, cs.value],
  };
}

/** y-axis width in px: room for the longest tick label (≈ 7 px per character at 12 px) plus ticks and gap. */
function axisSize(_u: uPlot, values: string[] | null): number {
  const longest = values?.reduce((n, v) => Math.max(n, v.length), 0) ?? 4;
  return Math.max(44, longest * 7 + 22);
}

function tooltipLines(cs: ChartSeries, i: number, bucketMs: number | null, digits: number): string[] {
  const startMs = cs.xS[i] * 1000;
  const when = bucketMs
    ? `${timeFmt.format(startMs)} – ${shortTimeFmt.format(startMs + bucketMs)}`
    : timeFmt.format(startMs);
  const f = (v: number | null) => formatValue(v, cs.unit, digits);
  if (cs.style === 'points') return [when, `value ${f(cs.value[i])}`];
  if (cs.count[i] === 0) return [when, 'no samples (gap)'];
  if (cs.style === 'bars') return [when, `sum ${f(cs.value[i])}`, `count ${cs.count[i]}`];
  if (cs.style === 'bearings') return [when, `circular mean ${f(cs.value[i])}`, `lowest ${f(cs.min[i])}`, `highest ${f(cs.max[i])}`, `count ${cs.count[i]}`];
  return [when, `avg ${f(cs.value[i])}`, `min ${f(cs.min[i])}`, `max ${f(cs.max[i])}`, `count ${cs.count[i]}`];
}

function legend(cs: ChartSeries): HTMLElement {
  const gaps = cs.gaps ? h('span', { class: 'gaps' }, `${cs.gaps} gap${cs.gaps === 1 ? '' : 's'} in the samples`) : '';
  if (cs.style === 'points') return h('p', { class: 'legend' }, h('span', { class: 'swatch dot' }), 'raw samples', gaps);
  if (cs.style === 'bars') return h('p', { class: 'legend' }, h('span', { class: 'swatch bar' }), 'sum per bucket');
  if (cs.style === 'bearings') return h('p', { class: 'legend' }, h('span', { class: 'swatch dot' }), 'circular mean per bucket (0° = N, clockwise; no band: bearings wrap at north)');
  return h('p', { class: 'legend' },
    h('span', { class: 'swatch line' }), 'average', h('span', { class: 'swatch band' }), 'min–max range',
    cs.gaps ? h('span', { class: 'gaps' }, `${cs.gaps} empty bucket${cs.gaps === 1 ? '' : 's'} drawn as gaps`) : '');
}

const FONT = '12px system-ui, sans-serif';

/** Moves the tooltip to the cursor's bucket (or hides it); flips to the left in the right half. */
function tooltipHook(tip: HTMLElement, cs: ChartSeries, bucketMs: number | null, digits: number): (u: uPlot) => void {
  return (u) => {
    const i = u.cursor.idx;
    const left = u.cursor.left;
    if (i === null || i === undefined || left === undefined || left < 0) {
      tip.hidden = true;
      return;
    }
    tip.replaceChildren(...tooltipLines(cs, i, bucketMs, digits).map((t, k) => h(k ? 'span' : 'strong', {}, t)));
    tip.hidden = false;
    const flip = left > u.over.clientWidth / 2;
    tip.style.left = flip ? '' : `${left + 12}px`;
    tip.style.right = flip ? `${u.over.clientWidth - left + 12}px` : '';
  };
}

/** Tick labels with as many fraction digits as the tick step needs (0.5 → 1, 2 → 0, 0.05 → 2; at most 3). */
function tickLabels(splits: number[]): string[] {
  const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : 1;
  const digits = step > 0 ? Math.min(3, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : 0;
  const needsMore = splits.some((v) => Math.abs(Number(v.toFixed(digits)) - v) > step / 1000);
  return splits.map((v) => v.toFixed(needsMore ? Math.min(3, digits + 1) : digits));
}

/** Line colours of overlaid series, after the theme's line colour (distinct in light and dark). */
const OVERLAY_COLOURS = ['#d9480f', '#2b8a3e', '#862e9c', '#c2255c'];

/**
 * One card drawing several series that share a display unit, each in its own colour, with a legend
 * naming them: the average lines of bucketed series, or raw samples (dots joined by lines). Series
 * with different sample times are aligned on the union of their times (`uPlot.join`): a time another
 * series lacks is spanned, while a series' own `null` (an outage, an empty bucket) stays a break from
 * its last value before to its first after (join's "expand" mode: the other series' times inside the
 * outage are gaps too, else the line would run into the hole up to the neighbours of the null).
 * `data-points` is the number of aligned times; `data-breaks` lists each break as drawn,
 * `<series id> <from ISO>/<to ISO>` one per line (see `breaksOf`); `data-gaps` counts them.
 * @param onZoom a drag across the plot picks a time range, as on single charts.
 * @returns undefined for fewer than 2 series.
 */
export function renderOverlay(parent: HTMLElement, list: readonly ChartSeries[], timeAxisLabel: string, onZoom?: (fromMs: number, toMs: number) => void): ChartView | undefined {
  if (list.length < 2) return undefined;
  const EXPAND = 2 as uPlot.JoinNullMode; // uPlot.JoinNullMode.Expand (a const enum: no runtime value to import)
  const data = uPlot.join(list.map((cs) => [cs.xS, cs.value] as uPlot.AlignedData), list.map(() => [EXPAND, EXPAND]));
  const x = data[0] as number[];
  const isRaw = list.every((cs) => cs.style === 'points');
  const { LINE, AXIS, GRID } = palette();
  const colours = [LINE, ...OVERLAY_COLOURS];
  const unit = list[0].unit;
  const plot = h('div', { class: 'plot', role: 'img', 'aria-label': `${list.map((c) => c.id).join(', ')} overlaid (${unit})` });
  const legendItems = list.map((cs, i) => h('span', { class: 'overlay-item' }, h('span', { class: 'swatch line', style: `background:${colours[i % colours.length]}` }), cs.id));
  const node = h('section', { class: 'chart-card', 'data-overlay': list.map((c) => c.id).join(' '), 'data-style': 'overlay' },
    h('h2', {}, `${list[0].label} (${unit})`, h('span', { class: 'series-id' }, `${list.length} series overlaid${isRaw ? ', raw samples' : ''}`)),
    plot, h('p', { class: 'legend' }, ...legendItems));
  parent.append(node);
  const axis = { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID }, labelSize: 20, font: FONT, labelFont: FONT };
  const widthPx = () => Math.max(MIN_WIDTH_PX, plot.clientWidth);
  const u = new uPlot({
    width: widthPx(), height: PLOT_HEIGHT_PX, legend: { show: false },
    series: [{}, ...list.map((cs, i) => {
      const stroke = colours[i % colours.length];
      return isRaw
        ? { label: cs.id, stroke, width: 1.5, spanGaps: false, points: { show: true, size: 3, fill: stroke } }
        : { label: cs.id, stroke, width: 2, spanGaps: false };
    })],
    cursor: { drag: { x: onZoom !== undefined, y: false, setScale: false } },
    scales: { x: { time: true } },
    axes: [{ ...axis, label: timeAxisLabel }, { ...axis, label: unit, size: axisSize, values: (_u: uPlot, splits: number[]) => tickLabels(splits) }],
    hooks: onZoom ? { setSelect: [selectHook(onZoom)] } : {},
  }, data, plot);
  node.dataset.points = String(x.length);
  const breaks = breaksOf(list, x, data.slice(1) as Array<Array<number | null | undefined>>);
  node.dataset.breaks = breaks.join('\n');
  node.dataset.gaps = String(breaks.length);
  const resize = new ResizeObserver(() => {
    if (widthPx() !== u.width) u.setSize({ width: widthPx(), height: PLOT_HEIGHT_PX });
  });
  resize.observe(plot);
  return { card: node, destroy() { resize.disconnect(); u.destroy(); node.remove(); } };
}

/**
 * Each run of `null` in the aligned columns as uPlot draws it, `<id> <from>/<to>` (ISO; `start`/`end` at an
 * edge): uPlot clips a line between the neighbours of a null run, whatever they hold, so `from`/`to` are
 * the times of the aligned points just before and after the run.
 */
function breaksOf(list: readonly ChartSeries[], x: readonly number[], columns: ReadonlyArray<ReadonlyArray<number | null | undefined>>): string[] {
  const iso = (i: number) => new Date(x[i] * 1000).toISOString();
  const out: string[] = [];
  columns.forEach((col, k) => {
    for (let i = 0; i < col.length; i++) {
      if (col[i] !== null) continue;
      let j = i;
      while (j < col.length && col[j] === null) j++;
      out.push(`${list[k].id} ${i === 0 ? 'start' : iso(i - 1)}/${j < col.length ? iso(j) : 'end'}`);
      i = j - 1;
    }
  });
  return out;
}

/** A drag across the plot picks a time range: `onZoom(fromMs, toMs)`; the selection box is cleared (the page redraws from the range endpoint). */
function selectHook(onZoom: (fromMs: number, toMs: number) => void): (u: uPlot) => void {
  return (u) => {
    const { left, width } = u.select;
    if (width < 4) return;
    const fromS = u.posToVal(left, 'x');
    const toS = u.posToVal(left + width, 'x');
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    onZoom(Math.round(fromS * 1000), Math.round(toS * 1000));
  };
}

function plotOptions(cs: ChartSeries, widthPx: number, timeAxisLabel: string, onCursor: (u: uPlot) => void, onZoom?: (fromMs: number, toMs: number) => void): uPlot.Options {
  const { series, bands } = seriesOpts(cs);
  const { AXIS, GRID } = palette();
  const axis = { stroke: AXIS, grid: { stroke: GRID }, ticks: { stroke: GRID }, labelSize: 20, font: FONT, labelFont: FONT };
  return {
    width: widthPx,
    height: PLOT_HEIGHT_PX,
    series,
    bands,
    legend: { show: false },
    cursor: { drag: { x: onZoom !== undefined, y: false, setScale: false }, points: { size: 7 } },
    // Bars grow from zero; gauges use uPlot's automatic range.
    scales: cs.style === 'bars' ? { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } } : { x: { time: true } },
    axes: [
      { ...axis, label: timeAxisLabel },
      { ...axis, label: cs.unit || cs.label, size: axisSize, values: (_u, splits) => tickLabels(splits) },
    ],
    hooks: { setCursor: [onCursor], ...(onZoom ? { setSelect: [selectHook(onZoom)] } : {}) },
  };
}

function card(cs: ChartSeries, summary: string, plot: HTMLElement): HTMLElement {
  const headingId = `chart-${cs.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return h('section', { class: 'chart-card', 'aria-labelledby': headingId, 'data-series-id': cs.id, 'data-style': cs.style },
    h('h2', { id: headingId }, cs.label + (cs.unit ? ` (${cs.unit})` : ''), h('span', { class: 'series-id' }, cs.id)),
    h('p', { class: 'summary' }, summary),
    plot,
    legend(cs));
}

/**
 * Render `cs` into a new card appended to `parent`.
 * @param bucketMs bucket width (for the tooltip's time range), `null` for raw samples.
 * @param timeAxisLabel e.g. `Local time (UTC+02:00)`.
 */
export function renderChart(
  parent: HTMLElement, cs: ChartSeries, bucketMs: number | null, timeAxisLabel: string, warning?: string, onZoom?: (fromMs: number, toMs: number) => void,
): ChartView {
  const [lo, hi] = extent(cs);
  const digits = digitsFor(cs, lo, hi);
  const last = lastValue(cs);
  const f = (v: number) => formatValue(v, cs.unit, digits);
  const latest = cs.latest ? `Latest ${f(cs.latest.value)} at ${timeFmt.format(cs.latest.tsMs)}` : last ? `Latest ${f(last.v)}` : '';
  const summary = last ? `${latest} · lowest ${f(lo)} · highest ${f(hi)}` : 'No samples in this window.';
  const plot = h('div', { class: 'plot', role: 'img', 'aria-label': `${cs.label} chart. ${summary}` });
  const tip = h('div', { class: 'tooltip', hidden: true });
  const node = card(cs, summary, plot);
  if (warning) {
    node.dataset.silent = 'true';
    node.querySelector('.summary')!.after(h('p', { class: 'silent', role: 'status' }, `Sensor silent: ${warning}.`));
  }
  parent.append(node);
  const widthPx = () => Math.max(MIN_WIDTH_PX, plot.clientWidth);
  const u = new uPlot(plotOptions(cs, widthPx(), timeAxisLabel, tooltipHook(tip, cs, bucketMs, digits), onZoom), seriesOpts(cs).data, plot);
  u.over.append(tip);
  node.dataset.points = String(u.data[0].length);
  node.dataset.gaps = String(cs.gaps);
  node.dataset.lineColour = palette().LINE;
  const resize = new ResizeObserver(() => {
    if (widthPx() !== u.width) u.setSize({ width: widthPx(), height: PLOT_HEIGHT_PX });
  });
  resize.observe(plot);
  return {
    card: node,
    destroy() {
      resize.disconnect();
      u.destroy();
      node.remove();
    },
  };
}
