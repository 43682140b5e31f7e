/**
 * The cloud API's `DeviceDirectory`: the configured ids (`DEVICE_IDS`), or, when none are configured,
 * the device folders under the bucket's `snapshots/` prefix (ListObjectsV2 through the store's `list`),
 * cached for `ttlMs` per container.
 */
import { ID_PATTERN } from '../builder/constants.js';
import type { Clock, ObjectStore } from '../builder/ports.js';
import type { DeviceDirectory } from '../api/ports.js';

/** Where device ids come from and the default served when a request names none. */
export interface CloudDevicesOptions {
  /** Fixed ids; when set the bucket is not listed. */
  deviceIds?: readonly string[];
  /** Served when a request names no device; else the only device, if there is one. */
  defaultId?: string;
  store: Pick<ObjectStore, 'list'>;
  clock: Clock;
  /** How long a bucket listing is reused, ms (default 60 000). */
  ttlMs?: number;
}

/** Device ids named by keys `snapshots/{id}/…`, unique, in key order. */
export function deviceIdsOfKeys(keys: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const key of keys) {
    const id = key.split('/')[1];
    if (key.startsWith('snapshots/') && id !== undefined && ID_PATTERN.test(id)) ids.add(id);
  }
  return [...ids];
}

export function cloudDevices(options: CloudDevicesOptions): DeviceDirectory {
  let cached: { atMs: number; ids: Promise<string[]> } | undefined;
  const list = (): Promise<string[]> => {
    if (options.deviceIds) return Promise.resolve([...options.deviceIds]);
    const nowMs = options.clock.nowMs();
    if (cached && nowMs - cached.atMs < (options.ttlMs ?? 60_000)) return cached.ids;
    const ids = options.store.list('snapshots/').then(deviceIdsOfKeys);
    const entry = { atMs: nowMs, ids };
    cached = entry;
    ids.catch(() => {
      if (cached === entry) cached = undefined; // a failed listing is not reused
    });
    return ids;
  };
  return { list, defaultId: async () => options.defaultId };
}
