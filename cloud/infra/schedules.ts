/**
 * Pure derivations from the snapshot matrix (builder/constants.ts) for the cloud stack: which
 * EventBridge schedule rebuilds which windows, and which CloudFront cache behaviour serves which
 * snapshot keys with what TTL. Kept out of the stack so they are testable without a synth.
 */
import { CLOUD_SCHEDULED_WINDOWS, META_TTL_S, WINDOWS, type Window } from '../../builder/constants.js';
import { DEFAULT_DEVICES_PER_SHARD } from '../builder-handler.js';

/** EventBridge's shortest rate is one minute (rate expressions, EventBridge User Guide). */
export const MIN_SCHEDULE_MS = 60_000;

/** One schedule: a rate in whole minutes and the windows its events name. */
export interface ScheduleGroup {
  rateMinutes: number;
  windows: Window[];
}

/**
 * Group the windows the cloud builds on a schedule (`CLOUD_SCHEDULED_WINDOWS`; an on-read window,
 * `cloudRender: 'onRead'`, has no rule) by rebuild cadence (`rebuildEveryMs`, raised to EventBridge's
 * one-minute minimum): one rule per distinct cadence, its event carrying `{"windows": [...]}`.
 * With today's matrix: 5 min → 10h, 1d; 10 min → 10d; 15 min → 3m, 12m (1h is rendered on read).
 */
export function scheduleGroups(): ScheduleGroup[] {
  const byRate = new Map<number, Window[]>();
  for (const w of CLOUD_SCHEDULED_WINDOWS) {
    const minutes = Math.max(1, Math.round(Math.max(MIN_SCHEDULE_MS, WINDOWS[w].rebuildEveryMs) / MIN_SCHEDULE_MS));
    byRate.set(minutes, [...(byRate.get(minutes) ?? []), w]);
  }
  return [...byRate.entries()].sort(([a], [b]) => a - b).map(([rateMinutes, windows]) => ({ rateMinutes, windows }));
}

/** Fleet size the stack is sized for when its `expectedDevices` prop is not given. */
export const DEFAULT_EXPECTED_DEVICES = 1_000;
/**
 * ASSUMED wall time of one device in a shard, ms: the fleet bench's ≤ 0.3 s per device with 16 built
 * at a time (docs/bench.md, "Fleet"; real DynamoDB and S3 should be faster than the emulators).
 */
export const SHARD_MS_PER_DEVICE = 300;
/** Floor of the builder's reserved concurrency: a small fleet's scheduled runs plus refresh jobs (the value before it was derived). */
export const MIN_BUILDER_CONCURRENCY = 10;

/**
 * The builder Lambda's reserved concurrency for a fleet of `expectedDevices`:
 * `max(MIN_BUILDER_CONCURRENCY, ceil(groups × shards × shardMs / MIN_SCHEDULE_MS))`, where
 * `shards = ceil(devices / devicesPerShard)` per scheduled run, `shardMs = min(devices, devicesPerShard)
 * × SHARD_MS_PER_DEVICE`, and `groups` the schedule groups, which all fire in the same minute every
 * half hour (rates 5, 10, 15 min; the 1h window is rendered on read). So the shards of that busiest
 * minute, every group's, are built within a minute of firing, and no snapshot is published a whole
 * schedule tick late: 1,000 devices → ceil(3 × 20 × 15 s / 60 s) = 15.
 * Fan-out invocations and refresh jobs are short and share it.
 * @throws {RangeError} unless `expectedDevices` and `devicesPerShard` are integers ≥ 1.
 */
export function builderReservedConcurrency(expectedDevices: number, devicesPerShard = DEFAULT_DEVICES_PER_SHARD, groups: readonly ScheduleGroup[] = scheduleGroups()): number {
  for (const [name, value] of [['expectedDevices', expectedDevices], ['devicesPerShard', devicesPerShard]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} ${value}: expected an integer ≥ 1`);
  }
  const shards = Math.ceil(expectedDevices / devicesPerShard);
  const shardMs = Math.min(expectedDevices, devicesPerShard) * SHARD_MS_PER_DEVICE;
  return Math.max(MIN_BUILDER_CONCURRENCY, Math.ceil((groups.length * shards * shardMs) / MIN_SCHEDULE_MS));
}

/** The event the builder Lambda receives from a schedule (EventBridge constant input). */
export interface ScheduledBuildEvent {
  source: 'sensorctl.schedule';
  windows: Window[];
}

/** One CloudFront behaviour over snapshot objects (canonical and fallback alike). */
export interface SnapshotBehaviour {
  /** CloudFront path pattern (`*` matches any characters, `/` included). */
  pathPattern: string;
  ttlS: number;
  /** Short name for construct ids. */
  name: string;
}

/**
 * Behaviours for snapshot keys: window objects (`*.snapshots`, each carrying its four metas) with the
 * short `META_TTL_S`. The pattern starts with `*` so `snapshots/{device}/` and
 * `fallback/snapshots/{device}/` share it. Pages read snapshots through the API, not these objects.
 */
export function snapshotBehaviours(): SnapshotBehaviour[] {
  return [{ pathPattern: '*.snapshots', ttlS: META_TTL_S, name: 'WindowObject' }];
}
