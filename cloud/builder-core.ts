/**
 * The wiring point from the cloud adapters to the builder core: the only cloud file that imports
 * `runBuild`. Translates the cloud's build request into the core's deps/options and its report back.
 */
import { runBuild } from '../builder/run-build.js';
import type { DeviceBuild } from './build-port.js';

export const runDeviceBuild: DeviceBuild = async (r) => {
  const report = await runBuild(
    { source: r.source, store: r.store, clock: r.clock, log: r.logger, deviceId: r.deviceId, builder: r.builder, prefix: r.prefix, statePrefix: r.statePrefix },
    { windows: r.windows, atMs: r.atMs, full: r.full },
  );
  return {
    snapshots: report.snapshots.map((s) => ({ window: s.window, granularity: s.granularity, isStale: !s.ok, ...(s.error ? { error: s.error } : {}) })),
    samplesRead: report.samplesRead,
    wasFull: report.windows.some((w) => w.mode === 'full' || w.mode === 'at'),
  };
};
