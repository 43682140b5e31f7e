/**
 * Freshness of the Pi's snapshots from the metas in their window objects (`sensorctl status`,
 * `/metrics`, the MQTT health message).
 */
import { GRANULARITIES, WINDOW_NAMES, devicePrefix, type Granularity, type Window } from '../builder/constants.js';
import { FsObjectStore } from '../platform/fs-object-store.js';
import { MetaDecodeError } from '../builder/errors.js';
import { readWindowObject } from '../builder/publish.js';
import type { SnapshotMeta } from '../builder/types.js';
import type { WindowObject } from '../builder/window-object.js';

/** One snapshot's freshness, from its meta file. */
export interface SnapshotStatus {
  window: Window;
  granularity: Granularity;
  /** False when the snapshot was never built (no meta, or meta without a payload). */
  isBuilt: boolean;
  generatedAt?: string;
  /** Seconds since `generatedAt` at the time of the report. */
  ageS?: number;
  /** Meta says the latest build failed, or `expiresAt` has passed. */
  isStale: boolean;
  consecutiveFailures: number;
  lastError?: string;
}

/** Freshness of the 24 snapshots of `deviceId` from their window objects under `<snapshotDir>/snapshots/<device>/`. */
export async function collectSnapshots(snapshotDir: string, deviceId: string, nowMs: number): Promise<SnapshotStatus[]> {
  const store = new FsObjectStore(snapshotDir);
  const objects = await Promise.all(WINDOW_NAMES.map(async (window): Promise<WindowObject | undefined | 'unreadable'> => {
    try {
      return await readWindowObject(store, devicePrefix(deviceId), window);
    } catch (err) {
      return err instanceof MetaDecodeError ? 'unreadable' : undefined;
    }
  }));
  return WINDOW_NAMES.flatMap((window, i) => GRANULARITIES.map((granularity): SnapshotStatus => {
      const object = objects[i];
      if (object === 'unreadable') return { window, granularity, isBuilt: false, isStale: true, consecutiveFailures: 0, lastError: 'unreadable window object' };
      const meta: Partial<SnapshotMeta> = object?.metas.get(granularity) ?? {};
      const generatedMs = meta.generatedAt ? Date.parse(meta.generatedAt) : undefined;
      const expired = meta.expiresAt ? Date.parse(meta.expiresAt) < nowMs : false;
      return {
        window, granularity, isBuilt: generatedMs !== undefined, generatedAt: meta.generatedAt ?? undefined,
        ageS: generatedMs === undefined ? undefined : Math.round((nowMs - generatedMs) / 1000),
        isStale: Boolean(meta.stale) || expired, consecutiveFailures: meta.consecutiveFailures ?? 0, lastError: meta.lastError ?? undefined,
      };
    }));
}
