/**
 * `sensorctl status [--json] [--device D]`: what the buffer holds (per series: count, first/last
 * sample), the database size on disk and its write-ahead log, each snapshot's age and staleness (from its meta), each
 * sensor's state and error counts, the clock guard, and the upload backlog.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { openDatabase, openDatabaseForReading } from '../../sqlite/sqlite-db.js';
import { databaseFileSizes, freeBytesAt, storageWritability } from '../../sqlite/database-files.js';
import { FREE_SPACE_FLOOR_BYTES } from '../../agent/buffer/retention.js';
import { dirname } from 'node:path';
import { unwritableFix } from '../../agent/buffer/errors.js';
import { readCorruptionRecords, type CorruptionRecord } from '../../sqlite/database-recovery.js';
import { WAL_WARN_BYTES, walVerdict } from '../../agent/buffer/wal.js';
import { formatBytes } from '../../agent/doctor/doctor.js';
import type { SeriesStats } from '../../agent/buffer/ports.js';
import { formatSensorStatuses, readClockStatus, readSensorStatuses, type SensorStatus } from '../../agent/sampling/sensor-status.js';
import { formatUploadStatus, uploadStatus, type UploadStatus } from '../../pi/upload-status.js';
import { ID_PATTERN, WINDOW_NAMES, type Granularity, type Window } from '../../builder/constants.js';
import { collectSnapshots, type SnapshotStatus } from '../../pi/snapshot-status.js';
import { chooseDefaultDevice } from '../../api/devices.js';
export { collectSnapshots, type SnapshotStatus };
import { UsageError, dbPath, globalOptions, snapshotDirOf, loadConfig, output, type GlobalOptions } from '../context.js';

/** Everything `status` prints; `--json` prints exactly this object. Times are epoch ms and ISO 8601 UTC. */
export interface StatusReport {
  deviceId: string;
  dbPath: string;
  /** False when no database file exists yet (nothing sampled or imported). */
  hasDatabase: boolean;
  dbSizeBytes: number;
  /** Bytes of the write-ahead log (`<dbPath>-wal`) before this command opened the file; 0 when absent. */
  walBytes: number;
  /** Bytes on disk per stored sample (main file + WAL), undefined when empty. */
  bytesPerSample?: number;
  series: Array<SeriesStats & { firstAt?: string; lastAt?: string }>;
  snapshots: SnapshotStatus[];
  sensors: SensorStatus[];
  clock?: ReturnType<typeof readClockStatus>;
  upload?: UploadStatus;
  /** Free space of the data directory's file system; `isFull` under the free-space floor (`disk full at <path>, N bytes free`). */
  disk?: { path: string; freeBytes: number; isFull: boolean };
  /** Set when the database or its directory cannot be written: what is read-only and why (the report was read read-only). */
  readOnly?: { path: string; reason: string };
  /** Damaged databases the agent moved aside (from `<dbPath>.corrupt.json`), oldest first; empty when none. */
  recoveries: CorruptionRecord[];
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * Gather the status of the buffer at `dbPath(g)` and the snapshots of `deviceId` under `snapshotDir`
 * (`snapshotDirOf`); opens the buffer and closes it again.
 */
export async function collectStatus(globals: GlobalOptions, device: string | { configured: string }, snapshotDir: string): Promise<StatusReport> {
  const path = dbPath(globals);
  const configured = typeof device === 'string' ? device : device.configured;
  const recoveries = readCorruptionRecords(path);
  const freeBytes = freeBytesAt(dirname(path));
  const disk = freeBytes === undefined ? undefined : { path: dirname(path), freeBytes, isFull: freeBytes < FREE_SPACE_FLOOR_BYTES };
  if (!existsSync(path)) {
    const access = storageWritability(path);
    const readOnly = access.isWritable ? undefined : { path: access.path, reason: access.reason };
    const deviceId = configured;
    const snapshots = await collectSnapshots(snapshotDir, deviceId, Date.now());
    return { deviceId, dbPath: path, hasDatabase: false, dbSizeBytes: 0, walBytes: 0, series: [], snapshots, sensors: [], recoveries, disk, ...(readOnly ? { readOnly } : {}) };
  }
  // Measured before opening: the last connection to close checkpoints and removes the WAL.
  const { walBytes } = databaseFileSizes(path);
  const access = storageWritability(path);
  const readOnly = access.isWritable ? undefined : { path: access.path, reason: access.reason };
  const db = readOnly ? openDatabaseForReading(path).db : openDatabase(path);
  const buffer = readOnly ? SqliteBuffer.readOnlyOn(db) : SqliteBuffer.openOn(db);
  try {
    // No --device: the configured device when it has samples, else the only device with samples (an imported data dir), as export/rebuild/serve choose.
    const deviceId = typeof device === 'string' ? device : (chooseDefaultDevice(configured, buffer.deviceIdsWithSamples()) ?? configured);
    const snapshots = await collectSnapshots(snapshotDir, deviceId, Date.now());
    const series = buffer.stats().map((s) => ({ ...s, firstAt: iso(s.firstTsMs), lastAt: iso(s.lastTsMs) }));
    const dbSizeBytes = buffer.sizeBytes();
    const total = series.reduce((a, s) => a + s.count, 0);
    return {
      deviceId, dbPath: path, hasDatabase: true, dbSizeBytes, walBytes, bytesPerSample: total ? dbSizeBytes / total : undefined, series, snapshots,
      sensors: readSensorStatuses(buffer), clock: readClockStatus(buffer), upload: uploadStatus(db, deviceId), recoveries, disk, ...(readOnly ? { readOnly } : {}),
    };
  } finally {
    buffer.close();
  }
}

function table(rows: string[][], rightAligned: number[] = []): string[] {
  const w = rows[0].map((_, i) => Math.max(...rows.map((x) => x[i].length)));
  return rows.map((x) => x.map((c, i) => (rightAligned.includes(i) ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd());
}

function ageText(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

/** One line per window: age of its newest build and any stale or failing granularity. */
function formatSnapshots(snaps: readonly SnapshotStatus[]): string[] {
  return WINDOW_NAMES.map((w) => {
    const mine = snaps.filter((s) => s.window === w);
    const built = mine.filter((s) => s.isBuilt);
    const unreadable = mine.find((s) => !s.isBuilt && s.lastError);
    if (built.length === 0) return unreadable ? `  ${w.padEnd(4)} UNREADABLE: ${unreadable.lastError} (the next build of this window rebuilds it in full)` : `  ${w.padEnd(4)} not built yet`;
    const age = Math.min(...built.map((s) => s.ageS ?? Infinity));
    const stale = mine.filter((s) => s.isStale);
    const failing = stale.map((s) => `${s.granularity}${s.consecutiveFailures ? ` (${s.consecutiveFailures} failures${s.lastError ? `: ${s.lastError}` : ''})` : ''}`);
    return `  ${w.padEnd(4)} built ${ageText(age)} ago` + (stale.length ? `, STALE: ${failing.join(', ')}` : ', fresh');
  });
}

/** The report as text: series table, database, snapshots, sensors, clock and upload sections. */
export function formatStatus(report: StatusReport): string {
  const lines: string[] = [];
  if (report.readOnly) lines.push(`READ-ONLY: ${report.readOnly.path} is read-only (${report.readOnly.reason}): shown as stored; nothing new can be stored. ${unwritableFix(report.readOnly.reason)}`);
  if (!report.hasDatabase) lines.push(`No buffer at ${report.dbPath} yet: nothing sampled or imported.`);
  else {
    const rows = [['device', 'series', 'metric', 'unit', 'samples', 'first', 'last'], ...report.series.map((s) => [s.deviceId, s.seriesId, s.metric, s.unit, String(s.count), s.firstAt ?? '-', s.lastAt ?? '-'])];
    lines.push(...table(rows, [4]));
    if (report.series.length === 0) lines.push('(no series yet)');
    lines.push(`Database ${report.dbPath}: ${(report.dbSizeBytes / 1e6).toFixed(1)} MB${report.bytesPerSample ? `, ${report.bytesPerSample.toFixed(1)} bytes/sample` : ''}`);
    const wal = walVerdict(report.walBytes);
    lines.push(`  write-ahead log: ${formatBytes(report.walBytes)}${wal === 'ok' ? '' : ` (over ${formatBytes(WAL_WARN_BYTES)}: a long reader or failing checkpoints; see sensorctl doctor)`}`);
  }
  if (report.disk?.isFull) lines.push(`DISK FULL: disk full at ${report.disk.path}, ${report.disk.freeBytes} bytes free (floor ${FREE_SPACE_FLOOR_BYTES}): readings that cannot be stored are counted as lost (disk-full); the oldest uploaded samples are deleted to make room`);
  else if (report.disk) lines.push(`Disk: ${formatBytes(report.disk.freeBytes)} free at ${report.disk.path}`);
  for (const r of report.recoveries ?? []) {
    lines.push(`DATABASE DAMAGED (${r.reason}), found ${r.detectedAt} at ${r.phase === 'open' ? 'start' : 'run time'}: moved to ${r.movedTo}; sampling went on in a fresh database`);
  }
  lines.push(`Snapshots of ${report.deviceId}:`, ...formatSnapshots(report.snapshots));
  if (report.sensors.length) lines.push('Sensors:', ...formatSensorStatuses(report.sensors).map((l) => '  ' + l));
  if (report.clock) lines.push(`Clock: ${report.clock.isTrusted ? 'trusted' : 'NOT trusted (samples held)'}; held ${report.clock.held}, restamped ${report.clock.restamped}, discarded ${report.clock.discarded}`);
  if (report.upload) lines.push(formatUploadStatus(report.upload).replace(/^upload:/, 'Upload:'));
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('status')
    .description('samples per series, database size, snapshot ages and staleness, sensor states, upload backlog')
    .option('--device <id>', 'device whose snapshots to show (default: the configured device)')
    .addHelpText('after', `
Examples:
  sensorctl status
  sensorctl --data-dir /var/lib/sensorctl status --json`)
    .action(async (opts: { device?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const config = loadConfig(g);
      if (opts.device !== undefined && !ID_PATTERN.test(opts.device)) throw new UsageError(`--device ${JSON.stringify(opts.device)}: expected 1–64 of A–Z a–z 0–9 . _ : -`);
      const r = await collectStatus(g, opts.device ?? { configured: config.deviceId }, snapshotDirOf(g, config));
      const deviceId = r.deviceId;
      const isKnown = r.series.some((s) => s.deviceId === deviceId) || r.snapshots.some((s) => s.isBuilt);
      if (opts.device !== undefined && r.hasDatabase && !isKnown) {
        const devices = [...new Set(r.series.map((s) => s.deviceId))].sort();
        throw new UsageError(`--device ${deviceId}: no samples or snapshots of this device; devices in ${r.dbPath}: ${devices.join(', ') || '(none)'}`);
      }
      output(g, r, () => formatStatus(r));
    });
}
