/**
 * The seam between the cloud entries (Lambda, `sensorctl rebuild --cloud`, the Pi fallback) and the
 * builder core: one function type, `DeviceBuild`, so the core's entry (`runBuild` in builder/) is wired
 * in exactly one place (`cloud/builder-core.ts`). Pure types.
 */
import type { Granularity, Window } from '../builder/constants.js';
import type { Clock, Logger, ObjectStore, SampleSource } from '../builder/ports.js';
import type { BuilderName } from '../builder/types.js';

/** Durable builder state of one device (rollups + cursor), as opaque text. S3: `state/{deviceId}/builder-state.json`. */
export interface StateStore {
  /** The saved state, or `undefined` before the first successful run. */
  load(): Promise<string | undefined>;
  save(state: string): Promise<void>;
}

/** One build of one device's snapshots. */
export interface DeviceBuildRequest {
  deviceId: string;
  /** Windows to build (every granularity of each). */
  windows: readonly Window[];
  /** Store rooted at the device's prefix (`snapshots/{id}/` or `fallback/snapshots/{id}/`): keys are `latest_…`. */
  store: ObjectStore;
  source: SampleSource;
  state: StateStore;
  clock: Clock;
  logger: Logger;
  builder: BuilderName;
  /** Recompute from raw (`--full`). */
  full?: boolean;
  /** Build "as of" this instant, epoch ms (`--at`); default `clock.nowMs()`. */
  atMs?: number;
}

/** Outcome of one snapshot in a build. `consecutiveFailures` as the meta now says. */
export interface SnapshotOutcome {
  window: Window;
  granularity: Granularity;
  isStale: boolean;
  consecutiveFailures: number;
  error?: string;
}

export interface DeviceBuildResult {
  snapshots: SnapshotOutcome[];
  /** Samples the core read from the source in this build. */
  samplesRead: number;
  /** Whether this build re-read the source in full (first run, `--full`, or an expired cursor). */
  wasFull: boolean;
}

/** Build the requested snapshots of one device. Must not throw for a per-snapshot failure (it is in the result). */
export type DeviceBuild = (request: DeviceBuildRequest) => Promise<DeviceBuildResult>;
