/**
 * The Pi's builder ports, in one place for every build the Pi runs: the daemon's scheduled builds,
 * `sensorctl rebuild`, the API's refresh builds (`sensorctl serve` and `run`, through
 * `PiFreshBuilder`) and the bench. The SQLite buffer is the sample source and the snapshot directory
 * (`resolveSnapshotDir` of agent/config/config.ts: the service's tmpfs, else the data directory) the
 * object store, so snapshots land in `<snapshotDir>/snapshots/<deviceId>/` and rollup state in
 * `<snapshotDir>/state/<deviceId>/`; builder `pi`, wall clock unless one is given.
 * (The fallback push builds into the bucket instead: agent/fallback/fallback-runner.ts.)
 *
 * @example
 * await runBuild(piBuildDeps({ source: buffer, snapshotDir, deviceId, log }), { windows: ['1h'] });
 */
import type { Clock, Logger, ObjectStore, SampleSource } from '../builder/ports.js';
import type { BuildDeps } from '../builder/run-build.js';
import { RollupStateCache } from '../builder/state-store.js';
import { FsObjectStore } from '../platform/fs-object-store.js';
import { nodeGzip } from '../platform/node-gzip.js';
import { systemClock } from '../platform/system-clock.js';

/** What a Pi build reads and writes: the snapshot directory, or a store over it (the API wraps it to see writes). */
export type PiBuildPorts = {
  /** The SQLite buffer (`sqlite/sqlite-buffer.ts`), or any `SampleSource` in tests. */
  source: SampleSource;
  deviceId: string;
  log: Logger;
  /** Default: the wall clock. */
  clock?: Clock;
  /** The process's saved-state cache: share one between every build of a process (the daemon's and its API's). Default: a new one. */
  stateCache?: RollupStateCache;
} & ({ snapshotDir: string } | { store: ObjectStore });

/** The `BuildDeps` of a Pi build (see the file header). */
export function piBuildDeps(ports: PiBuildPorts): BuildDeps {
  // Snapshots and rollup state can be rebuilt from the samples: no fsync (docs/operators.md, "What a power cut can lose").
  const store = 'store' in ports ? ports.store : new FsObjectStore(ports.snapshotDir, { fsync: false });
  return { source: ports.source, store, clock: ports.clock ?? systemClock, log: ports.log, deviceId: ports.deviceId, builder: 'pi', stateCache: ports.stateCache ?? new RollupStateCache(), gzip: nodeGzip };
}
