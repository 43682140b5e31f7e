/**
 * `sensorctl export --window W --format csv|json [--device D] [--series S] [--at ISO] [--output FILE]`:
 * the raw samples of one window (ending now or at `--at`) from the SQLite buffer, in time order.
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
export const EXPORT_FORMATS = ['csv', 'json'] as const;
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

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

interface ExportOptions {
  window?: string;
  format?: string;
  device?: string;
  series?: string[];
  at?: string;
  output?: string;
}

function parseOptions(options: ExportOptions, nowMs: number): { window: keyof typeof WINDOWS; format: ExportFormat; toMs: number } {
  if (!isWindow(options.window)) throw new UsageError(`--window ${options.window ?? '(missing)'}: expected one of ${WINDOW_NAMES.join(', ')}`);
  const format = (options.format ?? 'csv') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) throw new UsageError(`--format ${options.format}: expected one of ${EXPORT_FORMATS.join(', ')}`);
  let toMs = nowMs;
  if (options.at !== undefined) {
    toMs = Date.parse(options.at);
    if (!/^\d{4}-\d{2}-\d{2}/.test(options.at) || !Number.isFinite(toMs)) throw new UsageError(`--at ${options.at}: expected an ISO 8601 time such as 2019-09-30T16:00:00Z`);
  }
  return { window: options.window, format, toMs };
}

export function register(program: Command): void {
  program
    .command('export')
    .description('write the raw samples of one window (ending now or at --at) as CSV or JSON')
    .requiredOption('--window <w>', `window: ${WINDOW_NAMES.join(' | ')}`)
    .option('--format <f>', 'csv (header tsMs,iso,seriesId,value) or json', 'csv')
    .option('--device <id>', 'device id (default: the config deviceId)')
    .option('--series <id...>', 'only these series ids (repeatable)')
    .option('--at <iso>', 'end of the window, ISO 8601 UTC (default: now)')
    .option('--output <file>', 'write to a file instead of stdout')
    .addHelpText('after', `
Examples:
  sensorctl export --window 1h
  sensorctl export --window 10d --format json --series bme280-76.tempC --output temp.json
  sensorctl export --window 1d --at 2019-09-30T16:00:00Z > day.csv`)
    .action(async (opts: ExportOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const { window, format, toMs } = parseOptions(opts, Date.now());
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
        const wanted = new Set(opts.series ?? []);
        for (const s of wanted) {
          if (!known.has(s)) throw new UsageError(`--series ${s}: not a series of device ${deviceId}; known: ${[...known].join(', ') || '(none)'}`);
        }
        const fromMs = toMs - WINDOWS[window].spanMs + 1;
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
        await write(out, format === 'csv' ? `${CSV_HEADER}\n`
          : `{"device":${JSON.stringify(deviceId)},"window":"${window}","from":"${new Date(fromMs).toISOString()}","to":"${new Date(toMs).toISOString()}","samples":[`);
        for await (const slice of samplesInRange(buffer, deviceId, fromMs, toMs, wanted)) {
          let text = '';
          for (const s of slice) {
            if (format === 'csv') text += `${csvLine(s)}\n`;
            else text += `${first ? '\n' : ',\n'}${JSON.stringify({ tsMs: s.tsMs, iso: new Date(s.tsMs).toISOString(), seriesId: s.seriesId, value: s.value })}`;
            first = false;
          }
          count += slice.length;
          await write(out, text);
        }
        if (format === 'json') await write(out, '\n]}\n');
        if (opts.output) await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
        g.log.info('exported', { samples: count, device: deviceId, window, output: opts.output ?? 'stdout' });
      } finally {
        buffer.close();
      }
    });
}
