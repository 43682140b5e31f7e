/**
 * Test data for the dashboard, prepared the way a Pi makes it: the real BME280 cut in
 * test/fixtures/web/ is imported into a SQLite buffer in the data dir (`runImport`, the functions
 * behind `sensorctl import`), and the 24 snapshots of each device are built with the product's
 * builder (`runBuild` over `FsObjectStore`, as `sensorctl rebuild` does) as of FIXTURE_TO. Tests then
 * change state through the same store (stale meta, fallback copies) or break a file on disk. Each
 * window is ONE file, `<dataDir>/<prefix>latest_<w>.snapshots` (the window object,
 * `builder/window-object.ts`): the helpers that change one snapshot rewrite that file.
 *
 * `fixtureSeries` reads the CSVs directly: it is the oracle the tests count gaps and points against.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { listInputFiles } from '../../agent/import/input-files.js';
import { runImport } from '../../agent/import/run-import.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { devicePrefix, fallbackPrefix, windowObjectKey, type Granularity, type Window } from '../../builder/constants.js';
import { decodeWindowObject, type WindowObject } from '../../builder/window-object.js';
import { FsObjectStore } from '../../platform/fs-object-store.js';
import { neverBuiltMeta, putWindowSnapshot } from './snapshot-fixtures.js';
import type { Logger, ObjectStore } from '../../builder/ports.js';
import { runBuild, type BuildReport } from '../../builder/run-build.js';
import type { Payload, RawPoint, SnapshotMeta } from '../../builder/types.js';
import { silentLog as silent } from '../../builder/ports.js';

const FIXTURE_DIR = new URL('../fixtures/web/bme280-livingroom-2019-09/', import.meta.url).pathname;

/** The instant the fixture snapshots are "as of" (the cut's end). */
export const FIXTURE_TO = '2019-09-30T16:00:00.000Z';
export const FIXTURE_DEVICE = 'livingroom';
/** Series ids are `<prefix><metric>`, as `sensorctl import --series-prefix bme280-76.` makes them. */
export const SERIES_PREFIX = 'bme280-76.';
/** Series ids in payload order (the builder sorts by id). */
export const FIXTURE_SERIES_IDS = ['bme280-76.pressurePa', 'bme280-76.rhPct', 'bme280-76.tempC'];


/** The SQLite buffer of `dataDir` (`sensorctl.db`, as the CLI names it). */
export const dbPathOf = (dataDir: string): string => join(dataDir, 'sensorctl.db');

export interface FixtureSeries {
  readonly id: string;
  readonly metric: string;
  readonly unit: string;
  readonly samples: RawPoint[];
}

/** The three fixture series straight from the CSVs, in stored units (°C, %RH, Pa = hPa × 100), payload order. */
export function fixtureSeries(): FixtureSeries[] {
  const read = (file: string, metric: string, unit: string, factor: number): FixtureSeries => {
    const samples: RawPoint[] = [];
    for (const line of readFileSync(join(FIXTURE_DIR, file), 'utf8').split('\n').slice(1)) {
      const [ts, v] = line.split(',');
      if (!ts || !v) continue;
      samples.push({ tsMs: Math.round(Number(ts) * 1000), value: Number(v) * factor });
    }
    return { id: `${SERIES_PREFIX}${metric}`, metric, unit, samples };
  };
  return [read('pressure.csv', 'pressurePa', 'Pa', 100), read('humidity.csv', 'rhPct', '%RH', 1), read('temperature.csv', 'tempC', '°C', 1)];
}

/** Run `fn` with the data dir's buffer open (a second connection when a server holds one: WAL allows it). */
async function withBuffer<T>(dataDir: string, fn: (b: SqliteBuffer) => Promise<T>): Promise<T> {
  const buffer = SqliteBuffer.open(dbPathOf(dataDir));
  try {
    return await fn(buffer);
  } finally {
    buffer.close();
  }
}

/** `sensorctl import <fixture> --device <device> --series-prefix bme280-76.` into `dataDir`. */
export function importFixture(dataDir: string, device: string): Promise<void> {
  return withBuffer(dataDir, async (buffer) => {
    const report = await runImport(listInputFiles([FIXTURE_DIR]), {
      deviceId: device,
      options: { seriesPrefix: SERIES_PREFIX, columnMap: {}, units: {}, ranges: {} },
      sink: { define: (s) => buffer.defineSeries([s]), insert: (samples) => buffer.insert(device, samples) },
    });
    if (report.series.length !== 3) throw new Error(`fixture import made ${report.series.length} series, expected 3`);
  });
}

/**
 * `sensorctl rebuild` as of `atMs` (default FIXTURE_TO) with a clock stopped there, so `generatedAt`
 * is exactly that instant. `fallback`: publish the fallback copy (its window objects carry their own rollup state). `wrapStore`:
 * write through another store (the server's `publishingStore`, so the build is pushed as the daemon's are).
 */
export function buildSnapshots(
  dataDir: string, device: string, o: { windows?: readonly Window[]; atMs?: number; fallback?: boolean; wrapStore?: (inner: ObjectStore) => ObjectStore } = {},
): Promise<BuildReport> {
  const atMs = o.atMs ?? Date.parse(FIXTURE_TO);
  return withBuffer(dataDir, async (buffer) => {
    const report = await runBuild({
      source: buffer, store: (o.wrapStore ?? ((inner) => inner))(new FsObjectStore(dataDir)), clock: { nowMs: () => atMs }, log: silent, deviceId: device, builder: 'pi',
      ...(o.fallback ? { prefix: fallbackPrefix(device) } : {}),
    }, { windows: o.windows });
    if (!report.ok) throw new Error(`build of ${device} failed: ${JSON.stringify(report.snapshots.filter((s) => !s.ok))}`);
    return report;
  });
}

/** Import the fixture for `device` and build its 24 snapshots as of FIXTURE_TO. */
export async function prepareDevice(dataDir: string, device: string): Promise<void> {
  await importFixture(dataDir, device);
  await buildSnapshots(dataDir, device);
}

/**
 * Add a counter series `rain.pulses` to `device` in the buffer: one pulse per fixture temperature
 * sample time (a rain gauge's tips), so its buckets are countable from the CSV.
 */
export function addCounterSeries(dataDir: string, device: string): Promise<void> {
  return withBuffer(dataDir, async (buffer) => {
    buffer.defineSeries([{ deviceId: device, seriesId: 'rain.pulses', sensorId: 'rain', metric: 'pulses', unit: 'pulses', kind: 'counter' }]);
    const temps = fixtureSeries()[2].samples;
    buffer.insert(device, temps.map((p) => ({ seriesId: 'rain.pulses', tsMs: p.tsMs, value: 1 })));
  });
}

/** File of the window object of `window` under `prefix` (`FsObjectStore` maps its key to this path). */
export function windowObjectPath(dataDir: string, window: Window, prefix: string): string {
  return join(dataDir, prefix + windowObjectKey(window));
}

/** The window object of `window` under `prefix`, decoded from its file. @throws when the file is absent or not a window object. */
export function readWindowFile(dataDir: string, window: Window, prefix: string): WindowObject {
  return decodeWindowObject(readFileSync(windowObjectPath(dataDir, window, prefix)));
}

/** Read back a stored payload (gunzipped) from its window object. @throws when it was never built. */
export function readSnapshot(dataDir: string, device: string, window: Window, g: Granularity, prefix = devicePrefix(device)): Payload {
  const body = readWindowFile(dataDir, window, prefix).payload(g);
  if (!body) throw new Error(`${prefix}${windowObjectKey(window)}: ${window}/${g} was never built`);
  return JSON.parse(gunzipSync(body).toString('utf8')) as Payload;
}

/** Read back a stored meta (canonical prefix) from its window object. */
export function readMeta(dataDir: string, device: string, window: Window, g: Granularity): SnapshotMeta {
  return readWindowFile(dataDir, window, devicePrefix(device)).metas.get(g)!;
}

/**
 * Write `meta` over the canonical meta of (`window`, `g`) through the store, keeping its payload (the
 * window object is rewritten with one put, as the builder's failure record does). `meta.bytes` must
 * still be the stored payload's size.
 */
export async function writeMeta(dataDir: string, device: string, window: Window, g: Granularity, meta: SnapshotMeta): Promise<void> {
  const prefix = devicePrefix(device);
  const body = meta.generatedAt === null ? undefined : readWindowFile(dataDir, window, prefix).payload(g);
  await putWindowSnapshot(new FsObjectStore(dataDir), prefix, { ...meta, window, granularity: g }, body);
}

/** Make the canonical (`window`, `g`) never built: its meta `neverBuiltMeta`, its payload section gone (the other granularities kept). */
export async function deleteSnapshot(dataDir: string, device: string, window: Window, g: Granularity): Promise<void> {
  const prefix = devicePrefix(device);
  const old = readMeta(dataDir, device, window, g);
  await putWindowSnapshot(new FsObjectStore(dataDir), prefix, neverBuiltMeta(device, window, g, old.key, old.builder));
}

/**
 * Make the canonical window object of `window` unreadable for any server (a directory where the file
 * should be: EISDIR, even for root), so the API answers 500. One file holds the window's four
 * granularities, so every granularity of `window` breaks, not only `g` (kept for callers).
 * `restoreSnapshot` undoes it.
 */
export function breakSnapshot(dataDir: string, device: string, window: Window, _g: Granularity): void {
  const path = windowObjectPath(dataDir, window, devicePrefix(device));
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path);
}

/** Remove what `breakSnapshot` left and rebuild the window as of FIXTURE_TO. */
export async function restoreSnapshot(dataDir: string, device: string, window: Window, _g: Granularity): Promise<void> {
  rmSync(windowObjectPath(dataDir, window, devicePrefix(device)), { recursive: true, force: true });
  await buildSnapshots(dataDir, device, { windows: [window] });
}
