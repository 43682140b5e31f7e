/**
 * `sensorctl doctor` probes: gather `DoctorFacts` from the machine (device nodes, sysfs, timedatectl,
 * statfs, SQLite quick_check, snapshot meta files; the DynamoDB DescribeTable probe is injected from
 * `aws/cloud-probe.ts`). Every probe turns its own failure into a fact; none throws.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statfsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openDatabaseForReading } from '../sqlite/sqlite-db.js';
import { databaseFileSizes, storageWritability } from '../sqlite/database-files.js';
import { corruptionMarkerPath, readCorruptionRecords } from '../sqlite/database-recovery.js';
import { samplesPerYear, type DoctorFacts, type NodeAccess } from '../agent/doctor/doctor.js';
import { WINDOW_OBJECT_KEY_PATTERN } from '../builder/constants.js';
import { decodeWindowObject } from '../builder/window-object.js';

/** Series per sensor assumed when the database does not know the sensor yet. */
export const DEFAULT_SERIES_PER_SENSOR = 4;
/** Sample interval assumed for a sensor without `intervalMs`, ms. */
export const DEFAULT_INTERVAL_MS = 10_000;
/** Series of the simulated sensor the daemon samples when none are configured (tempC, rhPct, pressurePa). */
export const SIMULATED_SERIES = 3;

export interface ProbeInput {
  /** Root under which /dev, /sys and /run are looked up (`/` normally; a fixture tree in tests). */
  hwRoot: string;
  dataDir: string;
  /** Where the snapshots are (`resolveSnapshotDir`): metas under `<snapshotDir>/snapshots/<device>/`. */
  snapshotDir: string;
  nowMs: number;
  /** The cloud probe (`aws/cloud-probe.ts`, injected by the CLI so this adapter loads no SDK). */
  probeCloud?: (cloud: NonNullable<ProbeInput['cloud']>) => Promise<DoctorFacts['cloud']>;
  /** Declared sensors: id, type and interval. */
  sensors: Array<{ id: string; type: string; intervalMs?: number }>;
  /** The config's `cloud` section, when present. */
  cloud: { table?: unknown; region?: unknown } | undefined;
}

/** Sensor types on the I2C bus, on GPIO, and on 1-Wire (sensors/README.md). */
const I2C_TYPES = ['bme280', 'sht3x', 'bh1750', 'ads1115', 'ads1015'];
const GPIO_TYPES = ['pulse', 'gpio', 'reed', 'hcsr04'];
const ONE_WIRE_TYPES = ['ds18b20'];

function access(path: string): NodeAccess {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return { path, isAccessible: true };
  } catch {
    return { path, isAccessible: false };
  }
}

function list(dir: string, pattern: RegExp): string[] {
  try {
    return readdirSync(dir).filter((n) => pattern.test(n)).sort();
  } catch {
    return [];
  }
}

function timedatectl(): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    execFile('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 3_000 }, (err, stdout) => {
      const v = String(stdout).trim();
      resolve(err ? undefined : v === 'yes' ? true : v === 'no' ? false : undefined);
    });
  });
}

function freeSpace(path: string): { path: string; freeBytes: number } | undefined {
  for (let p = path; ; p = dirname(p)) {
    if (existsSync(p)) {
      try {
        const s = statfsSync(p);
        return { path: p, freeBytes: s.bavail * s.bsize };
      } catch {
        return undefined;
      }
    }
    if (p === dirname(p)) return undefined;
  }
}

function probeDatabase(path: string): { facts: DoctorFacts['database']; seriesBySensor: Map<string, number>; bytes: number; walBytes: number } {
  const seriesBySensor = new Map<string, number>();
  if (!existsSync(path)) return { facts: undefined, seriesBySensor, bytes: 0, walBytes: 0 };
  const { fileBytes, walBytes } = databaseFileSizes(path);
  const bytes = fileBytes + walBytes;
  let db;
  try {
    db = openDatabaseForReading(path).db;
    const quickCheck = (db.pragma('quick_check') as Array<{ quick_check: string }>).map((r) => r.quick_check);
    try {
      for (const r of db.prepare('SELECT sensor_id, count(*) AS n FROM series GROUP BY sensor_id').all() as Array<{ sensor_id: string; n: number }>) {
        seriesBySensor.set(r.sensor_id, r.n);
      }
    } catch {
      /* no series table yet */
    }
    return { facts: { path, quickCheck }, seriesBySensor, bytes, walBytes };
  } catch (err) {
    return { facts: { path, error: (err as Error).message }, seriesBySensor, bytes, walBytes };
  } finally {
    db?.close();
  }
}

/** One entry per snapshot (window object × granularity) under `<snapshotDir>/snapshots/<device>/`; a window object that cannot be decoded is one `unreadable` entry. */
function probeSnapshots(snapshotDir: string): DoctorFacts['snapshotMetas'] {
  const root = join(snapshotDir, 'snapshots');
  const out: DoctorFacts['snapshotMetas'] = [];
  const ms = (iso: string | null | undefined) => (typeof iso === 'string' ? Date.parse(iso) : undefined);
  for (const device of list(root, /^[^.]/)) {
    for (const file of list(join(root, device), WINDOW_OBJECT_KEY_PATTERN)) {
      try {
        const object = decodeWindowObject(readFileSync(join(root, device, file)));
        for (const [g, m] of object.metas) {
          out.push({ device, key: `${file} ${g}`, generatedAtMs: ms(m.generatedAt), expiresAtMs: ms(m.expiresAt), isStale: m.stale === true });
        }
      } catch (err) {
        out.push({ device, key: file, isStale: false, unreadable: (err as Error).message });
      }
    }
  }
  return out;
}

/** Gather every fact; slow probes (timedatectl, cloud) run concurrently. */
export async function gatherFacts(input: ProbeInput): Promise<DoctorFacts> {
  const at = (p: string) => join(input.hwRoot, p);
  const dbPath = join(input.dataDir, 'sensorctl.db');
  const db = probeDatabase(dbPath);
  const sensors = input.sensors.length ? input.sensors : [{ id: 'sim', type: 'simulated', intervalMs: DEFAULT_INTERVAL_MS }];
  let perYear = 0;
  for (const s of sensors) {
    const guess = s.type === 'simulated' ? SIMULATED_SERIES : DEFAULT_SERIES_PER_SENSOR;
    perYear += samplesPerYear(db.seriesBySensor.get(s.id) ?? guess, s.intervalMs ?? DEFAULT_INTERVAL_MS);
  }
  const rateSource = input.sensors.length
    ? `${sensors.length} sensor(s) at their configured intervals`
    : `no sensors configured: the simulated source assumed, ${SIMULATED_SERIES} series every ${DEFAULT_INTERVAL_MS / 1000} s`;
  const gpioExport = at('sys/class/gpio/export');
  const [ntp, cloud] = await Promise.all([
    input.hwRoot === '/' ? timedatectl() : Promise.resolve(undefined),
    input.cloud && input.probeCloud ? input.probeCloud(input.cloud) : Promise.resolve(undefined),
  ]);
  const types = sensors.map((s) => s.type);
  return {
    nowMs: input.nowMs,
    i2cDevices: list(at('dev'), /^i2c-\d+$/).map((n) => access(join(at('dev'), n))),
    needs: { i2c: types.some((t) => I2C_TYPES.includes(t)), gpio: types.some((t) => GPIO_TYPES.includes(t)), oneWire: types.some((t) => ONE_WIRE_TYPES.includes(t)) },
    gpioSysfs: existsSync(gpioExport) ? access(gpioExport) : undefined,
    gpioChips: list(at('dev'), /^gpiochip\d+$/).map((n) => access(join(at('dev'), n))),
    oneWireDevices: existsSync(at('sys/bus/w1/devices')) ? list(at('sys/bus/w1/devices'), /./) : undefined,
    ntpSynchronized: ntp,
    timesyncFlag: existsSync(at('run/systemd/timesync/synchronized')),
    disk: freeSpace(input.dataDir),
    samplesPerYear: perYear,
    rateSource,
    dbBytes: db.bytes,
    walBytes: db.walBytes,
    database: db.facts,
    storage: storageWritability(dbPath),
    recoveries: readCorruptionRecords(dbPath),
    recoveryMarker: corruptionMarkerPath(dbPath),
    cloud,
    snapshotMetas: probeSnapshots(input.snapshotDir),
  };
}
