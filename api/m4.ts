/**
 * M4 downsampling (Jugel et al., "M4: A Visualization-Oriented Time Series Data Aggregation", VLDB 2014):
 * per pixel column keep the first, last, minimum and maximum sample, so a line chart of the result
 * draws the same pixels as one of every sample. Streaming: samples go in one at a time, ascending by
 * time; memory is O(columns). Gaps are explicit: a column with no sample between two that have some
 * becomes a `null` point (a chart breaks its line there). When the series holds at most 4 samples per
 * column on average, the raw samples are returned instead, with gap markers where a step exceeds
 * `RAW_GAP_FACTOR` × the median step (`withGapMarkers`, as in raw snapshots).
 */
import { withGapMarkers } from '../builder/render.js';
import type { RawPoint } from '../builder/types.js';

interface Column {
  first: RawPoint;
  last: RawPoint;
  min: RawPoint;
  max: RawPoint;
}

/** One series' M4 downsampler over `[fromMs, toMs]` split into `columns` equal columns. */
export class M4 {
  private readonly cols = new Map<number, Column>();
  private raw: RawPoint[] | undefined = [];
  count = 0;
  newest: { tsMs: number; value: number } | undefined;

  constructor(private readonly fromMs: number, private readonly toMs: number, private readonly columns: number) {}

  private columnOf(tsMs: number): number {
    const width = (this.toMs - this.fromMs + 1) / this.columns;
    return Math.min(this.columns - 1, Math.floor((tsMs - this.fromMs) / width));
  }

  /** Add one sample (ascending `tsMs`, inside `[fromMs, toMs]`). */
  add(tsMs: number, value: number): void {
    const p = { tsMs, value };
    this.count++;
    this.newest = p;
    if (this.raw) {
      this.raw.push(p);
      if (this.raw.length > 4 * this.columns) this.raw = undefined;
    }
    const c = this.columnOf(tsMs);
    const col = this.cols.get(c);
    if (!col) {
      this.cols.set(c, { first: p, last: p, min: p, max: p });
      return;
    }
    col.last = p;
    if (value < (col.min.value as number)) col.min = p;
    if (value > (col.max.value as number)) col.max = p;
  }

  /** The downsampled points, ascending by time, with `null` gap markers; and whether they are the raw samples. */
  result(): { points: RawPoint[]; isRaw: boolean } {
    if (this.raw) return { points: withGapMarkers(this.raw), isRaw: true };
    const points: RawPoint[] = [];
    const width = (this.toMs - this.fromMs + 1) / this.columns;
    let prevCol: number | undefined;
    for (const c of [...this.cols.keys()].sort((a, b) => a - b)) {
      if (prevCol !== undefined && c > prevCol + 1) {
        const lastMs = points[points.length - 1].tsMs;
        points.push({ tsMs: Math.max(lastMs + 1, Math.ceil(this.fromMs + (prevCol + 1) * width)), value: null });
      }
      const col = this.cols.get(c)!;
      const four = [col.first, col.min, col.max, col.last].sort((a, b) => a.tsMs - b.tsMs);
      for (const p of four) if (points.length === 0 || points[points.length - 1].tsMs !== p.tsMs) points.push(p);
      prevCol = c;
    }
    return { points, isRaw: false };
  }
}
