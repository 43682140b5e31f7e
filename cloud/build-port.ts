/**
 * The seam between the cloud entries (Lambda, `sensorctl rebuild --cloud`, the Pi fallback) and the
 * builder core: one function type, `DeviceBuild`, wired in exactly one place (`cloud/builder-core.ts`).
 * Its request mirrors the core's `runBuild(deps, options)` (builder/run-build.ts on the builder branch):
 * the whole store plus a key prefix for snapshots and one for rollup state. Pure types.
 */
import type { Granularity, Window } from '../builder/constants.js';
import type { Clock, Logger, ObjectStore, SampleSource } from '../builder/ports.js';
import type { BuilderName } from '../builder/types.js';

/** One build of one device's snapshots. */
export interface DeviceBuildRequest {
  deviceId: string;
  /** Windows to build (every granularity of each). */
  windows: readonly Window[];
  /** The whole bucket (the Pi: fenced to `fallback/`). */
  store: ObjectStore;
  /** Snapshot key prefix: `snapshots/{id}/` (cloud) or `fallback/snapshots/{id}/` (Pi). */
  prefix: string;
  /** Rollup state key prefix: `state/{id}/` (cloud) or `fallback/state/{id}/` (Pi). */
  statePrefix: string;
  source: SampleSource;
  clock: Clock;
  logger: Logger;
  builder: BuilderName;
  /** Recompute from raw (`--full`). */
  full?: boolean;
  /** Build "as of" this instant, epoch ms (`--at`); default `clock.nowMs()`. */
  atMs?: number;
}

/** Outcome of one snapshot in a build. */
export interface SnapshotOutcome {
  window: Window;
  granularity: Granularity;
  isStale: boolean;
  error?: string;
}

export interface DeviceBuildResult {
  snapshots: SnapshotOutcome[];
  /** Samples the core read from the source in this build. */
  samplesRead: number;
  /** Whether any window was rebuilt from a range read (first run, `--full`, `--at`, expired cursor). */
  wasFull: boolean;
}

/** Build the requested snapshots of one device. Does not throw for a per-snapshot failure (it is in the result). */
export type DeviceBuild = (request: DeviceBuildRequest) => Promise<DeviceBuildResult>;
