/**
 * `sensorctl import PATH... [options]`: load sensor logs (files, or folders walked recursively in path
 * order) into the SQLite buffer, and print what was assumed and a per-series fault report.
 * Exit 0 when the import found valid samples (faults are reported, not errors); 1 on unreadable input or
 * when no file held a valid sample (every file skipped, or every value faulty); 2 on bad options or a
 * PATH that does not exist or cannot be read.
 */
import { makeDirsSync } from '../../platform/make-dirs.js';
import { Option, type Command } from 'commander';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { openDatabase } from '../../sqlite/sqlite-db.js';
import { isUploadQueueEnabled, recordUnqueuedImport, type UnqueuedImport } from '../../sqlite/sqlite-upload-queue.js';
import { ImportInputError, listInputFiles, type InputFile } from '../../agent/import/input-files.js';
import { runImport } from '../../agent/import/run-import.js';
import type { ImportReport } from '../../agent/import/importer.js';
import { parseColumnSpec, type ColumnSpec, type ImportOptions } from '../../agent/import/plan.js';
import { DELIMITERS, type Delimiter } from '../../agent/import/fields.js';
import { DUPLICATE_RULES, type DuplicateRule } from '../../agent/import/duplicates.js';
import { isIanaZone, parseUtcOffset, TIMESTAMP_STYLES, type TimestampStyle, type Zone } from '../../agent/import/timestamp.js';
import { ID_PATTERN } from '../../builder/constants.js';
import { dbPath, EXIT_FAILURE, EXIT_USAGE, globalOptions, loadConfig, output, repeatableOption, UsageError } from '../context.js';
import { formatImportReport, nothingImported, plural } from './import-report.js';

interface RawOptions {
  seriesPrefix: string;
  device?: string;
  rebaseToNow?: boolean;
  delimiter?: Delimiter;
  decimalComma?: boolean;
  header?: boolean;
  columns?: string;
  column: string[];
  tsFormat?: TimestampStyle;
  tz?: string;
  utcOffset?: string;
  unit: string[];
  range: string[];
  invalid?: string[];
  duplicates?: string;
}


function pair(flag: string, text: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0 || i === text.length - 1) throw new UsageError(`${flag} ${text}: expected NAME=VALUE`);
  return [text.slice(0, i), text.slice(i + 1)];
}

function spec(flag: string, text: string): ColumnSpec {
  try {
    return parseColumnSpec(text);
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message}`);
  }
}

/** Turn the flags into `ImportOptions`. @throws {UsageError} naming the bad flag and what is allowed. */
export function toImportOptions(raw: RawOptions): ImportOptions {
  if (raw.seriesPrefix && !ID_PATTERN.test(`${raw.seriesPrefix}x`)) throw new UsageError(`--series-prefix ${raw.seriesPrefix}: expected A–Z a–z 0–9 . _ : - starting with a letter or digit`);
  if (raw.tz && raw.utcOffset) throw new UsageError('--tz and --utc-offset: give one of them, not both');
  let zone: Zone | undefined;
  if (raw.tz) {
    if (!isIanaZone(raw.tz)) throw new UsageError(`--tz ${raw.tz}: not an IANA time zone name (e.g. Europe/Berlin, UTC)`);
    zone = { kind: 'iana', name: raw.tz };
  }
  if (raw.utcOffset) {
    const off = parseUtcOffset(raw.utcOffset);
    if (off === undefined) throw new UsageError(`--utc-offset ${raw.utcOffset}: expected ±HH:MM, e.g. +01:00 or -05:30`);
    zone = { kind: 'offset', offsetMin: off };
  }
  const ranges: ImportOptions['ranges'] = {};
  for (const r of raw.range) {
    const [name, value] = pair('--range', r);
    const m = /^(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)$/.exec(value);
    if (!m || Number(m[1]) > Number(m[2])) throw new UsageError(`--range ${r}: expected NAME=MIN..MAX with MIN ≤ MAX, e.g. tempC=-30..50`);
    ranges[name] = { min: Number(m[1]), max: Number(m[2]) };
  }
  const invalid: Record<string, number[]> = {};
  for (const r of raw.invalid ?? []) {
    const [name, value] = pair('--invalid', r);
    const codes = value === 'none' ? [] : value.split(',').map((v) => v.trim());
    if (codes.some((c) => !/^-?\d+(\.\d+)?$/.test(c))) throw new UsageError(`--invalid ${r}: expected NAME=VALUE[,VALUE...] with numbers as written in the file, or NAME=none, e.g. wind_dir=16 or temp1=85,-127`);
    invalid[name] = codes.map(Number);
  }
  if (raw.duplicates !== undefined && !(DUPLICATE_RULES as readonly string[]).includes(raw.duplicates)) throw new UsageError(`--duplicates ${raw.duplicates}: expected ${DUPLICATE_RULES.join(' or ')}`);
  return {
    seriesPrefix: raw.seriesPrefix,
    invalid,
    duplicates: raw.duplicates as DuplicateRule | undefined,
    delimiter: raw.delimiter,
    decimalComma: raw.decimalComma,
    header: raw.header,
    columns: raw.columns === undefined ? undefined : raw.columns.split(',').map((c) => spec('--columns', c)),
    columnMap: Object.fromEntries(raw.column.map((c) => { const [h, s] = pair('--column', c); return [h, spec('--column', s)]; })),
    tsFormat: raw.tsFormat,
    zone,
    units: Object.fromEntries(raw.unit.map((u) => pair('--unit', u))),
    ranges,
  };
}

/**
 * Progress on stderr: a cli-progress bar on a TTY, else a plain line at most every 2 s
 * (`import: 30% of 10.5 MB in 96 files, at 2017/05/humidity.csv`). Never above 100%.
 */
async function progress(totalBytes: number, fileCount: number) {
  const label = (pass: string) => (pass === 'scan' ? 'import (scan for the newest sample)' : 'import');
  if (process.stderr.isTTY) {
    const { default: cliProgress } = await import('cli-progress'); // only for a bar on a terminal
    const bar = new cliProgress.SingleBar({ stream: process.stderr, format: '{label} [{bar}] {percentage}% | {file}', hideCursor: true }, cliProgress.Presets.shades_classic);
    bar.start(Math.max(1, totalBytes), 0, { file: '', label: 'import' });
    return { update: (done: number, file: string, pass: string) => bar.update(Math.min(done, Math.max(1, totalBytes)), { file, label: label(pass) }), stop: () => bar.stop() };
  }
  let last = 0;
  let lastLine = '';
  return {
    update: (done: number, file: string, pass: string) => {
      const now = Date.now();
      const isEnd = done >= totalBytes;
      if ((isEnd && lastLine !== `${pass}:${done}`) || now - last >= 2_000) {
        last = now;
        lastLine = `${pass}:${done}`;
        const pct = totalBytes > 0 ? Math.min(100, (100 * done) / totalBytes) : 100;
        process.stderr.write(`${label(pass)}: ${pct.toFixed(0)}% of ${(totalBytes / 1e6).toFixed(1)} MB in ${plural(fileCount, 'file')}, at ${file}\n`);
      }
    },
    stop: () => undefined,
  };
}

/**
 * Expand the PATH arguments. @throws {UsageError} (exit 2) when a PATH given does not exist or cannot
 * be read: `import /nonexistent/path: no such file or directory`.
 */
function inputFiles(paths: readonly string[]): InputFile[] {
  try {
    return listInputFiles(paths);
  } catch (err) {
    if (err instanceof ImportInputError && err.isPathArgument) throw new UsageError(`import ${err.message}`);
    if (err instanceof ImportInputError) throw new Error(`import ${err.message}`, { cause: err });
    throw err;
  }
}

export function register(program: Command): void {
  program
    .command('import')
    .description('load sensor logs (CSV/TSV/whitespace columns; files or folders) into the buffer and report their faults')
    .argument('<path...>', 'files or folders (walked recursively in path order)')
    .option('--series-prefix <p>', 'prefix of every series id, e.g. livingroom.', '')
    .option('--device <id>', 'device id to store under (default: the configured deviceId)')
    .option('--rebase-to-now', 'shift all timestamps so the newest sample is now (demos)')
    .addOption(new Option('--delimiter <d>', 'field separator (default: detected)').choices([...DELIMITERS]))
    .option('--decimal-comma', 'numbers use a decimal comma (14,38); default: detected per file and announced')
    .option('--no-decimal-comma', 'numbers use a decimal point, even where a comma looks like one')
    .option('--header', 'the first line is a header (default: detected)')
    .option('--no-header', 'the first line is data')
    .option('--columns <list>', 'roles of all columns in order: ts, skip (or -), METRIC or NAME:METRIC, e.g. ts,door:state,temp1:tempC')
    .addOption(repeatableOption('--column <name=spec>', 'role of one header column, e.g. field1=tempC or field4=light:adcCounts (repeatable)'))
    .addOption(new Option('--ts-format <style>', 'timestamp style (default: detected)').choices([...TIMESTAMP_STYLES]))
    .option('--tz <zone>', 'IANA zone of wall-clock timestamps without a zone, e.g. Europe/Berlin')
    .option('--utc-offset <±hh:mm>', 'fixed offset of wall-clock timestamps without a zone, e.g. +01:00')
    .addOption(repeatableOption('--unit <name=unit>', 'source unit of a column or metric, e.g. Pressure=hPa, tempC=F (repeatable)'))
    .addOption(repeatableOption('--invalid <name=values>', 'values of a column (series name, header or metric) that mean "no reading", as written, e.g. wind_dir=16 or temp1=85,-127; NAME=none turns the DS18B20 defaults off (repeatable)'))
    .option('--duplicates <rule>', 'rows of this import at one instant with different values: store the first or the last read (default first)')
    .addOption(repeatableOption('--range <name=min..max>', 'plausible range (canonical unit) of a series or metric, e.g. tempC=-30..50 (repeatable)'))
    .addHelpText('after', `
Examples:
  sensorctl import ../shared/datasets/bme280-livingroom
  sensorctl import temps.csv --no-header --columns ts,door:state,temp1:tempC,temp2:tempC,... --tz Europe/Berlin
  sensorctl import feeds.csv --column field1=tempC --column field2=rhPct --column field3=distanceCm --range distanceCm=2..400`)
    .action(async (paths: string[], raw: RawOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const options = toImportOptions(raw);
      const deviceId = raw.device ?? loadConfig(g).deviceId;
      if (!ID_PATTERN.test(deviceId)) throw new UsageError(`--device ${deviceId}: expected 1–64 of A–Z a–z 0–9 . _ : - starting with a letter or digit`);
      const files = inputFiles(paths);
      makeDirsSync(g.dataDir);
      const db = openDatabase(dbPath(g));
      const buffer = SqliteBuffer.openOn(db);
      const totalBytes = files.reduce((a, f) => a + f.bytes, 0);
      const bar = await progress(totalBytes * (raw.rebaseToNow ? 2 : 1), files.length);
      const startedMs = Date.now();
      let report: ImportReport;
      try {
        report = await runImport(files, {
          deviceId,
          options,
          sink: { define: (s) => buffer.defineSeries([s]), insert: (samples) => buffer.insert(deviceId, samples) },
          rebaseToNowMs: raw.rebaseToNow ? Date.now() : undefined,
          onProgress: (done, file, pass) => bar.update(pass === 'import' && raw.rebaseToNow ? totalBytes + done : done, file.label, pass),
        });
      } catch (err) {
        bar.stop();
        buffer.close();
        if (err instanceof ImportInputError) throw new Error(`import ${err.message}`, { cause: err });
        throw err;
      }
      bar.stop();
      let unqueued: UnqueuedImport | undefined;
      try {
        const stored = report.series.filter((s) => s.stored > 0 && s.firstTsMs !== undefined);
        if (stored.length && !isUploadQueueEnabled(db)) {
          const range = { fromMs: Math.min(...stored.map((s) => s.firstTsMs!)), toMs: Math.max(...stored.map((s) => s.lastTsMs!)), samples: report.stored };
          recordUnqueuedImport(db, deviceId, range);
          unqueued = range;
        }
      } finally {
        buffer.close();
      }
      const elapsedMs = Date.now() - startedMs;
      const rowsPerS = Math.round(report.rowsRead / Math.max(elapsedMs / 1000, 1e-3));
      const pushHint = unqueued && { ...unqueued, from: new Date(unqueued.fromMs).toISOString(), command: `sensorctl push --since ${new Date(unqueued.fromMs).toISOString()}` };
      output(g, { ...report, dbPath: dbPath(g), bytes: totalBytes, elapsedMs, rowsPerS, notQueued: pushHint ?? null }, () =>
        formatImportReport(report, { elapsedMs, bytes: totalBytes, rowsPerS }) +
        (pushHint ? `\nNot queued for upload (no uplink was enabled while importing): ${pushHint.samples} samples from ${pushHint.from}; to upload them: ${pushHint.command}` : ''));
      const nothing = nothingImported(report);
      if (nothing) {
        process.stderr.write(`sensorctl: import: ${nothing}\n`);
        process.exitCode = EXIT_USAGE; // the input held nothing to store (empty, header only, binary, no valid row): bad input, as the README's exit codes say
      }
    });
}
