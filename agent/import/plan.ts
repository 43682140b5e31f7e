/**
 * How one input file is read: its delimiter, header, timestamp column, style and zone, and which
 * column becomes which series in which unit. Built from the importer's options and the first lines
 * of the file; every choice not given by an option is detected and recorded as an assumption so the
 * CLI can print it (the importer never guesses silently). Pure.
 */
import { METRICS, isMetric, type Metric } from '../../builder/metrics.js';
import { ID_PATTERN } from '../../builder/constants.js';
import { DS18B20_FAMILY_PREFIX, POWER_ON_MILLI_C } from '../../sensors/ds18b20.js';
import { detectTimestampStyle, describeZone, hasExplicitZone, type TimestampStyle, type Zone } from './timestamp.js';
import { findUnit, guessUnit, unitsOf, type UnitConversion } from './units.js';
import type { DuplicateRule } from './duplicates.js';
import { isPlainMetricName, metricOfHeader, normaliseUnit, seriesNameOf, splitHeader } from './header.js';
import { detectDelimiter, looksDecimalComma, looksDecimalPoint, parseNumber, splitLines, type Delimiter } from './fields.js';

/** One entry of `--columns` / `--column`: the timestamp, a column to skip, or a series. */
export type ColumnSpec = { role: 'ts' } | { role: 'skip' } | { role: 'series'; name: string; metric: Metric; headerUnit?: string };

/** Importer options (the CLI's flags, parsed). Absent fields are detected per file. */
export interface ImportOptions {
  seriesPrefix: string;
  delimiter?: Delimiter;
  /** Numbers use a decimal comma (`14,38`): true/false from `--decimal-comma`/`--no-decimal-comma`, else detected per file. */
  decimalComma?: boolean;
  header?: boolean;
  /** Positional column roles (`--columns ts,state,temp1:tempC`). */
  columns?: ColumnSpec[];
  /** Header name → role (`--column field1=tempC`). */
  columnMap: Record<string, ColumnSpec>;
  tsFormat?: TimestampStyle;
  zone?: Zone;
  /** Series name, header name or metric → source unit (`--unit Pressure=hPa`). */
  units: Record<string, string>;
  /** Series name or metric → plausible range in the canonical unit (`--range tempC=-30..50`). */
  ranges: Record<string, { min: number; max: number }>;
  /**
   * Series name, header or metric → values that mean "no reading", as written in the file
   * (`--invalid wind_dir=16`); an empty list turns the DS18B20 defaults off for that column.
   */
  invalid?: Record<string, number[]>;
  /** Which row is stored when several rows of the import share an instant with different values (default `first`). */
  duplicates?: DuplicateRule;
}

/**
 * Values a DS18B20 column holds when there was no reading, °C: 85 is the temperature register's
 * power-on value (`POWER_ON_MILLI_C`: no conversion ran); -127 is what the common Arduino library
 * (DallasTemperature, `DEVICE_DISCONNECTED_C`) writes for a probe that does not answer.
 */
export const DS18B20_INVALID_C: readonly number[] = [POWER_ON_MILLI_C / 1000, -127];
/** A column is a DS18B20's when its header, series name or the series prefix says `ds18b20` or holds a 1-Wire id `28-xxxxxxxxxxxx`. */
export const DS18B20_COLUMN = new RegExp(`ds18b20|(^|[^0-9a-f])${DS18B20_FAMILY_PREFIX}[0-9a-f]{12}($|[^0-9a-f])`, 'i');

/** Header names taken as the timestamp column (case-insensitive). */
export const TIMESTAMP_HEADERS = ['ts', 'tsms', 'time', 'timestamp', 'date', 'datetime', 'created_at', 'time_stamp'];

export interface PlannedColumn {
  index: number;
  header: string;
  seriesId: string;
  metric: Metric;
  unit: UnitConversion;
  range: { min: number; max: number };
  /** Values (as written, before unit conversion) counted as `invalidCode`, not stored. */
  invalidCodes: readonly number[];
}

export interface FilePlan {
  delimiter: Delimiter;
  /** Numbers are read with a decimal comma (`14,38` → 14.38). */
  isDecimalComma: boolean;
  /** How the decimal separator was chosen: `option` or `detected` (the summary announces detected ones). */
  decimalCommaSource: 'option' | 'detected' | 'default';
  hasHeader: boolean;
  fieldCount: number;
  tsIndex: number;
  tsStyle: TimestampStyle;
  zone: Zone;
  columns: PlannedColumn[];
  /** Header names (or `#n`) of columns not imported. */
  ignored: string[];
  /** What was detected or assumed, one human line each (same wording for same choices). */
  assumptions: string[];
}

/** A file that cannot be planned (no data line, no timestamp): reported, not fatal. */
export class PlanError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
    this.name = new.target.name;
  }
}

/** Parse one `--columns` entry: `ts`, `-`/`skip`, `METRIC` or `NAME:METRIC`. Throws Error with the allowed forms. */
export function parseColumnSpec(text: string): ColumnSpec {
  const t = text.trim();
  if (/^(ts|timestamp|time)$/i.test(t)) return { role: 'ts' };
  if (t === '-' || t === 'skip' || t === '') return { role: 'skip' };
  const [name, metric = name] = t.split(':');
  if (!isMetric(metric)) throw new Error(`column ${JSON.stringify(t)}: ${metric} is not a metric; expected ts, skip, METRIC or NAME:METRIC with METRIC one of ${Object.keys(METRICS).join(', ')}`);
  return { role: 'series', name, metric };
}

/**
 * The role of a header column: `--column`, a timestamp name, else a quantity read from its name and
 * unit (`header.ts`). A header that is exactly a metric or alias (`Temperature`, `pressure (hPa)`)
 * names its series after the metric; any other (`Temp, living room`) after the header itself.
 */
function specFromHeader(header: string, options: ImportOptions): ColumnSpec | undefined {
  const mapped = options.columnMap[header];
  if (mapped) return mapped;
  const h = header.trim();
  if (TIMESTAMP_HEADERS.includes(h.toLowerCase())) return { role: 'ts' };
  const parts = splitHeader(h);
  const metric = metricOfHeader(parts) ?? (DS18B20_COLUMN.test(parts.name) ? 'tempC' : undefined);
  if (!metric) return undefined;
  return { role: 'series', name: isPlainMetricName(parts) ? metric : seriesNameOf(parts.name), metric, headerUnit: parts.unitText };
}

/** The numbers of column `index` in the first rows. */
function headValues(rows: string[][], index: number, isDecimalComma: boolean): number[] {
  const out: number[] = [];
  for (const r of rows) {
    const v = parseNumber(r[index] ?? '', isDecimalComma);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** One value column: its series id, source unit (option, earlier files, or judged from `firstValue`) and range. */
function planColumn(
  file: string, spec: { name: string; metric: Metric; headerUnit?: string }, index: number, header: string, values: readonly number[],
  options: ImportOptions, earlierUnits: ReadonlyMap<string, string>,
): { column: PlannedColumn; assumptions: string[] } {
  const { name, metric } = spec;
  const sampleValue = values[0];
  const seriesId = options.seriesPrefix + name;
  if (!ID_PATTERN.test(seriesId)) throw new PlanError(file, `series id ${JSON.stringify(seriesId)} is not valid: 1–64 of A–Z a–z 0–9 . _ : - starting with a letter or digit`);
  const given = options.units[name] ?? options.units[header] ?? options.units[metric];
  const earlier = earlierUnits.get(seriesId);
  let unit: UnitConversion | undefined;
  let reason: string;
  const fromHeader = spec.headerUnit === undefined ? undefined : normaliseUnit(spec.headerUnit);
  if (given !== undefined) {
    unit = findUnit(metric, given);
    if (!unit) throw new PlanError(file, `--unit ${given} for ${name}: expected one of ${unitsOf(metric).join(', ')}`);
    reason = '(--unit)';
  } else if (spec.headerUnit !== undefined) {
    unit = findUnit(metric, fromHeader!)!; // checked by headerUnitProblem
    reason = `(header ${JSON.stringify(spec.headerUnit)})`;
  } else if (sampleValue === undefined && earlier !== undefined && findUnit(metric, earlier)) {
    unit = findUnit(metric, earlier)!;
    reason = ': no value in the first lines, same unit as earlier files';
  } else {
    const g = guessUnit(metric, sampleValue, values);
    unit = g.conversion;
    reason = `: ${g.reason}`;
  }
  const canonical = METRICS[metric].unit;
  const range = options.ranges[name] ?? options.ranges[metric] ?? { min: METRICS[metric].min, max: METRICS[metric].max };
  const invalid = invalidCodesOf(name, header, metric, unit.unit, options);
  return {
    column: { index, header, seriesId, metric, unit, range, invalidCodes: invalid.codes },
    assumptions: [
      `${header} → ${seriesId} (${metric}${canonical ? `, ${canonical}` : ''}) from ${unit.unit || 'no unit'}${reason.startsWith(':') ? reason : ` ${reason}`}`,
      `${seriesId} plausible range ${range.min}..${range.max} ${canonical}`,
      ...(invalid.assumption ? [`${seriesId} ${invalid.assumption}`] : []),
    ],
  };
}

/** The invalid codes of a column: `--invalid` (by series name, header or metric), else the DS18B20 defaults for a DS18B20 °C column. */
function invalidCodesOf(name: string, header: string, metric: Metric, sourceUnit: string, options: ImportOptions): { codes: number[]; assumption?: string } {
  const given = options.invalid?.[name] ?? options.invalid?.[header] ?? options.invalid?.[metric];
  if (given !== undefined) return { codes: given, assumption: given.length ? `invalid codes ${given.join(', ')} (--invalid)` : 'no invalid codes (--invalid none)' };
  const isDs18b20 = metric === 'tempC' && sourceUnit === 'C' && [header, name, options.seriesPrefix].some((t) => DS18B20_COLUMN.test(t));
  if (!isDs18b20) return { codes: [] };
  return { codes: [...DS18B20_INVALID_C], assumption: `invalid codes ${DS18B20_INVALID_C.join(', ')} °C (DS18B20: power-on value, probe not answering; --invalid ${name}=none keeps them)` };
}

/** Why a column's header unit cannot be used (unknown spelling, or not a unit of its metric), or undefined. */
function headerUnitProblem(spec: { name: string; metric: Metric; headerUnit?: string }, header: string, options: ImportOptions): string | undefined {
  if (spec.headerUnit === undefined) return undefined;
  if ((options.units[spec.name] ?? options.units[header] ?? options.units[spec.metric]) !== undefined) return undefined;
  const unit = normaliseUnit(spec.headerUnit);
  if (unit !== undefined && findUnit(spec.metric, unit)) return undefined;
  return `unit ${JSON.stringify(spec.headerUnit)} is not one of ${spec.metric}'s units ${unitsOf(spec.metric).join(', ')}; pass --unit ${header}=UNIT`;
}

/**
 * The decimal separator: `--decimal-comma`/`--no-decimal-comma`, else a comma when some field of the
 * first lines reads as a decimal-comma number (`14,38`) and none as a decimal-point one (`14.38`).
 * In a comma-separated file a decimal comma can only appear inside quotes (`"14,38"`).
 */
function decimalSeparator(records: readonly string[][], delimiter: Delimiter, options: ImportOptions): { isDecimalComma: boolean; source: FilePlan['decimalCommaSource']; assumption?: string } {
  if (options.decimalComma !== undefined) {
    return { isDecimalComma: options.decimalComma, source: 'option', assumption: `decimal separator: ${options.decimalComma ? 'comma (--decimal-comma)' : 'point (--no-decimal-comma)'}` };
  }
  let comma: string | undefined;
  let point: string | undefined;
  for (const r of records) {
    for (const f of r) {
      if (comma === undefined && looksDecimalComma(f)) comma = f;
      if (point === undefined && looksDecimalPoint(f)) point = f;
    }
  }
  if (comma === undefined || point !== undefined) return { isDecimalComma: false, source: 'default' };
  return { isDecimalComma: true, source: 'detected', assumption: `decimal separator: COMMA (detected: ${JSON.stringify(comma)} in a ${delimiter}-separated file and no decimal point; pass --no-decimal-comma if wrong)` };
}

/**
 * Plan how to read `file` from its first lines (`head`, at least the header and a few data rows).
 * `earlierUnits` (series id → source unit chosen for earlier files of this import) decides the unit
 * when the head holds no value to judge by.
 * @throws {PlanError} when no data line or no readable timestamp is found, a series name is invalid,
 * or a `--unit` does not fit the metric.
 */
export function planFile(file: string, head: readonly string[], options: ImportOptions, earlierUnits: ReadonlyMap<string, string> = new Map()): FilePlan {
  const lines = head.filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new PlanError(file, 'empty file: no line to read');
  const assumptions: string[] = [];
  const detected = options.delimiter ? undefined : detectDelimiter(lines);
  const delimiter = options.delimiter ?? detected!.delimiter;
  assumptions.push(`delimiter: ${delimiter}${detected ? ` (detected: ${detected.evidence})` : ''}`);
  const records: string[][] = [];
  splitLines(lines, delimiter, 1, (fields) => records.push(fields), () => undefined);
  if (records.length === 0) throw new PlanError(file, 'no readable line: every line has an unclosed quote');
  const first = records[0];
  const decimal = decimalSeparator(records, delimiter, options);
  if (decimal.assumption) assumptions.push(decimal.assumption);
  const isNumber = (f: string) => parseNumber(f, decimal.isDecimalComma) !== undefined;
  const firstLooksLikeData = first.some((f) => detectTimestampStyle(f) !== undefined) && first.every((f) => f === '' || isNumber(f) || detectTimestampStyle(f) !== undefined);
  const hasHeader = options.header ?? !firstLooksLikeData;
  assumptions.push(`header: ${hasHeader ? 'first line' : 'none, first line is data'}${options.header === undefined ? ' (detected)' : ''}`);
  const headers = hasHeader ? first : first.map((_, i) => `#${i + 1}`);
  const data = hasHeader ? records.slice(1) : records;
  if (data.length === 0) throw new PlanError(file, 'header only: no data line after the header');
  const fieldCount = hasHeader ? first.length : data[0].length;

  const specs: Array<ColumnSpec | undefined> = headers.map((h, i) => (options.columns ? options.columns[i] ?? { role: 'skip' } : specFromHeader(h, options)));
  if (options.columns && options.columns.length !== fieldCount) assumptions.push(`--columns names ${options.columns.length} columns, the file has ${fieldCount}`);
  let tsIndex = specs.findIndex((s) => s?.role === 'ts');
  if (tsIndex < 0) {
    tsIndex = data[0].findIndex((f) => detectTimestampStyle(f) !== undefined);
    if (tsIndex < 0) throw new PlanError(file, `no timestamp column: none named ${TIMESTAMP_HEADERS.join('/')} and no field of the first data line reads as a timestamp; pass --columns with ts`);
    assumptions.push(`timestamp column: ${headers[tsIndex]} (first field that reads as a timestamp)`);
  }
  const tsText = data[0][tsIndex] ?? '';
  const tsStyle = options.tsFormat ?? detectTimestampStyle(tsText);
  if (!tsStyle) throw new PlanError(file, `timestamp ${JSON.stringify(tsText)} in column ${headers[tsIndex]} is none of ISO 8601, epoch s, epoch ms, YYYY-MM-DD-H:M:S.f; pass --ts-format`);
  assumptions.push(`timestamps: ${tsStyle}${options.tsFormat ? '' : ' (detected)'}`);
  const zoned = tsStyle === 'iso' ? data.filter((r) => hasExplicitZone(r[tsIndex] ?? '')).length : 0;
  const zone: Zone = options.zone ?? { kind: 'utc' };
  const wallClock = options.zone ? `${describeZone(zone)} (${options.zone.kind === 'iana' ? '--tz' : '--utc-offset'})` : 'ASSUMED UTC (pass --tz or --utc-offset)';
  if (tsStyle === 'epoch-s' || tsStyle === 'epoch-ms') assumptions.push('zone: none needed (epoch time is UTC)');
  else if (zoned > 0 && zoned === data.length) assumptions.push(`zone: as written in each timestamp; any time without a zone: ${wallClock}`);
  else if (zoned > 0) assumptions.push(`zone: MIXED in the first lines (${zoned} of ${data.length} timestamps carry a zone): as written where given, else ${wallClock}`);
  else assumptions.push(options.zone ? `zone: ${describeZone(zone)} for wall-clock times` : 'zone: ASSUMED UTC for wall-clock times without a zone (pass --tz or --utc-offset)');

  const columns: PlannedColumn[] = [];
  const ignored: string[] = [];
  const usedNames = new Set<string>();
  specs.forEach((spec, i) => {
    if (i === tsIndex) return;
    if (!spec || spec.role !== 'series') return void ignored.push(headers[i]);
    const unknownUnit = headerUnitProblem(spec, headers[i], options);
    if (unknownUnit) return void ignored.push(`${headers[i]} (${unknownUnit})`);
    let name = spec.name;
    for (let n = 2; usedNames.has(name); n++) name = `${spec.name}_${n}`;
    if (name !== spec.name) assumptions.push(`${headers[i]}: a second column of ${spec.name}, named ${name}`);
    usedNames.add(name);
    const c = planColumn(file, { ...spec, name }, i, headers[i], headValues(data, i, decimal.isDecimalComma), options, earlierUnits);
    columns.push(c.column);
    assumptions.push(...c.assumptions);
  });
  if (ignored.length) assumptions.push(`ignored columns: ${ignored.join(', ')} (map them with --column NAME=METRIC or --columns)`);
  if (columns.length === 0) assumptions.push('no value column recognised: nothing is imported from this file');
  return { delimiter, isDecimalComma: decimal.isDecimalComma, decimalCommaSource: decimal.source, hasHeader, fieldCount, tsIndex, tsStyle, zone, columns, ignored, assumptions };
}
