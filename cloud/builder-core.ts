/**
 * THE WIRING POINT to the builder core (the only file that imports it). Until the core's `runBuild`
 * (builder/run-build.ts on the builder branch) is on this branch, `runDeviceBuild` rejects with
 * `BuildNotWiredError`. After the merge, replace the body with (verified against the builder branch):
 *
 * ```ts
 * import { runBuild } from '../builder/run-build.js';
 * export const runDeviceBuild: DeviceBuild = async (r) => {
 *   const report = await runBuild(
 *     { source: r.source, store: r.store, clock: r.clock, log: r.logger, deviceId: r.deviceId, builder: r.builder, prefix: r.prefix, statePrefix: r.statePrefix },
 *     { windows: r.windows, atMs: r.atMs, full: r.full },
 *   );
 *   return {
 *     snapshots: report.snapshots.map((s) => ({ window: s.window, granularity: s.granularity, isStale: !s.ok, ...(s.error ? { error: s.error } : {}) })),
 *     samplesRead: report.samplesRead,
 *     wasFull: report.windows.some((w) => w.mode === 'full' || w.mode === 'at'),
 *   };
 * };
 * ```
 */
import type { DeviceBuild } from './build-port.js';

export class BuildNotWiredError extends Error {
  constructor() {
    super('builder core not wired: cloud/builder-core.ts must call the core runBuild (see docs/cloud-builder.md)');
    this.name = new.target.name;
  }
}

export const runDeviceBuild: DeviceBuild = async () => {
  throw new BuildNotWiredError();
};
