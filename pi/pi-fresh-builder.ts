/**
 * The Pi's `FreshBuilder` (api/ports.ts) over the builder core and the SQLite buffer, and the
 * per-window lock that keeps refresh jobs and the daemon's scheduled builds apart.
 *
 * ## `WindowLocks`: one build per device/window at a time
 * Both a refresh job (`PiFreshBuilder.build`) and the daemon's scheduled build of a window run
 * `runBuild` over the same rollup state and the same snapshot keys; two runs of one window at once
 * would race on the saved state and publish out of order. Every builder of a window on the Pi must
 * therefore go through ONE shared `WindowLocks` instance:
 * ```ts
 * const locks = new WindowLocks();
 * // daemon, on the window's cadence:
 * await locks.run(deviceId, w, () => runBuild(piBuildDeps({ source: buffer, dataDir, deviceId, log }), { windows: [w] }));
 * // or several windows in one run (one shared range read):
 * await locks.runMany(deviceId, ws, () => runBuild(piBuildDeps({ source: buffer, dataDir, deviceId, log }), { windows: ws }));
 * // API (refresh jobs and fresh=true): the same `locks`
 * createPiApi({ dataDir, deviceId, buffer, locks, log });
 * ```
 * Waiters are served in arrival order (FIFO). Different windows never wait for each other.
 *
 * ## What `build` does
 * Under the window's lock: `runBuild(deps, { windows: [w] })` at the clock's now (incremental from the
 * saved rollup state and the buffer's journal, or a full range read when there is no usable state),
 * which publishes the window's four snapshots and metas; then returns the payload of the requested
 * granularity as just published. So `fresh=true` (within the API's budget) and `POST /samples/refresh`
 * both compute from the raw rows as of now, and both leave the stored snapshots up to date.
 * Progress: 0 while waiting for the lock, 0.1 once it is held, 0.9 once the window object (all four
 * payloads, one put) is written.
 * Rejects (the job ends `failed`) with the builder's own error when the requested snapshot failed.
 */
import { WINDOW_NAMES, devicePrefix, windowObjectKey, type Window } from '../builder/constants.js';
import type { Clock, Logger, ObjectStore, SampleSource } from '../builder/ports.js';
import { runBuild } from '../builder/run-build.js';
import { readPublishedPayload } from '../builder/publish.js';
import type { RollupStateCache } from '../builder/state-store.js';
import type { Payload } from '../builder/types.js';
import { decodePayload } from '../api/snapshots.js';
import { FreshBuildError, type BuildRequest, type FreshBuilder } from '../api/ports.js';
import { piBuildDeps } from './pi-build-deps.js';

/** Releases a lock taken with `WindowLocks.acquire`; calling it twice is harmless. */
export type ReleaseLock = () => void;

/**
 * A FIFO mutex per device/window (see the file header). Keys are `device/window`; an idle key holds
 * no memory.
 */
export class WindowLocks {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly held = new Set<string>();

  private static keyOf(deviceId: string, window: Window): string {
    return `${deviceId}/${window}`;
  }

  /** Wait for the lock of `deviceId`/`window`; resolve with its release function. */
  async acquire(deviceId: string, window: Window): Promise<ReleaseLock> {
    const key = WindowLocks.keyOf(deviceId, window);
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    this.held.add(key);
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      this.held.delete(key);
      if (this.tails.get(key) === tail) this.tails.delete(key);
      release();
    };
  }

  /** Run `fn` while holding the lock of `deviceId`/`window`; the lock is released however `fn` ends. */
  async run<T>(deviceId: string, window: Window, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(deviceId, window);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * Run `fn` holding the locks of several windows (e.g. a scheduled `runBuild` of all six, which shares
   * one range read). Locks are taken one by one in `WINDOW_NAMES` order, so two such callers never
   * deadlock; all are released however `fn` ends.
   */
  async runMany<T>(deviceId: string, windows: readonly Window[], fn: () => Promise<T>): Promise<T> {
    const releases: ReleaseLock[] = [];
    try {
      for (const w of WINDOW_NAMES) if (windows.includes(w)) releases.push(await this.acquire(deviceId, w));
      return await fn();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** True while someone holds the lock of `deviceId`/`window`. */
  isHeld(deviceId: string, window: Window): boolean {
    return this.held.has(WindowLocks.keyOf(deviceId, window));
  }
}

/** What `PiFreshBuilder` needs: the buffer (as `SampleSource`), the data dir's store, and the shared locks. */
export interface PiFreshBuilderDeps {
  /** The SQLite buffer (`sqlite/sqlite-buffer.ts`) or any `SampleSource`. */
  source: SampleSource;
  /** Where snapshots are published: `new FsObjectStore(dataDir)`. */
  store: ObjectStore;
  clock: Clock;
  log: Logger;
  /** Shared with the daemon's scheduled builds. */
  locks: WindowLocks;
  /** Shared with the daemon's scheduled builds, so a refresh's saved state is the one the next scheduled build continues from. */
  stateCache?: RollupStateCache;
}

/** `FreshBuilder` for the Pi (see the file header). */
export class PiFreshBuilder implements FreshBuilder {
  constructor(private readonly deps: PiFreshBuilderDeps) {}

  /**
   * Rebuild `request.window` under its lock and return the `request.granularity` payload as published.
   * @param onProgress done fraction: 0 (waiting for the lock), 0.1 (lock held), 0.9 (window object written).
   * @throws {FreshBuildError} (api/ports.ts) when that snapshot failed; its message is the builder's report's.
   */
  async build(request: BuildRequest, onProgress?: (fraction: number) => void): Promise<Payload> {
    const { device, window, granularity } = request;
    onProgress?.(0);
    return this.deps.locks.run(device, window, async () => {
      onProgress?.(0.1);
      const key = `${devicePrefix(device)}${windowObjectKey(window)} (${granularity})`;
      const store = progressStore(this.deps.store, devicePrefix(device) + windowObjectKey(window), () => onProgress?.(WRITTEN_FRACTION));
      const report = await runBuild(piBuildDeps({ source: this.deps.source, store, clock: this.deps.clock, log: this.deps.log, deviceId: device, stateCache: this.deps.stateCache }), { windows: [window] });
      const snapshot = report.snapshots.find((s) => s.window === window && s.granularity === granularity);
      // The report says `Name: message`; a plain `Error: ` adds nothing for the reader.
      if (!snapshot?.ok) throw new FreshBuildError(request, (snapshot?.error ?? `snapshot ${key} was not built`).replace(/^Error: /, ''));
      const object = await readPublishedPayload(this.deps.store, devicePrefix(device), window, granularity);
      if (!object) throw new FreshBuildError(request, `snapshot ${key} vanished right after it was published`);
      return decodePayload(object);
    });
  }
}

/** Progress once the window object is written. */
const WRITTEN_FRACTION = 0.9;

/** `store` that calls `onWritten` each time `objectKey` (the window object) is written. */
function progressStore(store: ObjectStore, objectKey: string, onWritten: () => void): ObjectStore {
  return {
    put: async (key, body, headers, options) => {
      const result = await store.put(key, body, headers, options);
      if (key === objectKey) onWritten();
      return result;
    },
    get: (key, options) => store.get(key, options),
    head: (key) => store.head(key),
    delete: (key) => store.delete(key),
    list: (prefix2) => store.list(prefix2),
  };
}
