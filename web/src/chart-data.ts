/**
 * Turns one payload series into the columns a chart draws: x in epoch seconds (uPlot's time unit),
 * avg/min/max (gauges) or sum (counters), count per bucket, all converted to the display unit.
 * Pure. Stored units are canonical (Pa); only the display converts (Pa → hPa).
 */
import { METRICS, isMetric } from '../../builder/metrics.js';
import type { BucketPoint, Payload, PayloadSeries, RawPoint } from '../../builder/types.js';

/** Display conversions of stored units: value × factor, shown with `unit`. */
const DISPLAY_UNITS: Readonly<Record<string, { unit: string; factor: number }>> = {
  Pa: { unit: 'hPa', factor: 0.01 },
};

/**
 * How a series is drawn: `band` = avg line over a min–max band; `bars` = counter sums; `points` = raw
 * samples; `bearings` = a circular series' per-bucket circular mean as dots (no line and no band:
 * bearings wrap at north, so a line from 350° to 10° or a 10°–350° band would mislead).
 */
export type ChartStyle = 'band' | 'bars' | 'points' | 'bearings';

/** Columns for one chart. Every array has one entry per point; `null` is a gap (empty bucket). */
export interface ChartSeries {
  readonly id: string;
  readonly metric: string;
  /** People's name: METRICS label, else the metric name. */
  readonly label: string;
  /** Unit as displayed (hPa for Pa). */
  readonly unit: string;
  readonly style: ChartStyle;
  /** epoch seconds: bucket starts, or sample times for raw payloads. */
  readonly xS: number[];
  /** The drawn value: avg (gauge), sum (counter) or the raw sample value. */
  readonly value: (number | null)[];
  /** Bucket min/max; equal to `value` for raw samples. */
  readonly min: (number | null)[];
  readonly max: (number | null)[];
  /** Samples per bucket; 1 for raw samples. */
  readonly count: number[];
  /** Number of empty buckets (count 0), or gap markers in raw samples. */
  readonly gaps: number;
  /** The newest raw sample (payload `latest`, display unit), when the payload carries it. */
  readonly latest: { tsMs: number; value: number } | undefined;
}

/** Display preferences: temperatures in °F instead of the stored °C. */
export interface DisplayPrefs {
  readonly fahrenheit?: boolean;
  /** Draw gauges that share a display unit in one chart (bucketed, raw and zoomed views). */
  readonly overlay?: boolean;
}

/** The display unit of a stored unit: shown value = stored × factor + offset (°C → °F: × 1.8 + 32 when `prefs.fahrenheit`). */
export function displayUnit(unit: string, prefs: DisplayPrefs = {}): { unit: string; factor: number; offset: number } {
  if (unit === '°C' && prefs.fahrenheit) return { unit: '°F', factor: 1.8, offset: 32 };
  const d = DISPLAY_UNITS[unit];
  return d ? { ...d, offset: 0 } : { unit, factor: 1, offset: 0 };
}

function scaled(v: number | null, factor: number, offset = 0): number | null {
  return v === null ? null : factor === 1 && offset === 0 ? v : v * factor + offset;
}

function isRawPoints(points: PayloadSeries['points'], resolution: Payload['resolution']): points is RawPoint[] {
  return resolution === 'raw';
}

/**
 * Columns for `series` of a payload with the given `resolution`.
 * Raw samples are sorted by time (the builder sends them sorted; this is cheap insurance).
 */
export function toChartSeries(series: PayloadSeries, resolution: Payload['resolution'], prefs: DisplayPrefs = {}): ChartSeries {
  const { unit, factor, offset } = displayUnit(series.unit, prefs);
  const label = isMetric(series.metric) ? METRICS[series.metric].label : series.metric;
  const latest = series.latest ? { tsMs: series.latest.tsMs, value: scaled(series.latest.value, factor, offset)! } : undefined;
  const base = { id: series.id, metric: series.metric, label, unit, latest };
  if (isRawPoints(series.points, resolution)) {
    const pts = [...series.points].sort((a, b) => a.tsMs - b.tsMs);
    const value = pts.map((p) => scaled(p.value, factor, offset));
    return {
      ...base, style: 'points', xS: pts.map((p) => p.tsMs / 1000), value, min: value, max: value,
      count: pts.map((p) => (p.value === null ? 0 : 1)), gaps: pts.filter((p) => p.value === null).length,
    };
  }
  const pts = series.points as BucketPoint[];
  const isCounter = series.kind === 'counter';
  const empty = (p: BucketPoint) => p.count === 0;
  return {
    ...base,
    style: isCounter ? 'bars' : series.kind === 'circular' ? 'bearings' : 'band',
    xS: pts.map((p) => p.startMs / 1000),
    value: pts.map((p) => (empty(p) ? null : isCounter ? scaled(p.sum, factor) : scaled(p.avg, factor, offset))),
    min: pts.map((p) => (empty(p) ? null : scaled(p.min, factor, offset))),
    max: pts.map((p) => (empty(p) ? null : scaled(p.max, factor, offset))),
    count: pts.map((p) => p.count),
    gaps: pts.filter(empty).length,
  };
}

/**
 * Indices of values with no non-null neighbour (a bucket between two gaps, or at an edge next to a
 * gap): a line cannot show them, so the chart marks them with a dot.
 */
export function isolatedIndices(values: ReadonlyArray<number | null>): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) continue;
    const left = i > 0 && values[i - 1] !== null;
    const right = i < values.length - 1 && values[i + 1] !== null;
    if (!left && !right) out.push(i);
  }
  return out;
}

/**
 * Fraction digits to show for values spanning `[lo, hi]`: enough to tell neighbouring ticks apart,
 * at most 3 (e.g. 21.3 °C, 1013.2 hPa, 0.125 mm).
 */
export function fractionDigits(lo: number, hi: number): number {
  const span = Math.abs(hi - lo);
  if (!Number.isFinite(span) || span >= 100) return 0;
  if (span >= 10) return 1;
  if (span >= 0.5) return 1;
  if (span >= 0.05) return 2;
  return 3;
}

/** Format a value with its unit for tooltips and captions: `21.3 °C`, `1013.2 hPa`, `—` for gaps. */
export function formatValue(v: number | null, unit: string, digits: number): string {
  if (v === null || !Number.isFinite(v)) return '—';
  const n = v.toFixed(digits);
  return unit ? `${n} ${unit}` : n;
}
