/**
 * The soak run (issue 12, "A year in an hour"): a Pi's year — or `days` of it — in virtual time, boot
 * by boot (`boot.ts`, one child process each: the real daemon composition, emulated sensors, the real
 * SQLite file, the real uploader against dynalite). Power cuts SIGKILL the child and tear the WAL's
 * last frame; reboots stop it cleanly and boot with a stale clock; the corrupted-database fault stops
 * it cleanly and tears a page, so the next boot moves the file aside. At the end the uploader drains what
 * is pending and the report compares DynamoDB with SQLite and charges every lost sample to a cause.
 */
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLog } from '../../builder/ports.js';
import { openDatabase, type Db } from '../../sqlite/sqlite-db.js';
import { parseConfig } from '../../agent/config/config.js';
import { readClockStatus } from '../../agent/sampling/sensor-status.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { readCorruptionRecords } from '../../sqlite/database-recovery.js';
import { createUploadService } from '../../pi/upload-service.js';
import { startDynalite } from '../../test/support/dynalite.js';
import { FAKE_CREDENTIALS } from '../../test/support/s3rver.js';
import { publishedProblems } from '../../test/support/published-check.js';
import { FsObjectStore } from '../../platform/fs-object-store.js';
import { devicePrefix } from '../../builder/constants.js';
import { diffItems, dynamoItems, sqliteItems, type ItemMap } from '../../test/support/upload-fixture.js';
import {
  COUNTED_SERIES, DAY_MS, DEVICE_ID, DS18B20_DEVICE, FAULTS, placeFaults, planBoots, SENSORS,
  type BootPlan, type BootStats, type Fault, type FaultKind, type SensorName,
} from './plan.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BOOT = fileURLToPath(new URL('./boot.ts', import.meta.url));

export interface SoakOptions {
  /** Length of the run in days (365 = a year). */
  days: number;
  /** Start, UTC ms (default 2027-01-01; must be after the build date, or the clock guard holds everything). */
  startMs: number;
  timeZone: string;
  /** Sampling interval of both sensors, ms. */
  intervalMs: number;
  flakyRate: number;
  seed: number;
  /**
   * Each window is rebuilt every max(its own cadence, this) ms of virtual time. The daemon's cadences
   * (30 s for the hour window … 15 min) mean about 3,800 builds a simulated day, most of the run's
   * real time; the soak builds every window at least this far apart. The builds still run on the
   * daemon's scheduler, are counted, and every snapshot is checked after each boot.
   */
  buildEveryMs: number;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
  /**
   * Parent of the run's directory (data dir, snapshots, log). Default: /dev/shm when it exists (a
   * tmpfs: SQLite's fsyncs cost nothing there; the power cuts are a SIGKILL and a torn WAL tail made by
   * the parent, not a lost page cache, so a disk's durability is not what the soak tests), else the OS temp dir.
   */
  tmpDir?: string;
  /** Keep the data directory (its path is in the report). */
  keep?: boolean;
}

export const DEFAULT_SOAK: SoakOptions = { days: 2, startMs: Date.UTC(2027, 9, 30), timeZone: 'Europe/London', intervalMs: 60_000, flakyRate: 0.1, seed: 12, buildEveryMs: 60 * 60_000 };

export interface SoakReport {
  days: number;
  from: string;
  to: string;
  boots: number;
  realSeconds: number;
  expected: number;
  stored: number;
  storedRows: number;
  /** Lost samples (sensor reads) by cause; `none` must be 0. */
  lost: Record<string, number>;
  lostWithoutCause: number;
  /** Held samples the clock guard discarded (already part of `lost`), and restamped. */
  clockGuard: { discarded: number; restamped: number };
  /** Rows the torn WAL tails took away (already part of `lost`). */
  tornRows: number;
  /** Sample commits the injected full disk refused (the batch kept those samples and committed them later). */
  diskFullRefusals: number;
  /**
   * Snapshot builds: finished, finished with failed snapshots, and the snapshot store checked after
   * every boot (each built meta names a payload with its sha256, size and versionId): checks made,
   * fewest snapshots built at a check (of 24), problems found.
   */
  builds: { done: number; failed: number; checks: number; minBuilt: number; problems: string[] };
  /**
   * Databases moved aside as damaged: where, and what the moved file still yields when read (its
   * samples, counted in `lost` as "in a moved-aside database"; its instants already in DynamoDB,
   * and those it still had pending upload, which no run will upload).
   */
  movedAside: Array<{ movedTo: string; reason: string; phase: string; readableInstants: number; uploadedInstants: number; pendingInstants: number; unreadable?: string }>;
  maxLoopDelayMs: number;
  walHighWaterBytes: number;
  /** Log lines (info and up) per fault kind: occurrences, lines in their windows; and per quiet day. */
  logLines: Record<string, { occurrences: number; lines: number; maxPerOccurrence: number }>;
  logLinesPerQuietDay: number;
  subZeroStored: number;
  integrity: string;
  dynamoItems: number;
  sqliteItems: number;
  dynamoEqualsSqlite: boolean;
  dynamoDiff?: string;
  todo: string[];
  dataDir?: string;
}

function runChild(planFile: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(process.env.SOAK_CHILD_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', BOOT, planFile], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/**
 * Damage the (closed) database as a torn write on an SD card would: half of one page overwritten
 * with 0xff. The page is the builder journal's root, which the open path reads (the newest row of the
 * journal), so the next boot finds the file damaged; the samples and upload queue stay readable.
 */
function tearPage(dataDir: string): void {
  const path = join(dataDir, 'sensorctl.db');
  const probe = openDatabase(path);
  const pageSize = probe.pragma('page_size', { simple: true }) as number;
  const root = (probe.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'builder_journal'").get() as { rootpage: number }).rootpage;
  probe.pragma('wal_checkpoint(TRUNCATE)'); // every page in the main file, where the tear goes
  probe.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(pageSize / 2, 0xff), 0, pageSize / 2, (root - 1) * pageSize);
  closeSync(fd);
}

/** What a moved-aside database still yields with a plain read: its instants, and those still pending upload. */
function readMovedAside(path: string): { items: ItemMap; pending: Set<number>; unreadable?: string } {
  try {
    const db = openDatabase(path, { readonly: true });
    try {
      const items = sqliteItems(db, DEVICE_ID);
      const pending = new Set(db.prepare('SELECT ts_ms FROM upload_pending WHERE device_id = ?').pluck().all(DEVICE_ID) as number[]);
      return { items, pending };
    } finally {
      db.close();
    }
  } catch (err) {
    return { items: new Map(), pending: new Set(), unreadable: (err as Error).message };
  }
}

function countRows(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
}

/** A power cut's torn write: the WAL's last frame loses its tail. @returns sample rows lost by it. */
function tearWal(dataDir: string, scratch: string): { tornBytes: number; rowsLost: number } {
  const db = join(dataDir, 'sensorctl.db');
  const wal = `${db}-wal`;
  if (!existsSync(wal) || statSync(wal).size <= 32) return { tornBytes: 0, rowsLost: 0 };
  // Count what the untorn files hold, on a copy (opening the original would recover and checkpoint it).
  mkdirSync(scratch, { recursive: true });
  for (const suffix of ['', '-wal']) copyFileSync(db + suffix, join(scratch, `copy.db${suffix}`));
  const copy = openDatabase(join(scratch, 'copy.db'));
  const before = countRows(copy);
  copy.close();
  rmSync(scratch, { recursive: true, force: true });
  const tornBytes = 100;
  truncateSync(wal, statSync(wal).size - tornBytes);
  const after = openDatabase(db);
  const rowsLost = before - countRows(after);
  after.close();
  return { tornBytes, rowsLost };
}

/** Run the soak; see `SoakOptions`. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const t0 = Date.now();
  const progress = options.progress ?? (() => undefined);
  const run = { startMs: options.startMs, days: options.days, timeZone: options.timeZone };
  const endMs = run.startMs + run.days * DAY_MS;
  const faults = placeFaults(run);
  const boots = planBoots(run, faults);
  const root = mkdtempSync(join(options.tmpDir ?? (existsSync('/dev/shm') ? '/dev/shm' : tmpdir()), 'sensorctl-soak-'));
  const dataDir = join(root, 'data');
  const w1Dir = join(root, 'w1');
  const logFile = join(root, 'log.jsonl');
  const dyn = await startDynalite({ table: 'soak-samples' });
  const env = { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: dyn.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' };
  const rawConfig = {
    deviceId: DEVICE_ID,
    http: { port: 0, host: '127.0.0.1' },
    sensors: [
      { type: 'bme280', id: 'bme280', bus: 1, address: '0x76', intervalMs: options.intervalMs },
      { type: 'ds18b20', id: 'outdoor', w1Dir, device: DS18B20_DEVICE, intervalMs: options.intervalMs },
    ],
    cloud: { table: 'soak-samples', uploadEvery: '5m' },
  };
  const stats: BootStats[] = [];
  let tornRows = 0;
  const snapshots = { checks: 0, minBuilt: Infinity, problems: [] as string[] };
  const guard = { discarded: 0, restamped: 0 };
  try {
    for (const [index, b] of boots.entries()) {
      const plan: BootPlan = {
        index, dataDir, w1Dir, logFile, statsFile: join(root, `boot-${index}.json`), config: rawConfig, timeZone: options.timeZone,
        ...b, faults: faults.filter((f) => f.toMs > b.bootTrueMs && f.fromMs < b.bootTrueMs + b.runMs), flakyRate: options.flakyRate, seed: options.seed, buildEveryMs: options.buildEveryMs,
      };
      const planFile = join(root, `boot-${index}.plan.json`);
      writeFileSync(planFile, JSON.stringify(plan));
      const r = await runChild(planFile, env);
      const s = existsSync(plan.statsFile) ? (JSON.parse(readFileSync(plan.statsFile, 'utf8')) as BootStats) : undefined;
      if (!s || (b.end === 'clean' ? r.code !== 0 : r.signal !== 'SIGKILL')) {
        throw new Error(`boot ${index} ended with code ${r.code} signal ${r.signal} (planned ${b.end}):\n${r.stderr}`);
      }
      stats.push(s);
      const published = await publishedProblems(new FsObjectStore(dataDir), devicePrefix(DEVICE_ID));
      snapshots.checks++;
      snapshots.minBuilt = Math.min(snapshots.minBuilt, published.built);
      snapshots.problems.push(...published.problems.map((p) => `after boot ${index + 1} (${b.end}): ${p}`));
      if (b.end === 'power-cut') tornRows += tearWal(dataDir, join(root, 'scratch')).rowsLost;
      const db = openDatabase(join(dataDir, 'sensorctl.db'));
      const clock = readClockStatus(SqliteBuffer.openOn(db));
      guard.discarded += clock?.discarded ?? 0;
      guard.restamped += clock?.restamped ?? 0;
      db.close();
      progress(`boot ${index + 1}/${boots.length}: ${new Date(b.bootTrueMs).toISOString()} + ${(b.runMs / DAY_MS).toFixed(2)} d, ended ${s.end} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      if (b.damageAfter) {
        tearPage(dataDir);
        progress(`boot ${index + 1}: database damaged (a torn page); the next boot must move it aside`);
      }
    }

    // The uploader drains what is still pending (as `sensorctl push` would after the last boot).
    const db = openDatabase(join(dataDir, 'sensorctl.db'));
    const cloud = parseConfig(rawConfig, 'soak').cloud!;
    const saved = { ...process.env };
    Object.assign(process.env, env);
    const service = createUploadService({ db, cloud, log: silentLog });
    try {
      for (let i = 0; i < 1000; i++) {
        const r = await service.uploader.runOnce({ deviceId: DEVICE_ID });
        if (r.stoppedBy) throw new Error(`final upload stopped: ${r.stoppedBy}`);
        if (r.written + r.rejected === 0) break;
      }
    } finally {
      service.close();
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ');
    const inSqlite = sqliteItems(db, DEVICE_ID);
    const inDynamo = await dynamoItems(dyn.client, 'soak-samples', DEVICE_ID);
    // A damaged database moved aside took its samples with it. The rule: DynamoDB must equal what
    // SQLite kept, i.e. the live database plus the instants a moved-aside file had already uploaded
    // (read from that file: every instant not in its upload queue); the instants it still had
    // pending are never uploaded (the agent does not read a damaged file) and are lost by that cause.
    const aside = readCorruptionRecords(join(dataDir, 'sensorctl.db')).map((r) => ({ record: r, ...readMovedAside(r.movedTo) }));
    const keptItems: ItemMap = new Map(inSqlite);
    for (const a of aside) for (const [ts, v] of a.items) if (!a.pending.has(ts) && !keptItems.has(ts)) keptItems.set(ts, v);
    const dynamoDiff = diffItems(keptItems, inDynamo);
    const movedAside: SoakReport['movedAside'] = aside.map((a) => ({
      movedTo: a.record.movedTo, reason: a.record.reason, phase: a.record.phase, readableInstants: a.items.size,
      uploadedInstants: [...a.items.keys()].filter((ts) => !a.pending.has(ts)).length, pendingInstants: a.pending.size, ...(a.unreadable ? { unreadable: a.unreadable } : {}),
    }));
    const damagedAtMs = Math.max(0, ...faults.filter((f) => f.kind === 'corrupt-db').map((f) => f.fromMs));

    // Every expected read (one per interval per sensor) stored or charged to a cause.
    const windows = causeWindows(faults, endMs, run.startMs);
    const lost: Record<string, number> = {};
    let expected = 0;
    let stored = 0;
    let storedRows = 0;
    for (const sensor of SENSORS) {
      const rows = db.prepare('SELECT sa.ts_ms FROM samples sa JOIN series se ON se.series_pk = sa.series_pk WHERE se.device_id = ? AND se.series_id = ?').pluck().all(DEVICE_ID, COUNTED_SERIES[sensor]) as number[];
      storedRows += rows.length;
      const slots = Math.floor((endMs - run.startMs) / options.intervalMs);
      const covered = new Set(rows.map((ts) => Math.floor((ts - run.startMs) / options.intervalMs)).filter((s) => s >= 0 && s < slots));
      expected += slots;
      stored += covered.size;
      // The reads a moved-aside file still holds, by slot: uploaded before the damage, or not.
      const asideSlots = new Map<number, boolean>();
      for (const a of aside) {
        for (const [ts, v] of a.items) if (v[COUNTED_SERIES[sensor]] !== undefined) asideSlots.set(Math.floor((ts - run.startMs) / options.intervalMs), !a.pending.has(ts));
      }
      const isAsideUnreadable = aside.some((a) => a.unreadable !== undefined);
      for (let slot = 0; slot < slots; slot++) {
        if (covered.has(slot)) continue;
        const at = run.startMs + slot * options.intervalMs;
        const uploaded = asideSlots.get(slot);
        if (uploaded !== undefined) {
          const cause = uploaded ? 'database damaged: moved aside (in DynamoDB)' : 'database damaged: moved aside before upload (only in the moved-aside file)';
          lost[cause] = (lost[cause] ?? 0) + 1;
          continue;
        }
        if (isAsideUnreadable && at < damagedAtMs) {
          lost['database damaged: moved-aside file unreadable'] = (lost['database damaged: moved-aside file unreadable'] ?? 0) + 1;
          continue;
        }
        const w = windows.find((x) => x.sensors.includes(sensor) && x.fromMs <= at + options.intervalMs && at < x.toMs);
        const cause = w ? w.cause : 'none';
        lost[cause] = (lost[cause] ?? 0) + 1;
      }
    }
    const subZeroStored = (db.prepare("SELECT count(*) AS n FROM samples sa JOIN series se ON se.series_pk = sa.series_pk WHERE se.series_id = 'outdoor.tempC' AND sa.value < 0").get() as { n: number }).n;
    db.close();

    const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t: number; level: string; msg: string });
    const logLines: SoakReport['logLines'] = {};
    const inFault = new Set<number>();
    for (const f of faults) {
      const spec = FAULTS.find((s) => s.kind === f.kind)!;
      const to = f.toMs + Math.max(spec.graceMs, 5 * 60_000);
      const idx = lines.flatMap((l, i) => (l.t >= f.fromMs && l.t < to ? [i] : []));
      for (const i of idx) inFault.add(i);
      const e = (logLines[f.kind] ??= { occurrences: 0, lines: 0, maxPerOccurrence: 0 });
      e.occurrences++;
      e.lines += idx.length;
      e.maxPerOccurrence = Math.max(e.maxPerOccurrence, idx.length);
    }
    const faultDays = faults.reduce((n, f) => n + (f.toMs - f.fromMs) / DAY_MS, 0);
    return {
      days: run.days, from: new Date(run.startMs).toISOString(), to: new Date(endMs).toISOString(), boots: boots.length, realSeconds: Math.round((Date.now() - t0) / 1000),
      expected, stored, storedRows, lost, lostWithoutCause: lost.none ?? 0, clockGuard: guard, tornRows, diskFullRefusals: stats.reduce((n, s) => n + (s.diskFullRefusals ?? 0), 0), movedAside,
      builds: { done: stats.reduce((n, s) => n + s.builds, 0), failed: stats.reduce((n, s) => n + s.failedBuilds, 0), ...snapshots },
      maxLoopDelayMs: Math.round(Math.max(...stats.map((s) => s.maxLoopDelayMs))), walHighWaterBytes: Math.max(...stats.map((s) => s.maxWalBytes)),
      logLines, logLinesPerQuietDay: Math.round(((lines.length - inFault.size) / Math.max(0.01, run.days - faultDays)) * 10) / 10,
      subZeroStored, integrity, dynamoItems: inDynamo.size, sqliteItems: inSqlite.size, dynamoEqualsSqlite: dynamoDiff === undefined, dynamoDiff,
      todo: FAULTS.filter((s) => s.todo).map((s) => `${s.kind}: ${s.what} — ${s.todo}`),
      ...(options.keep ? { dataDir: root } : {}),
    };
  } finally {
    await dyn.close();
    if (!options.keep) rmSync(root, { recursive: true, force: true });
  }
}

/** The windows (true time, per sensor) a missing read is charged to, first match wins. */
function causeWindows(faults: Fault[], endMs: number, startMs: number): Array<{ cause: string; sensors: readonly SensorName[]; fromMs: number; toMs: number }> {
  const label: Partial<Record<FaultKind, string>> = {
    'power-cut': 'power cut (read in flight, torn WAL tail, power off, boot)',
    'stale-reboot': 'reboot (off, boot)',
    'flaky-bus': 'flaky I2C bus',
    unplugged: 'sensor unplugged (until the slow-backoff retry finds it)',
    'disk-full': 'disk full (readings taken while a commit is refused for space; held ones are committed when space returns)',
    'corrupt-db': 'database damaged (read in flight, restart on a fresh database)',
  };
  const out = faults.flatMap((f) => {
    const spec = FAULTS.find((s) => s.kind === f.kind)!;
    return spec.costs.length ? [{ cause: label[f.kind] ?? f.kind, sensors: spec.costs, fromMs: f.fromMs, toMs: f.toMs + spec.graceMs }] : [];
  });
  // Retention keeps 365 days: in a longer run the oldest reads are deleted (after they were uploaded).
  const cutoff = endMs - 365 * DAY_MS + 3_600_000;
  if (cutoff > startMs) out.push({ cause: 'retention (older than 365 days)', sensors: SENSORS, fromMs: startMs, toMs: cutoff });
  return out;
}
