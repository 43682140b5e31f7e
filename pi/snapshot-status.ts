/**
 * Freshness of the Pi's snapshots from their meta files (`sensorctl status`, `/metrics`, the MQTT
 * health message).
 */
import { allSnapshots, devicePrefix, metaKey, type Granularity, type Window } from '../builder/constants.js';
import { FsObjectStore } from '../platform/fs-object-store.js';
import type { SnapshotMeta } from '../builder/types.js';
import { decodeSnapshotMeta } from '../builder/snapshot-meta.js';

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

/** Freshness of the 24 snapshots of `deviceId` from their meta files under `<snapshotDir>/snapshots/<device>/`. */
export async function collectSnapshots(snapshotDir: string, deviceId: string, nowMs: number): Promise<SnapshotStatus[]> {
  const store = new FsObjectStore(snapshotDir);
  return Promise.all(
    allSnapshots().map(async ({ window, granularity }): Promise<SnapshotStatus> => {
      const obj = await store.get(devicePrefix(deviceId) + metaKey(window, granularity)).catch(() => undefined);
      let meta: Partial<SnapshotMeta> = {};
      try {
        meta = obj ? decodeSnapshotMeta(obj.body) : {};
      } catch {
        return { window, granularity, isBuilt: false, isStale: true, consecutiveFailures: 0, lastError: 'unreadable meta file' };
      }
      const generatedMs = meta.generatedAt ? Date.parse(meta.generatedAt) : undefined;
      const expired = meta.expiresAt ? Date.parse(meta.expiresAt) < nowMs : false;
      return {
        window, granularity, isBuilt: generatedMs !== undefined, generatedAt: meta.generatedAt ?? undefined,
        ageS: generatedMs === undefined ? undefined : Math.round((nowMs - generatedMs) / 1000),
        isStale: Boolean(meta.stale) || expired, consecutiveFailures: meta.consecutiveFailures ?? 0, lastError: meta.lastError ?? undefined,
      };
    }),
  );
}
