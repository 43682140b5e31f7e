/**
 * Per-series fault profile of an import: counts of each fault kind with the first few locations,
 * and the time-step analysis (back-steps, zero steps, short steps under 1/`SHORT_STEP_DIVISOR` of the
 * median positive step, gaps longer than `GAP_FACTOR` × it). Steps are taken between consecutive rows in input
 * order (files in path order), over every row with a readable timestamp, whether or not its value
 * was stored. Pure.
 */

/**
 * Fault kinds counted per series. `duplicate` = already stored (same series and tsMs) before this
 * import; `repeat` = a row of this import at an instant read before, with the same value (stored
 * once); `conflict` = the same, with another value (`--duplicates` decides which is stored);
 * `invalidCode` = a value the logger writes to mean "no reading" (`--invalid`, DS18B20 defaults).
 */
export type FaultKind = 'malformed' | 'empty' | 'invalidCode' | 'outOfRange' | 'conflict' | 'repeat' | 'duplicate' | 'nonMonotonic' | 'zeroStep' | 'shortStep' | 'gap';
export const FAULT_KINDS: readonly FaultKind[] = ['malformed', 'empty', 'invalidCode', 'outOfRange', 'conflict', 'repeat', 'duplicate', 'nonMonotonic', 'zeroStep', 'shortStep', 'gap'];

/** Locations kept per fault kind. */
export const FIRST_LOCATIONS = 5;
/** A gap is a step longer than this many typical (median positive) intervals. */
export const GAP_FACTOR = 5;
/**
 * A short step is a positive step shorter than the typical (median positive) interval divided by
 * this (double samples, wake-up bursts): 60 s at a 600 s cadence, 1 s at 10 s. Relative, so a
 * logger with a 1–15 s cadence is not flagged on every row.
 */
export const SHORT_STEP_DIVISOR = 10;

/** Where a row came from: `file:line` plus an optional detail (`9510.393`, `-7.85 h`). */
export type Location = string;

export interface SeriesReport {
  seriesId: string;
  metric: string;
  unit: string;
  /** Unit of the source column before conversion (`hPa`). */
  sourceUnit: string;
  /** Plausible range applied, canonical unit, inclusive. */
  range: { min: number; max: number };
  rowsRead: number;
  stored: number;
  counts: Record<FaultKind, number>;
  /** First `FIRST_LOCATIONS` locations per fault kind (duplicates carry none: the buffer reports counts). */
  firstLocations: Partial<Record<FaultKind, Location[]>>;
  /** Median positive step in ms; undefined with fewer than two timestamps. */
  typicalIntervalMs?: number;
  /** Steps below this (ms, `typicalIntervalMs / SHORT_STEP_DIVISOR`) count as `shortStep`; undefined without steps. */
  shortStepThresholdMs?: number;
  longestGapMs?: number;
  /** Largest step back in time, ms (positive number). */
  longestBackStepMs?: number;
  firstTsMs?: number;
  lastTsMs?: number;
}

/** A duration as people read it: `549.01 d` (from 2 d), `9.35 h`, `37.5 min`, `2.214 s`. */
export const formatDuration = (ms: number): string =>
  ms >= 172_800_000 ? `${(ms / 86_400_000).toFixed(2)} d` : ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(2)} h` : ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(3)} s`;

/** Growable typed arrays of positive steps and where each ended. */
class StepLog {
  stepMs = new Float64Array(1024);
  file = new Uint32Array(1024);
  line = new Uint32Array(1024);
  length = 0;
  push(stepMs: number, file: number, line: number): void {
    if (this.length === this.stepMs.length) {
      const grow = <A extends Float64Array | Uint32Array>(a: A, make: (n: number) => A) => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.stepMs = grow(this.stepMs, (n) => new Float64Array(n));
      this.file = grow(this.file, (n) => new Uint32Array(n));
      this.line = grow(this.line, (n) => new Uint32Array(n));
    }
    this.stepMs[this.length] = stepMs;
    this.file[this.length] = file;
    this.line[this.length] = line;
    this.length++;
  }
}

/** Accumulates one series' profile row by row; `report()` finishes the step analysis. */
export class SeriesProfile {
  rowsRead = 0;
  stored = 0;
  readonly counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  readonly firstLocations: Partial<Record<FaultKind, Location[]>> = {};
  private prevTsMs: number | undefined;
  private longestBackStepMs: number | undefined;
  private firstTsMs: number | undefined;
  private lastTsMs: number | undefined;
  private readonly steps = new StepLog();

  constructor(
    readonly seriesId: string,
    readonly metric: string,
    readonly unit: string,
    readonly sourceUnit: string,
    readonly range: { min: number; max: number },
    /** File labels by index, shared by every profile of the import. */
    private readonly files: readonly string[],
  ) {}

  /** Count `count` faults at `file:line` (one by default), keeping the first few locations. */
  fault(kind: FaultKind, fileIndex: number, line: number, detail?: string, count = 1): void {
    this.counts[kind] += count;
    const list = (this.firstLocations[kind] ??= []);
    if (list.length < FIRST_LOCATIONS && line > 0) list.push(`${this.files[fileIndex]}:${line}${detail === undefined ? '' : ` (${detail})`}`);
  }

  /** Record a row's timestamp (in input order) for the step analysis. */
  timestamp(tsMs: number, fileIndex: number, line: number): void {
    if (this.firstTsMs === undefined || tsMs < this.firstTsMs) this.firstTsMs = tsMs;
    if (this.lastTsMs === undefined || tsMs > this.lastTsMs) this.lastTsMs = tsMs;
    const prev = this.prevTsMs;
    this.prevTsMs = tsMs;
    if (prev === undefined) return;
    const step = tsMs - prev;
    if (step < 0) {
      this.fault('nonMonotonic', fileIndex, line, `-${formatDuration(-step)}`);
      this.longestBackStepMs = Math.max(this.longestBackStepMs ?? 0, -step);
    } else if (step === 0) {
      this.fault('zeroStep', fileIndex, line);
    } else {
      this.steps.push(step, fileIndex, line);
    }
  }

  /** Finish: median positive step, short steps under median / `SHORT_STEP_DIVISOR`, gaps over `GAP_FACTOR` × median, and the totals. */
  report(): SeriesReport {
    const n = this.steps.length;
    let typicalIntervalMs: number | undefined;
    let longestGapMs: number | undefined;
    let shortStepThresholdMs: number | undefined;
    if (n > 0) {
      const sorted = this.steps.stepMs.slice(0, n).sort();
      typicalIntervalMs = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
      shortStepThresholdMs = typicalIntervalMs / SHORT_STEP_DIVISOR;
      this.counts.gap = this.counts.shortStep = 0;
      delete this.firstLocations.gap;
      delete this.firstLocations.shortStep;
      for (let i = 0; i < n; i++) {
        const step = this.steps.stepMs[i];
        if (step < shortStepThresholdMs) this.fault('shortStep', this.steps.file[i], this.steps.line[i], formatDuration(step));
        if (step > GAP_FACTOR * typicalIntervalMs) {
          this.fault('gap', this.steps.file[i], this.steps.line[i], formatDuration(step));
          longestGapMs = Math.max(longestGapMs ?? 0, step);
        }
      }
    }
    return {
      seriesId: this.seriesId, metric: this.metric, unit: this.unit, sourceUnit: this.sourceUnit, range: this.range,
      rowsRead: this.rowsRead, stored: this.stored, counts: { ...this.counts }, firstLocations: structuredClone(this.firstLocations),
      typicalIntervalMs, shortStepThresholdMs, longestGapMs, longestBackStepMs: this.longestBackStepMs, firstTsMs: this.firstTsMs, lastTsMs: this.lastTsMs,
    };
  }
}
