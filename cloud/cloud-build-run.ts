/**
 * One cloud build run over several devices (core over ports; shared by the Lambda and
 * `sensorctl rebuild --cloud`). Per device: one window object per window (snapshots and rollup state)
 * under `snapshots/{deviceId}/`, the run health at `state/{deviceId}/run-health.json`, a metered source; calls
 * `runBuild` (injected as `RunBuild`), then reports items read, RCU, duration and, per window,
 * ConsecutiveStaleBuilds (the largest `consecutiveFailures` in the window's meta, or the number of
 * consecutive runs that failed as a whole, whichever is larger) and the snapshot age.
 */
import { GRANULARITIES, devicePrefix, type Window } from '../builder/constants.js';
import type { Clock, Logger, ObjectStore, SampleSource } from '../builder/ports.js';
import { wasRebuiltInFull, type BuildReport, type RunBuild, type SnapshotReport } from '../builder/run-build.js';
import { readWindowMetas } from '../builder/publish.js';
import type { SourceStats } from '../aws/dynamodb-source.js';
import type { WindowHealth } from '../aws/build-metrics.js';

/** Key of a device's run-health object (`{ consecutiveFailedRuns, lastError }`). */
export const healthKey = (deviceId: string): string => `state/${deviceId}/run-health.json`;

const JSON_PLAIN = { contentType: 'application/json', cacheControl: 'no-store' } as const;

/** A `SampleSource` that counts what it read. */
export type MeteredSource = SampleSource & { stats(): SourceStats };

export interface CloudRunDeps {
  /** The whole bucket. */
  bucket: ObjectStore;
  /** A fresh metered source per device (the SDK client inside is shared). */
  sourceFor(deviceId: string): MeteredSource;
  /** `runBuild` (builder/run-build.ts); tests pass a fake of its type. */
  build: RunBuild;
  clock: Clock;
  log: Logger;
}

export interface CloudRunOptions {
  deviceIds: readonly string[];
  windows: readonly Window[];
  full?: boolean;
  atMs?: number;
  /** Devices built at once (default 1). The Lambda's work is I/O waits, so 16 keep one vCPU busy. */
  concurrency?: number;
}

/** What one device's run did. Times in ms. */
export interface DeviceRunReport {
  deviceId: string;
  windows: Window[];
  itemsRead: number;
  consumedRcu: number;
  durationMs: number;
  samplesRead: number;
  built: number;
  stale: number;
  wasFull: boolean;
  consecutiveStaleBuilds: number;
  /** Per window of the run, its snapshots' health after it (what the metrics report per window). */
  windowHealth: WindowHealth[];
  /** Set when the device's build failed as a whole (source unreachable, state unreadable, …). */
  error?: string;
}

/**
 * Each window's health as its 4 snapshots' meta say: the largest `consecutiveFailures` (an
 * unreadable meta counts 0) and the age at `nowMs` of the oldest good payload (null before any).
 * A snapshot's meta is the one this run wrote (`written`, from the build report); only a window
 * the run wrote no meta for (a run that failed as a whole, a failed stale record) is read back from
 * the bucket (one GET of its window object).
 */
async function windowHealthOf(
  bucket: ObjectStore, prefix: string, windows: readonly Window[], nowMs: number, written: readonly SnapshotReport[],
): Promise<Array<Omit<WindowHealth, 'consecutiveStaleBuilds'> & { failures: number }>> {
  return Promise.all(windows.map(async (window) => {
    const own = GRANULARITIES.map((g) => written.find((s) => s.window === window && s.granularity === g)?.meta);
    const stored = own.every((m) => m !== undefined) ? undefined : await readWindowMetas(bucket, prefix, window).catch(() => undefined);
    const metas = GRANULARITIES.map((g, i) => own[i] ?? stored?.get(g));
    const failures = Math.max(0, ...metas.map((m) => m?.consecutiveFailures ?? 0));
    const built = metas.map((m) => m?.generatedAt).filter((at): at is string => typeof at === 'string').map((at) => Date.parse(at));
    const snapshotAgeMs = built.length === GRANULARITIES.length ? Math.max(0, nowMs - Math.min(...built)) : null;
    return { window, failures, snapshotAgeMs };
  }));
}

async function readHealth(bucket: ObjectStore, deviceId: string): Promise<number> {
  const o = await bucket.get(healthKey(deviceId)).catch(() => undefined);
  if (!o) return 0;
  const n = (JSON.parse(new TextDecoder().decode(o.body)) as { consecutiveFailedRuns?: unknown }).consecutiveFailedRuns;
  return typeof n === 'number' ? n : 0;
}

async function runDevice(deps: CloudRunDeps, options: CloudRunOptions, deviceId: string): Promise<DeviceRunReport> {
  const startedMs = deps.clock.nowMs();
  const source = deps.sourceFor(deviceId);
  const failedRuns = await readHealth(deps.bucket, deviceId);
  let result: BuildReport | undefined;
  let error: string | undefined;
  try {
    result = await deps.build(
      { source, store: deps.bucket, clock: deps.clock, log: deps.log, deviceId, builder: 'lambda', prefix: devicePrefix(deviceId) },
      { windows: options.windows, full: options.full, atMs: options.atMs },
    );
  } catch (err) {
    error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    deps.log.error('device build failed', { deviceId, error });
  }
  const nowFailedRuns = error ? failedRuns + 1 : 0;
  if (nowFailedRuns !== failedRuns) {
    const body = JSON.stringify({ consecutiveFailedRuns: nowFailedRuns, lastError: error ?? null });
    await deps.bucket.put(healthKey(deviceId), new TextEncoder().encode(body), JSON_PLAIN).catch((e: Error) => deps.log.warn('run health not saved', { deviceId, error: e.message }));
  }
  const snapshots = result?.snapshots ?? [];
  const health = await windowHealthOf(deps.bucket, devicePrefix(deviceId), options.windows, deps.clock.nowMs(), snapshots);
  const windowHealth = health.map(({ window, failures, snapshotAgeMs }) => ({ window, consecutiveStaleBuilds: Math.max(nowFailedRuns, failures), snapshotAgeMs }));
  const stats = source.stats();
  return {
    deviceId,
    windows: [...options.windows],
    itemsRead: stats.itemsRead,
    consumedRcu: stats.consumedRcu,
    durationMs: deps.clock.nowMs() - startedMs,
    samplesRead: result?.samplesRead ?? 0,
    built: snapshots.filter((s) => s.ok).length,
    stale: snapshots.filter((s) => !s.ok).length,
    wasFull: result ? wasRebuiltInFull(result) : false,
    consecutiveStaleBuilds: Math.max(nowFailedRuns, ...windowHealth.map((h) => h.consecutiveStaleBuilds)),
    windowHealth,
    ...(error ? { error } : {}),
  };
}

/**
 * `fn` over `items` with at most `limit` calls in flight (≥ 1); results in `items` order. A rejection of
 * `fn` rejects the whole (callers isolate their own errors, as `runCloudBuild` does). Pure: no timers.
 * @throws {RangeError} when `limit` is not a positive integer.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`concurrency ${limit}: expected an integer ≥ 1`);
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The report of a device whose run threw before `runDevice` could report (its run-health object unreadable, …). */
function failedReport(options: CloudRunOptions, deviceId: string, err: unknown): DeviceRunReport {
  return {
    deviceId, windows: [...options.windows], itemsRead: 0, consumedRcu: 0, durationMs: 0, samplesRead: 0, built: 0, stale: 0,
    wasFull: false, consecutiveStaleBuilds: 0, windowHealth: [], error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
  };
}

/**
 * Build `options.windows` for each device, `options.concurrency` devices at a time (default 1: in
 * turn); reports in `deviceIds` order. Never throws for one device's failure: its report carries
 * `error` and the other devices are built all the same.
 */
export async function runCloudBuild(deps: CloudRunDeps, options: CloudRunOptions): Promise<DeviceRunReport[]> {
  return mapBounded(options.deviceIds, options.concurrency ?? 1, async (deviceId) => {
    try {
      return await runDevice(deps, options, deviceId);
    } catch (err) {
      deps.log.error('device run failed', { deviceId, error: (err as Error)?.message ?? String(err) });
      return failedReport(options, deviceId, err);
    }
  });
}
