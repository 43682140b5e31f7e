/**
 * The cloud API's `DeviceDirectory`: the configured ids (`DEVICE_IDS`), or, when none are configured,
 * the fleet `discover` lists (the deployed API: the samples table's device index, one Query), or the
 * device folders under the bucket's `snapshots/` prefix (ListObjectsV2 through the store's `list`);
 * a listing is cached for `ttlMs` per container.
 */
import { ID_PATTERN } from '../builder/constants.js';
import type { Clock, ObjectStore } from '../builder/ports.js';
import type { DeviceDirectory } from '../api/ports.js';

/** Where device ids come from and the default served when a request names none. */
export interface CloudDevicesOptions {
  /** Fixed ids; when set nothing is listed. */
  deviceIds?: readonly string[];
  /** Lists the fleet (ids with a catalogue item, `aws/dynamodb-devices.ts`); when set the bucket is not listed. */
  discover?: () => Promise<string[]>;
  /** Served when a request names no device; else the only device, if there is one. */
  defaultId?: string;
  store: Pick<ObjectStore, 'list'>;
  clock: Clock;
  /** How long a bucket listing is reused, ms (default 60 000). */
  ttlMs?: number;
  /**
   * Whether a device has samples: its catalogue item in the samples table lists series
   * (`DynamoDbSource.listSeries`, one GetItem). Absent: every listed device counts.
   */
  hasSamples?: (deviceId: string) => Promise<boolean>;
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

/**
 * Devices of the cloud API: `list` as above; `withSamples` keeps the listed devices whose catalogue
 * item has series (a yes is reused for `ttlMs`, a no is asked again); `defaultId` is `DEFAULT_DEVICE_ID`, else the only device
 * with samples.
 */
export function cloudDevices(options: CloudDevicesOptions): DeviceDirectory {
  let cached: { atMs: number; ids: Promise<string[]> } | undefined;
  const list = (): Promise<string[]> => {
    if (options.deviceIds) return Promise.resolve([...options.deviceIds]);
    const nowMs = options.clock.nowMs();
    if (cached && nowMs - cached.atMs < (options.ttlMs ?? 60_000)) return cached.ids;
    const ids = options.discover ? options.discover() : options.store.list('snapshots/').then(deviceIdsOfKeys);
    const entry = { atMs: nowMs, ids };
    cached = entry;
    ids.catch(() => {
      if (cached === entry) cached = undefined; // a failed listing is not reused
    });
    return ids;
  };
  // Positive answers are reused for `ttlMs`; a device without samples is asked again (it may get some).
  const known = new Map<string, number>();
  const hasSamples = async (id: string): Promise<boolean> => {
    const atMs = known.get(id);
    const nowMs = options.clock.nowMs();
    if (atMs !== undefined && nowMs - atMs < (options.ttlMs ?? 60_000)) return true;
    const has = options.hasSamples ? await options.hasSamples(id) : true;
    if (has) known.set(id, nowMs);
    else known.delete(id);
    return has;
  };
  const withSamples = async (): Promise<string[]> => {
    const all = await list();
    const flags = await Promise.all(all.map(hasSamples));
    return all.filter((_, i) => flags[i]).sort();
  };
  const defaultId = async (): Promise<string | undefined> => {
    if (options.defaultId !== undefined) return options.defaultId;
    const ids = await withSamples();
    return ids.length === 1 ? ids[0] : undefined;
  };
  return { list, defaultId, withSamples };
}
