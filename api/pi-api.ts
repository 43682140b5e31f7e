/**
 * Wiring of the API for the Pi (used by `sensorctl serve` and `sensorctl run`): snapshots from the
 * data directory, the configured device as default, in-process refresh jobs.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ID_PATTERN } from '../builder/constants.js';
import type { Clock } from '../builder/ports.js';
import { cachedSnapshotStore } from './cached-snapshot-store.js';
import { createApi, type FetchHandler } from './create-api.js';
import { MemoryRefreshJobs } from './memory-refresh-jobs.js';
import { nodeScheduler } from './node-scheduler.js';
import type { ApiOptions, DeviceDirectory, FreshBuilder, SnapshotStore } from './ports.js';

/** How long the device list read from disk is reused, ms. */
const DEVICE_LIST_TTL_MS = 10_000;

/** Devices: the configured one plus every device directory under `<dataDir>/snapshots/`. */
export function dataDirDevices(dataDir: string, configuredId: string, clock: Clock): DeviceDirectory {
  let cached: { atMs: number; ids: string[] } | undefined;
  const list = async (): Promise<string[]> => {
    if (cached && clock.nowMs() - cached.atMs < DEVICE_LIST_TTL_MS) return cached.ids;
    const names = await readdir(join(dataDir, 'snapshots')).catch(() => [] as string[]);
    const ids = [...new Set([configuredId, ...names.filter((n) => ID_PATTERN.test(n))])];
    cached = { atMs: clock.nowMs(), ids };
    return ids;
  };
  return { list, defaultId: async () => configuredId };
}

/**
 * Placeholder until the builder core is wired in: every fresh build fails with a clear message, so
 * `fresh=true` serves the stored snapshot and refresh jobs end `failed`.
 * REPLACE with a FreshBuilder over the builder core and the SQLite buffer.
 */
export const unwiredFreshBuilder: FreshBuilder = {
  build: async () => {
    throw new Error('fresh builds are not wired on this device yet');
  },
};

/** What the Pi wiring needs: data directory, configured device and the snapshot store. */
export interface PiApiOptions {
  dataDir: string;
  deviceId: string;
  store: SnapshotStore;
  fresh?: FreshBuilder;
  options?: ApiOptions;
}

/** The Pi's API handler and its job queue. */
export function createPiApi(o: PiApiOptions): { api: FetchHandler; jobs: MemoryRefreshJobs } {
  const clock: Clock = { nowMs: () => Date.now() };
  const fresh = o.fresh ?? unwiredFreshBuilder;
  const jobs = new MemoryRefreshJobs({ builder: fresh, clock });
  const devices = dataDirDevices(o.dataDir, o.deviceId, clock);
  const store = cachedSnapshotStore(o.store, clock);
  return { api: createApi({ store, devices, fresh, jobs, clock, scheduler: nodeScheduler, options: o.options }), jobs };
}
