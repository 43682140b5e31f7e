/**
 * `sensorctl status [--json]`: what the buffer holds (per series: count, first/last sample), the
 * database size on disk, and — once their owners wire them in — snapshot ages and staleness, sensor
 * states and the upload backlog (see the three `collect*` functions below).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { SqliteBuffer } from '../../agent/sqlite-buffer.js';
import type { Backlog, SeriesStats } from '../../agent/ports.js';
import { dbPath, globalOptions, output, type GlobalOptions } from '../context.js';

/** Everything `status` prints; `--json` prints exactly this object. Times are epoch ms and ISO 8601 UTC. */
export interface StatusReport {
  dbPath: string;
  /** False when no database file exists yet (nothing sampled or imported). */
  hasDatabase: boolean;
  dbSizeBytes: number;
  /** Bytes on disk per stored sample (main file + WAL), undefined when empty. */
  bytesPerSample?: number;
  series: Array<SeriesStats & { firstAt?: string; lastAt?: string }>;
  /** Filled by `collectSnapshots` (lead: snapshot ages and staleness from the meta files). */
  snapshots?: unknown;
  /** Filled by `collectSensorStates` (lead: last reading / error per configured sensor). */
  sensors?: unknown;
  /** Filled by `collectUploadBacklog` (uploader: items pending, oldest, leased). */
  upload?: Backlog;
}

/** HOOK (lead): snapshot ages and staleness, e.g. read `snapshots/<device>/*.meta.json`. Undefined = not shown. */
export function collectSnapshots(_g: GlobalOptions, _buffer: SqliteBuffer): unknown {
  return undefined;
}

/** HOOK (lead): sensor states (last reading, consecutive failures) from buffer state keys. Undefined = not shown. */
export function collectSensorStates(_g: GlobalOptions, _buffer: SqliteBuffer): unknown {
  return undefined;
}

/** HOOK (uploader): `UploadQueue.backlog()` over the same database. Undefined = not shown. */
export function collectUploadBacklog(_g: GlobalOptions, _buffer: SqliteBuffer): Backlog | undefined {
  return undefined;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Gather the status of the buffer at `dbPath(g)`; opens it (migrating if needed) and closes it again. */
export function collectStatus(g: GlobalOptions): StatusReport {
  const path = dbPath(g);
  if (!existsSync(path)) return { dbPath: path, hasDatabase: false, dbSizeBytes: 0, series: [] };
  const buffer = SqliteBuffer.open(path);
  try {
    const series = buffer.stats().map((s) => ({ ...s, firstAt: iso(s.firstTsMs), lastAt: iso(s.lastTsMs) }));
    const dbSizeBytes = buffer.sizeBytes();
    const total = series.reduce((a, s) => a + s.count, 0);
    return {
      dbPath: path, hasDatabase: true, dbSizeBytes, bytesPerSample: total ? dbSizeBytes / total : undefined, series,
      snapshots: collectSnapshots(g, buffer), sensors: collectSensorStates(g, buffer), upload: collectUploadBacklog(g, buffer),
    };
  } finally {
    buffer.close();
  }
}

/** The report as text: a per-series table, then the database line and any hooked sections. */
export function formatStatus(r: StatusReport): string {
  if (!r.hasDatabase) return `No buffer at ${r.dbPath} yet: nothing sampled or imported.`;
  const rows = [['device', 'series', 'metric', 'unit', 'samples', 'first', 'last'], ...r.series.map((s) => [s.deviceId, s.seriesId, s.metric, s.unit, String(s.count), s.firstAt ?? '-', s.lastAt ?? '-'])];
  const w = rows[0].map((_, i) => Math.max(...rows.map((x) => x[i].length)));
  const lines = rows.map((x) => x.map((c, i) => (i === 4 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd());
  if (r.series.length === 0) lines.push('(no series yet)');
  lines.push('', `Database ${r.dbPath}: ${(r.dbSizeBytes / 1e6).toFixed(1)} MB${r.bytesPerSample ? `, ${r.bytesPerSample.toFixed(1)} bytes/sample` : ''}`);
  if (r.snapshots !== undefined) lines.push(`Snapshots: ${JSON.stringify(r.snapshots)}`);
  if (r.sensors !== undefined) lines.push(`Sensors: ${JSON.stringify(r.sensors)}`);
  if (r.upload) lines.push(`Upload backlog: ${r.upload.items} items, oldest ${iso(r.upload.oldestTsMs) ?? '-'}, ${r.upload.leased} leased`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('status')
    .description('samples per series, first/last timestamp, database size (snapshot ages, sensors and upload backlog when wired)')
    .action((_opts: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const r = collectStatus(g);
      output(g, r, () => formatStatus(r));
    });
}
