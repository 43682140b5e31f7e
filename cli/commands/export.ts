/**
 * `sensorctl export (--window W [--at ISO] | --from ISO [--to ISO]) --format csv|wide-csv|json
 * [--device D] [--series S] [--output FILE]`: the raw samples of one window (ending now or at `--at`)
 * or of any range `[--from, --to]` from the SQLite buffer, in time order. `wide-csv` has one row per
 * instant and one column per series. A device with no series is a usage error (exit 2).
 * Streams: the range is read one day at a time and written with back-pressure, so a 12-month export
 * holds one day of samples in memory, not the year.
 */
import { closeSync, createWriteStream, existsSync, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { isWindow, WINDOW_NAMES, WINDOWS } from '../../builder/constants.js';
import type { Sample } from '../../builder/types.js';
import { dbPath, defaultDevice, EXIT_FAILURE, globalOptions, loadConfig, UsageError } from '../context.js';

/** Export formats. */
export const EXPORT_FORMATS = ['csv', 'wide-csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** CSV header line. */
export const CSV_HEADER = 'tsMs,iso,seriesId,value';
/** Width of one read slice, ms: bounds memory to one day of samples. */
export const SLICE_MS = 86_400_000;

/** One sample as a CSV line (seriesId matches ID_PATTERN: no commas or quotes to escape). */
export const csvLine = (sample: Sample): string => `${sample.tsMs},${new Date(sample.tsMs).toISOString()},${sample.seriesId},${sample.value}`;

/**
 * Samples of `deviceId` with `fromMs <= tsMs <= toMs`, one slice at a time, each slice ordered by
 * time then series id. `seriesIds` (when non-empty) filters.
 */
export async function* samplesInRange(source: Pick<SqliteBuffer, 'readRange'>, deviceId: string, fromMs: number, toMs: number, seriesIds: ReadonlySet<string>): AsyncGenerator<Sample[]> {
  for (let start = fromMs; start <= toMs; start += SLICE_MS) {
    const end = Math.min(toMs, start + SLICE_MS - 1);
    const { chunks } = await source.readRange(deviceId, start, end);
    const slice: Sample[] = [];
    for await (const chunk of chunks) for (const s of chunk) if (seriesIds.size === 0 || seriesIds.has(s.seriesId)) slice.push(s);
    slice.sort((a, b) => a.tsMs - b.tsMs || (a.seriesId < b.seriesId ? -1 : a.seriesId > b.seriesId ? 1 : 0));
    if (slice.length) yield slice;
  }
}

/** Header of `wide-csv`: `tsMs,iso,` then the series ids in order (ids hold no comma or quote). */
export const wideCsvHeader = (seriesIds: readonly string[]): string => `tsMs,iso,${seriesIds.join(',')}`;

/**
 * Rows of `wide-csv` for one slice (ordered by time): one line per instant, the value of each series
 * in `seriesIds` order, empty where that series has no sample at that instant.
 */
export function wideCsvLines(slice: readonly Sample[], seriesIds: readonly string[]): string {
  const column = new Map(seriesIds.map((id, i) => [id, i]));
  let text = '';
  for (let i = 0; i < slice.length; ) {
    const tsMs = slice[i].tsMs;
    const cells: string[] = new Array(seriesIds.length).fill('');
    for (; i < slice.length && slice[i].tsMs === tsMs; i++) {
      const c = column.get(slice[i].seriesId);
      if (c !== undefined) cells[c] = String(slice[i].value);
    }
    text += `${tsMs},${new Date(tsMs).toISOString()},${cells.join(',')}\n`;
  }
  return text;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

interface ExportOptions {
  window?: string;
  from?: string;
  to?: string;
  format?: string;
  device?: string;
  series?: string[];
  at?: string;
  output?: string;
}

const ISO_HINT = 'expected an ISO 8601 time such as 2019-09-30T16:00:00Z';

function parseTime(flag: string, text: string): number {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || !Number.isFinite(ms)) throw new UsageError(`${flag} ${text}: ${ISO_HINT}`);
  return ms;
}

/**
 * The range to export, inclusive, epoch ms: `--window` ending at `--at` (default now), or `--from`
 * to `--to` (default now). @throws {UsageError} naming the bad flag and what is allowed.
 */
function parseOptions(options: ExportOptions, nowMs: number): { label: string; window?: keyof typeof WINDOWS; format: ExportFormat; fromMs: number; toMs: number } {
  const format = (options.format ?? 'csv') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new UsageError(`--format ${options.format}: expected one of ${EXPORT_FORMATS.join(', ')}`);
  if (options.from !== undefined || options.to !== undefined) {
    if (options.window !== undefined || options.at !== undefined) throw new UsageError('--from/--to and --window/--at: give a range or a window, not both');
    if (options.from === undefined) throw new UsageError(`--to needs --from (the start of the range), ${ISO_HINT}`);
    const fromMs = parseTime('--from', options.from);
    const toMs = options.to === undefined ? nowMs : parseTime('--to', options.to);
    if (fromMs > toMs) throw new UsageError(`--from ${options.from} is after --to ${options.to ?? 'now'}`);
    return { label: 'range', format, fromMs, toMs };
  }
  if (!isWindow(options.window)) throw new UsageError(`--window ${options.window ?? '(missing)'}: expected one of ${WINDOW_NAMES.join(', ')}, or give --from [--to]`);
  const toMs = options.at === undefined ? nowMs : parseTime('--at', options.at);
  return { label: options.window, window: options.window, format, fromMs: toMs - WINDOWS[options.window].spanMs + 1, toMs };
}

export function register(program: Command): void {
  program
    .command('export')
    .description('write the raw samples of one window (ending now or at --at) or of any range (--from, --to) as CSV, wide CSV or JSON')
    .option('--window <w>', `window: ${WINDOW_NAMES.join(' | ')}`)
    .option('--from <iso>', 'start of the range (inclusive), ISO 8601, instead of --window')
    .option('--to <iso>', 'end of the range (inclusive), ISO 8601 (default: now)')
    .option('--format <f>', 'csv (header tsMs,iso,seriesId,value), wide-csv (tsMs,iso,<one column per series>) or json', 'csv')
    .option('--device <id>', 'device id (default: the config deviceId)')
    .option('--series <id...>', 'only these series ids (repeatable)')
    .option('--at <iso>', 'end of the window, ISO 8601 UTC (default: now)')
    .option('--output <file>', 'write to a file instead of stdout')
    .addHelpText('after', `
Examples:
  sensorctl export --window 1h
  sensorctl export --window 10d --format json --series bme280-76.tempC --output temp.json
  sensorctl export --window 1d --at 2019-09-30T16:00:00Z > day.csv
  sensorctl export --from 2019-02-01 --to 2019-02-28T23:59:59Z --format wide-csv > feb.csv`)
    .action(async (opts: ExportOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const { label, window, format, fromMs, toMs } = parseOptions(opts, Date.now());
      const config = loadConfig(g);
      const path = dbPath(g);
      if (!existsSync(path)) {
        g.log.error('no database to export from', { path, fix: 'check --data-dir, or run sensorctl run/import first' });
        process.exitCode = EXIT_FAILURE;
        return;
      }
      const { buffer, readOnly } = SqliteBuffer.openBest(path);
      if (readOnly) g.log.warn(`${readOnly.path} is read-only (${readOnly.reason}): exporting what is stored`, { path: readOnly.path });
      try {
        const deviceId = opts.device ?? defaultDevice(config, buffer);
        const known = new Set((await buffer.listSeries(deviceId)).map((s) => s.seriesId));
        if (known.size === 0) {
          const devices = [...new Set(buffer.stats().map((s) => s.deviceId))].sort();
          const which = opts.device === undefined ? `no --device given and the configured deviceId ${deviceId} has no series` : `--device ${deviceId}: no series stored for this device`;
          throw new UsageError(`${which}; devices in ${path}: ${devices.join(', ') || '(none)'}${opts.device === undefined && devices.length ? '; pass --device' : ''}`);
        }
        const wanted = new Set(opts.series ?? []);
        for (const s of wanted) {
          if (!known.has(s)) throw new UsageError(`--series ${s}: not a series of device ${deviceId}; known: ${[...known].join(', ') || '(none)'}`);
        }
        if (opts.output) {
          try {
            closeSync(openSync(opts.output, 'w'));
          } catch (err) {
            throw new UsageError(`--output ${opts.output}: ${(err as Error).message}`);
          }
        }
        const out: Writable = opts.output ? createWriteStream(opts.output) : process.stdout;
        let count = 0;
        let first = true;
        const columns = [...(wanted.size ? wanted : known)].sort();
        await write(out, format === 'csv' ? `${CSV_HEADER}\n` : format === 'wide-csv' ? `${wideCsvHeader(columns)}\n`
          : `{"device":${JSON.stringify(deviceId)},"window":${window ? `"${window}"` : 'null'},"from":"${new Date(fromMs).toISOString()}","to":"${new Date(toMs).toISOString()}","samples":[`);
        for await (const slice of samplesInRange(buffer, deviceId, fromMs, toMs, wanted)) {
          let text = format === 'wide-csv' ? wideCsvLines(slice, columns) : '';
          for (const s of format === 'wide-csv' ? [] : slice) {
            if (format === 'csv') text += `${csvLine(s)}\n`;
            else text += `${first ? '\n' : ',\n'}${JSON.stringify({ tsMs: s.tsMs, iso: new Date(s.tsMs).toISOString(), seriesId: s.seriesId, value: s.value })}`;
            first = false;
          }
          count += slice.length;
          await write(out, text);
        }
        if (format === 'json') await write(out, '\n]}\n');
        if (opts.output) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
        g.log.info('exported', { samples: count, device: deviceId, window: label, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), output: opts.output ?? 'stdout' });
      } finally {
        buffer.close();
      }
    });
}
