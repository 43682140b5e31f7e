/**
 * The import core: reads lines of files (already split by the caller) through each file's plan,
 * profiles every series, and hands valid samples in batches to a sink (the buffer). Nothing valid is
 * dropped; faults are counted with their first locations; only the caller's I/O can fail the import.
 * Pure: no node:* imports, no clock (the caller passes `offsetMs` for `--rebase-to-now`).
 */
import { MIN_SAMPLE_TS_MS, type Sample, type SeriesInfo } from '../../builder/types.js';
import type { InsertResult } from '../buffer/ports.js';
import { METRICS } from '../../builder/metrics.js';
import { planFile, PlanError, type FilePlan, type ImportOptions } from './plan.js';
import { parseNumber, splitLines, type BadLine } from './fields.js';
import { describeZone, parseTimestamp } from './timestamp.js';
import { SeenSamples, type DuplicateRule } from './duplicates.js';
import { FIRST_LOCATIONS, SeriesProfile, type SeriesReport } from './profile.js';

/** An ISO timestamp that ends in its zone (`Z`, `+01:00`, `-0500`); the parser has already accepted the text. */
const ZONE_AT_END = /(?:z|[+-]\d{2}:?\d{2})\s*$/i;

/** Rows per `insert` call (one transaction each). */
export const IMPORT_BATCH_ROWS = 5_000;

/** Where valid samples go. `define` is called once per series before its first `insert`. */
export interface ImportSink {
  define(series: SeriesInfo): void;
  insert(samples: Sample[]): InsertResult;
}

/** A file nothing was read from, and why (`empty file: no line to read`). */
export interface SkippedFile {
  file: string;
  reason: string;
}

/**
 * A file whose timestamps carry a zone on some rows and none on others: the zone-less ones are read
 * in `appliedZone` (`--tz`/`--utc-offset`, else UTC), which the report warns about.
 */
export interface MixedZoneFile {
  file: string;
  zoned: number;
  zoneless: number;
  /** `file:line` of the first few rows without a zone. */
  firstZoneless: string[];
  appliedZone: string;
}

/** Files sharing the same plan, for the "what was assumed" summary. */
export interface PlanGroup {
  assumptions: string[];
  files: string[];
}

export interface ImportReport {
  deviceId: string;
  files: number;
  /** Files from which no row was read: not text, empty, header only, no timestamp column, no readable row. */
  skippedFiles: SkippedFile[];
  plans: PlanGroup[];
  /** Which row was stored among rows of one instant with different values (`--duplicates`). */
  duplicateRule: DuplicateRule;
  /** Files mixing timestamps with and without a zone. */
  mixedZoneFiles: MixedZoneFile[];
  /** Files whose numbers were found to use a decimal comma (no `--decimal-comma` given). */
  decimalCommaFiles: string[];
  /** Shift applied to every timestamp (ms), non-zero with `--rebase-to-now`. */
  offsetMs: number;
  rowsRead: number;
  stored: number;
  series: SeriesReport[];
}

interface OpenFile {
  index: number;
  /** True until the header line (the first non-blank line of a file with a header) has passed. */
  isBeforeHeader: boolean;
  plan: FilePlan;
  profiles: SeriesProfile[];
  /** Rows of this file with a readable timestamp and the right field count. */
  readableRows: number;
  /** Rows of this file that were malformed. */
  malformedRows: number;
  /** ISO timestamps with and without a zone (`iso` style only), and where the first zone-less ones are. */
  zonedRows: number;
  zonelessRows: number;
  firstZoneless: number[];
}

export class ImportSession {
  private readonly files: string[] = [];
  private readonly skippedFiles: SkippedFile[] = [];
  private readonly profiles = new Map<string, SeriesProfile>();
  private readonly pending = new Map<string, Sample[]>();
  /** Per series, every valid (instant, value) read so far, to tell repeats and conflicts (not kept in a dry pass). */
  private readonly seen = new Map<string, SeenSamples>();
  private readonly duplicateRule: DuplicateRule;
  private readonly plans = new Map<string, PlanGroup>();
  private readonly decimalCommaFiles: string[] = [];
  private readonly mixedZoneFiles: MixedZoneFile[] = [];
  /** Source unit chosen per series so far (for files whose first lines hold no value). */
  private readonly unitBySeries = new Map<string, string>();
  private current: OpenFile | undefined;
  /** Newest timestamp of any valid sample seen so far (after the offset), epoch ms. */
  newestValidTsMs: number | undefined;
  rowsRead = 0;

  /**
   * @param sink where samples go; `undefined` for a dry pass (`--rebase-to-now` first finds the newest sample).
   * @param offsetMs added to every timestamp.
   */
  constructor(
    private readonly options: ImportOptions,
    readonly deviceId: string,
    private readonly sink: ImportSink | undefined,
    private readonly offsetMs = 0,
    private readonly batchRows = IMPORT_BATCH_ROWS,
  ) {
    this.duplicateRule = options.duplicates ?? 'first';
  }

  /**
   * Start a file: plan it from its first lines (header plus some data rows).
   * @returns the plan, or a PlanError (the file is skipped and listed in the report).
   */
  beginFile(label: string, head: readonly string[]): FilePlan | PlanError {
    this.endFile();
    const index = this.files.push(label) - 1;
    let plan: FilePlan;
    try {
      plan = planFile(label, head, this.options, this.unitBySeries);
    } catch (err) {
      if (!(err instanceof PlanError)) throw err;
      this.skippedFiles.push({ file: label, reason: err.reason });
      return err;
    }
    if (plan.decimalCommaSource === 'detected') this.decimalCommaFiles.push(label);
    const key = JSON.stringify(plan.assumptions);
    const group = this.plans.get(key) ?? { assumptions: plan.assumptions, files: [] };
    group.files.push(label);
    this.plans.set(key, group);
    for (const c of plan.columns) this.unitBySeries.set(c.seriesId, c.unit.unit);
    const profiles = plan.columns.map((c) => this.profileFor(c.seriesId, c.metric, c.unit.unit, c.range));
    this.current = { index, plan, profiles, isBeforeHeader: plan.hasHeader, readableRows: 0, malformedRows: 0, zonedRows: 0, zonelessRows: 0, firstZoneless: [] };
    return plan;
  }

  /**
   * Count a file that cannot be read as text (the adapter found binary data) and list it as skipped.
   * @returns the PlanError carrying the reason, as `beginFile` does for files it cannot plan.
   */
  skipFile(label: string, reason: string): PlanError {
    this.endFile();
    this.files.push(label);
    this.skippedFiles.push({ file: label, reason });
    return new PlanError(label, reason);
  }

  private profileFor(seriesId: string, metric: keyof typeof METRICS, sourceUnit: string, range: { min: number; max: number }): SeriesProfile {
    let p = this.profiles.get(seriesId);
    if (!p) {
      p = new SeriesProfile(seriesId, metric, METRICS[metric].unit, sourceUnit, range, this.files);
      this.profiles.set(seriesId, p);
      this.pending.set(seriesId, []);
      if (this.sink) this.seen.set(seriesId, new SeenSamples(this.duplicateRule));
      this.sink?.define({ deviceId: this.deviceId, seriesId, sensorId: this.options.seriesPrefix.replace(/[._:-]+$/, '') || 'import', metric, unit: METRICS[metric].unit, kind: METRICS[metric].kind });
    }
    return p;
  }

  /**
   * Consecutive lines of the current file, `lines[0]` being line `firstLineNo` (1-based), line ends
   * removed. Blank lines and the header line are skipped; a line that cannot be split (an unclosed
   * quote) is malformed.
   */
  lines(lines: readonly string[], firstLineNo: number): void {
    const f = this.current;
    if (!f) return;
    splitLines(lines, f.plan.delimiter, firstLineNo, this.onRecord, this.onBadLine);
  }

  /** One line of the current file (`lineNo` 1-based): `lines([text], lineNo)`. */
  line(text: string, lineNo: number): void {
    this.lines([text], lineNo);
  }

  private readonly onBadLine = (bad: BadLine): void => {
    const f = this.current!;
    if (f.isBeforeHeader) {
      f.isBeforeHeader = false;
      return;
    }
    this.rowsRead++;
    f.malformedRows++;
    for (const p of f.profiles) {
      p.rowsRead++;
      p.fault('malformed', f.index, bad.lineNo, bad.reason);
    }
  };

  private readonly onRecord = (fields: string[], lineNo: number): void => {
    const f = this.current!;
    if (f.isBeforeHeader) {
      f.isBeforeHeader = false;
      return;
    }
    const { plan, profiles, index } = f;
    this.rowsRead++;
    for (const p of profiles) p.rowsRead++;
    if (fields.length !== plan.fieldCount) {
      f.malformedRows++;
      for (const p of profiles) p.fault('malformed', index, lineNo, `${fields.length} fields, expected ${plan.fieldCount}`);
      return;
    }
    const parsed = parseTimestamp(fields[plan.tsIndex], plan.tsStyle, plan.zone);
    if (parsed === undefined) {
      f.malformedRows++;
      for (const p of profiles) p.fault('malformed', index, lineNo, `timestamp ${JSON.stringify(fields[plan.tsIndex])} is not ${plan.tsStyle}`);
      return;
    }
    const tsMs = parsed + this.offsetMs;
    if (tsMs < MIN_SAMPLE_TS_MS) {
      f.malformedRows++;
      for (const p of profiles) p.fault('malformed', index, lineNo, `timestamp ${JSON.stringify(fields[plan.tsIndex])} is ${isoOrMs(tsMs)}, before ${new Date(MIN_SAMPLE_TS_MS).toISOString()} (the earliest time a sample may carry)`);
      return;
    }
    f.readableRows++;
    if (plan.tsStyle === 'iso') {
      if (ZONE_AT_END.test(fields[plan.tsIndex])) f.zonedRows++;
      else if (f.zonelessRows++ < FIRST_LOCATIONS) f.firstZoneless.push(lineNo);
    }
    plan.columns.forEach((c, i) => this.value(profiles[i], c, fields[c.index], tsMs, index, lineNo));
  };

  private value(p: SeriesProfile, c: FilePlan['columns'][number], text: string, tsMs: number, fileIndex: number, lineNo: number): void {
    p.timestamp(tsMs, fileIndex, lineNo);
    if (text === '') return p.fault('empty', fileIndex, lineNo);
    const raw = parseNumber(text, this.current!.plan.isDecimalComma);
    if (raw === undefined) return p.fault('malformed', fileIndex, lineNo, `value ${JSON.stringify(text)} is not a number`);
    if (c.invalidCodes.length && c.invalidCodes.includes(raw)) return p.fault('invalidCode', fileIndex, lineNo, text);
    const value = c.unit.toCanonical(raw);
    if (!(value >= c.range.min && value <= c.range.max)) return p.fault('outOfRange', fileIndex, lineNo, text);
    if (this.newestValidTsMs === undefined || tsMs > this.newestValidTsMs) this.newestValidTsMs = tsMs;
    if (!this.sink) return;
    const seen = this.seen.get(c.seriesId)!.see(tsMs, value, fileIndex, lineNo);
    if (seen.kind === 'repeat') return p.fault('repeat', fileIndex, lineNo);
    if (seen.kind === 'conflict') {
      const kept = `${this.files[seen.keptFile]}:${seen.keptLine}`;
      const unit = METRICS[c.metric].unit ? ` ${METRICS[c.metric].unit}` : '';
      return p.fault('conflict', fileIndex, lineNo, `${value}${unit}; ${seen.keptValue}${unit} at ${kept}; ${seen.isReplaced ? 'this one' : 'that one'} kept`);
    }
    if (this.duplicateRule === 'last') return; // stored at the end, once every row of the instant is read
    const batch = this.pending.get(c.seriesId)!;
    batch.push({ seriesId: c.seriesId, tsMs, value });
    if (batch.length >= this.batchRows) this.flush(c.seriesId);
  }

  private flush(seriesId: string): void {
    const batch = this.pending.get(seriesId)!;
    if (!batch.length || !this.sink) return;
    const r = this.sink.insert(batch);
    const p = this.profiles.get(seriesId)!;
    p.stored += r.inserted;
    if (r.duplicates) p.fault('duplicate', 0, 0, undefined, r.duplicates);
    this.pending.set(seriesId, []);
  }

  /**
   * Finish the current file (its pending rows stay batched across files of the same series). A file
   * with no readable row, or with no value column, is listed as skipped (its faults stay counted).
   */
  endFile(): void {
    const f = this.current;
    this.current = undefined;
    if (!f) return;
    const file = this.files[f.index];
    if (f.zonedRows > 0 && f.zonelessRows > 0) {
      const z = this.options.zone;
      this.mixedZoneFiles.push({
        file, zoned: f.zonedRows, zoneless: f.zonelessRows, firstZoneless: f.firstZoneless.map((l) => `${file}:${l}`),
        appliedZone: z ? `${describeZone(z)} (${z.kind === 'iana' ? '--tz' : '--utc-offset'})` : 'UTC (assumed: pass --tz or --utc-offset)',
      });
    }
    if (f.readableRows === 0) {
      this.skippedFiles.push({ file, reason: f.malformedRows ? `no readable row: all ${f.malformedRows} data lines are malformed` : f.plan.hasHeader ? 'header only: no data line after the header' : 'no data line' });
    } else if (f.plan.columns.length === 0) {
      this.skippedFiles.push({ file, reason: `no value column recognised (${f.plan.ignored.join(', ')}); map them with --column NAME=METRIC or --columns` });
    }
  }

  /** With `--duplicates last`: every series' samples, in the order first read, with the last value of each instant. */
  private storeHeld(): void {
    for (const [seriesId, seen] of this.seen) {
      const batch = this.pending.get(seriesId)!;
      for (let i = 0; i < seen.length; i++) {
        batch.push({ seriesId, tsMs: seen.tsMs[i], value: seen.value[i] });
        if (batch.length >= this.batchRows) this.flush(seriesId);
      }
    }
  }

  /** Flush every pending batch and build the report. */
  finish(): ImportReport {
    this.endFile();
    if (this.duplicateRule === 'last') this.storeHeld();
    for (const id of this.pending.keys()) this.flush(id);
    const series = [...this.profiles.values()].map((p) => p.report());
    return {
      deviceId: this.deviceId, files: this.files.length, skippedFiles: this.skippedFiles, plans: [...this.plans.values()], duplicateRule: this.duplicateRule, mixedZoneFiles: this.mixedZoneFiles, decimalCommaFiles: this.decimalCommaFiles,
      offsetMs: this.offsetMs, rowsRead: this.rowsRead, stored: series.reduce((a, s) => a + s.stored, 0), series,
    };
  }
}

/** `tsMs` as ISO 8601, or as a number when no date can show it. */
function isoOrMs(tsMs: number): string {
  const d = new Date(tsMs);
  return Number.isNaN(d.getTime()) ? `${tsMs} ms` : d.toISOString();
}
