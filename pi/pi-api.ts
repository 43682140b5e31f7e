/**
 * Wiring of the API for the Pi (used by `sensorctl serve` and `sensorctl run`): snapshots from the
 * data directory through `FsObjectStore` (the store the builder writes; headers from its sidecar
 * tree), the configured device as default, in-process refresh jobs whose builds run through
 * `PiFreshBuilder` (builder core over the SQLite buffer) under the shared per-window `WindowLocks`.
 */
import type { RollupStateCache } from '../builder/state-store.js';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PiFreshBuilder, WindowLocks } from './pi-fresh-builder.js';
import { ID_PATTERN } from '../builder/constants.js';
import { FsObjectStore } from '../platform/fs-object-store.js';
import type { Clock, Logger, ObjectStore, SampleSource } from '../builder/ports.js';
import { cachedSnapshotStore, type CachedSnapshotStore } from '../api/cached-snapshot-store.js';
import { createApi, type FetchHandler } from '../api/create-api.js';
import { chooseDefaultDevice } from '../api/devices.js';
import { MemoryRefreshJobs } from '../api/memory-refresh-jobs.js';
import { BuildNotifier } from '../api/build-feed.js';
import { nodeScheduler } from '../platform/node-scheduler.js';
import { systemClock } from '../platform/system-clock.js';
import type { ApiOptions, DeviceDirectory, FreshBuilder, RangeSource } from '../api/ports.js';
import { silentLog } from '../builder/ports.js';

/** How long the device list read from disk is reused, ms. */
const DEVICE_LIST_TTL_MS = 10_000;

/**
 * Devices: the configured one, every device directory under `<snapshotDir>/snapshots/` and every device
 * with samples. The default is `chooseDefaultDevice` (the configured device, or the only one with
 * samples when the configured one has none, e.g. the host name on an imported data dir).
 * @param sampleDevices devices with samples (the SQLite buffer's `deviceIdsWithSamples`); absent:
 *   the devices with snapshots stand in for them.
 */
export function dataDirDevices(snapshotDir: string, configuredId: string, clock: Clock, sampleDevices?: () => string[] | Promise<string[]>): DeviceDirectory {
  let cached: { atMs: number; ids: string[]; withSamples: string[] } | undefined;
  const read = async (): Promise<{ ids: string[]; withSamples: string[] }> => {
    if (cached && clock.nowMs() - cached.atMs < DEVICE_LIST_TTL_MS) return cached;
    const names = await readdir(join(snapshotDir, 'snapshots')).catch(() => [] as string[]);
    const built = names.filter((n) => ID_PATTERN.test(n));
    const withSamples = sampleDevices ? [...(await sampleDevices())].sort() : [...new Set([configuredId, ...built])].sort();
    const ids = [...new Set([configuredId, ...built, ...withSamples])];
    cached = { atMs: clock.nowMs(), ids, withSamples };
    return cached;
  };
  return {
    list: async () => (await read()).ids,
    defaultId: async () => chooseDefaultDevice(configuredId, (await read()).withSamples),
    withSamples: async () => (await read()).withSamples,
  };
}

/**
 * What the Pi wiring needs. Give `buffer` (the open `SqliteBuffer`) so fresh reads and refresh jobs
 * build from SQLite; or `fresh` to supply another builder (tests).
 */
export interface PiApiOptions {
  /** Snapshot directory (`resolveSnapshotDir`): `snapshots/` and `fallback/` (window objects). */
  snapshotDir: string;
  /** Device served when a request names none. */
  deviceId: string;
  /** Raw samples for fresh builds: the SQLite buffer. Required unless `fresh` is given. */
  buffer?: SampleSource;
  /** Raw samples for `GET /samples/range` (default `buffer`). */
  rangeSource?: RangeSource;
  /** Devices with samples (`SqliteBuffer.deviceIdsWithSamples`); default: the devices with snapshots. */
  sampleDevices?: () => string[] | Promise<string[]>;
  /** Per-window locks shared with the daemon's scheduled builds (default: a private instance). */
  locks?: WindowLocks;
  /** Overrides the builder made from `buffer`. */
  fresh?: FreshBuilder;
  /** The daemon's saved-state cache, shared with its scheduled builds (`piBuildDeps`). */
  stateCache?: RollupStateCache;
  /** Snapshot store (default `new FsObjectStore(snapshotDir)`). */
  store?: ObjectStore;
  log?: Logger;
  /** Clock of the API (ETAs, read cache); default the wall clock. */
  clock?: Clock;
  /** Clock of fresh builds (`generatedAt`); default `clock`. */
  buildClock?: Clock;
  /** Read cache in front of the store, ms (default 1000; 0 disables). */
  snapshotCacheMs?: number;
  options?: ApiOptions;
}

/** `store` whose writes drop the written keys from `cache`. */
function forgetting(store: ObjectStore, cache: CachedSnapshotStore): ObjectStore {
  const after = async <T>(key: string, write: Promise<T>): Promise<T> => {
    try {
      return await write;
    } finally {
      cache.forget(key);
    }
  };
  return {
    put: (key, body, headers, options) => after(key, store.put(key, body, headers, options)),
    delete: (key) => after(key, store.delete(key)),
    get: (key, options) => store.get(key, options),
    head: (key) => store.head(key),
    list: (prefix) => store.list(prefix),
  };
}

/**
 * The Pi's API handler, its job queue (await `jobs.idle()` on shutdown), the locks it uses, and
 * `publishingStore(inner)`: `inner` (the snapshot store of this process's scheduled builds) made to
 * drop what it writes from the API's read cache and push each new meta to `GET /samples/builds`.
 * Refresh builds already write through it; builds by another process (`sensorctl rebuild`) are not
 * pushed, pages find them through the meta's `expiresAt`.
 */
export function createPiApi(options: PiApiOptions): { api: FetchHandler; jobs: MemoryRefreshJobs; locks: WindowLocks; publishingStore: (inner: ObjectStore) => ObjectStore } {
  const clock = options.clock ?? systemClock;
  const locks = options.locks ?? new WindowLocks();
  const rawStore = options.store ?? new FsObjectStore(options.snapshotDir);
  const store = cachedSnapshotStore(rawStore, clock, { ttlMs: options.snapshotCacheMs ?? 1000 });
  const builds = new BuildNotifier();
  // Forget first, then publish: a page told of a build must read it, not the cached meta.
  const publishingStore = (inner: ObjectStore): ObjectStore => builds.watching(forgetting(inner, store));
  let fresh = options.fresh;
  if (!fresh) {
    if (!options.buffer) throw new TypeError('createPiApi: give `buffer` (the SQLite buffer) or `fresh`');
    // Refresh builds write through `forgetting`, so a job's `resultUrl` serves what it just published.
    fresh = new PiFreshBuilder({ source: options.buffer, store: publishingStore(rawStore), clock: options.buildClock ?? clock, log: options.log ?? silentLog, locks, stateCache: options.stateCache });
  }
  const jobs = new MemoryRefreshJobs({ builder: fresh, clock });
  const devices = dataDirDevices(options.snapshotDir, options.deviceId, clock, options.sampleDevices);
  const rangeSource = options.rangeSource ?? options.buffer;
  const samples = rangeSource ? () => rangeSource : undefined;
  return { api: createApi({ store, devices, fresh, jobs, clock, scheduler: nodeScheduler, samples, builds, options: options.options }), jobs, locks, publishingStore };
}
