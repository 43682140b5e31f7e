/**
 * The Pi daemon (`sensorctl run`), as a composition of the parts: the sampler writes the SQLite
 * buffer; each window's snapshots are rebuilt on its cadence (builds run one at a time); retention
 * trims the buffer hourly; the uploader drains to DynamoDB when a `cloud` section is configured,
 * and with `cloud.bucket` the Pi checks the cloud's metas at each window's cadence and pushes `fallback/`
 * snapshots while the cloud's builds keep failing;
 * the API, the page and `/metrics` are served over HTTP; with an `mqtt` section stored samples are
 * published to MQTT with Home Assistant discovery; systemd's watchdog is fed while samples are being
 * stored (and `STATUS=` says what the agent does). `stop()` undoes it all in
 * reverse order so nothing committed is lost.
 */
import { makeDirsSync } from '../platform/make-dirs.js';
import { join } from 'node:path';
import { resolveSnapshotDir, type Config } from '../agent/config/config.js';
import { JobScheduler, type JobSchedulerOptions } from '../agent/schedule/job-scheduler.js';
import type { MonotonicScheduler } from '../agent/sampling/ports.js';
import { nodeMonotonicScheduler } from '../platform/node-monotonic-scheduler.js';
import { localTimeZone } from '../platform/system-job-scheduler.js';
import { DEFAULT_FLOOR, FLOOR_CHECK_EVERY_MS, FREE_SPACE_FLOOR_BYTES, RETENTION_EVERY_MS, freeSpaceUnderFloor, retentionCutoffMs, runRetention } from '../agent/buffer/retention.js';
import { DEFAULT_SIMULATED, startSampler, type RunningSampler, type StartSamplerOptions } from './sampler-runtime.js';
import { BatchingBuffer } from '../agent/buffer/batching-buffer.js';
import { StorageFullError } from '../agent/buffer/errors.js';
import { samplingLiveness, staleAfterMsFor } from '../agent/sampling/liveness.js';
import { isCorruptionError, openAgentDatabase, requestQuarantine, type CorruptionRecord } from '../sqlite/database-recovery.js';
import type { SampleBuffer } from '../agent/buffer/ports.js';
import { databaseFileSizes, freeBytesAt } from '../sqlite/database-files.js';
import { WAL_CHECKPOINT_EVERY_MS, WAL_SIZE_LIMIT_BYTES, WAL_WARN_BYTES } from '../agent/buffer/wal.js';
import type { SqliteBuffer } from '../sqlite/sqlite-buffer.js';
import type { SqliteUploadQueue } from '../sqlite/sqlite-upload-queue.js';
import type { startUploads } from './upload-service.js';
import { startWatchdog, type WatchdogHandle } from '../systemd/systemd-notify.js';
import { systemClock } from '../platform/system-clock.js';
import { WINDOWS, WINDOW_NAMES, devicePrefix, type Window } from '../builder/constants.js';
import { fallbackCheckGroups } from '../agent/fallback/fallback.js';
import { gunzip, parseJsonBytes } from '../builder/codec.js';
import { readPublishedPayload } from '../builder/publish.js';
import type { Payload, SeriesInfo } from '../builder/types.js';
import type { Clock, Logger } from '../builder/ports.js';
import { runBuild, type BuildDeps } from '../builder/run-build.js';
import { piBuildDeps } from './pi-build-deps.js';
import { RollupStateCache, loadState } from '../builder/state-store.js';
import { FsObjectStore } from '../platform/fs-object-store.js';
import { createPiApi } from './pi-api.js';
import { WindowLocks } from './pi-fresh-builder.js';
import { startNodeServer, type RunningServer } from '../platform/node-http-api.js';
import { startObservability, type Observability } from './observability.js';

export interface DaemonOptions {
  config: Config;
  dataDir: string;
  /**
   * Where the builds write snapshots and rollup state and the API, metrics and health read them
   * (`snapshotDirOf` of cli/context.ts: the service's tmpfs). Default: `storage.snapshotDir`, else the data dir.
   */
  snapshotDir?: string;
  log: Logger;
  /** Where the page is (web/dist); undefined serves the API only. */
  staticDir?: string;
  /** Overrides of `config.http` (e.g. `--port`). */
  host?: string;
  port?: number;
  /**
   * The clocks of every schedule and of the sampler (default: system wall clock, Node monotonic
   * timers, the process's local zone). A virtual clock here runs the daemon in virtual time.
   */
  time?: DaemonTime;
  /** Free bytes under which retention deletes the oldest uploaded samples (default `FREE_SPACE_FLOOR_BYTES`; 0 turns it off). */
  freeSpaceFloorBytes?: number;
  /**
   * Overrides of the sensors' adapters (an emulated I²C bus, a 1-Wire sysfs tree in a directory):
   * virtual-time runs such as the soak (`bench/soak/`). Default: the real hardware adapters.
   */
  sensorDeps?: StartSamplerOptions['deps'];
  /**
   * Wraps the store the sampler's samples are committed to (below the batch, where the SQLite adapter
   * sits), e.g. to throw `StorageFullError` for a while: fault injection for virtual-time runs (the
   * soak's disk-full hour). Default: the SQLite buffer itself.
   */
  wrapSampleStore?: (store: SampleBuffer) => SampleBuffer;
  /**
   * Cadence of each window's scheduled builds, ms (default `WINDOWS[w].rebuildEveryMs`: 30 s to
   * 15 min, about 3,800 builds a day). The soak builds less often so a simulated year is not spent
   * rebuilding the hour window every 30 s; the builds still run on the scheduler and are checked.
   */
  rebuildEveryMs?: (window: Window) => number;
}

/** Wall clock (stamps, daily jobs), monotonic timers (every cadence), IANA zone of daily jobs. */
export interface DaemonTime {
  clock: Clock;
  timers: MonotonicScheduler;
  timeZone: JobSchedulerOptions['timeZone'];
}

export interface RunningDaemon {
  url: string;
  buffer: SqliteBuffer;
  /**
   * Resolves when a write found the database damaged while running (a quarantine request is then on
   * disk): stop this daemon and start a new one, whose open moves the file aside (`sensorctl run` does).
   */
  damaged: Promise<void>;
  /** Resolves when the first build of every window has finished. */
  firstBuild: Promise<void>;
  /** True while a build is queued or running, or a sensor read is in flight (virtual-time runs wait for it). */
  isBusy(): boolean;
  stop(): Promise<void>;
}

/** Runs async tasks one at a time, in order (builds share the buffer's read connection and fsync). */
export function serialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

function buildWindow(deps: BuildDeps, window: Window, log: Logger): Promise<void> {
  return runBuild(deps, { windows: [window] }).then((report) => {
    const failed = report.snapshots.filter((s) => !s.ok);
    const fields = { window, ms: report.durationMs, samplesRead: report.samplesRead };
    if (failed.length) log.warn('build failed for some snapshots', { ...fields, failed: failed.map((s) => `${s.window}/${s.granularity}: ${s.error}`).join('; ') });
    else log.debug('build done', fields);
    if (report.sweptKeys.length) log.info('deleted the files of the earlier per-snapshot layout (one window object per window now)', { window, files: report.sweptKeys.length });
  });
}

/** Retention: count and log (loudly) unsent rows the 365-day limit forces out, then delete in small steps. */
async function retentionJob(buffer: SqliteBuffer, uploadQueue: SqliteUploadQueue, hasUplink: boolean, clock: Clock, log: Logger): Promise<void> {
  if (hasUplink) {
    const lost = uploadQueue.dropPendingOlderThan(retentionCutoffMs(clock.nowMs()));
    if (lost > 0) log.error('retention dropped samples that were never uploaded (older than 365 days)', { items: lost });
  }
  const r = await runRetention(buffer, clock, () => new Promise((done) => setImmediate(done)));
  if (r.deleted > 0) log.info('retention deleted old samples', { rows: r.deleted, cutoff: new Date(r.cutoffMs).toISOString(), partial: r.isPartial });
}

/**
 * The sampler's buffer, watched: the first insert that finds the file damaged (SQLITE_CORRUPT or
 * NOTADB) leaves a quarantine request and calls `onDamaged` once; the error still reaches the sampler.
 */
export function watchForDamage<B extends SampleBuffer>(inner: B, dbPath: string, clock: Clock, log: Logger, onDamaged: () => void): SampleBuffer {
  let isReported = false;
  const insert: SampleBuffer['insert'] = (deviceId, samples, states) => {
    try {
      return inner.insert(deviceId, samples, states);
    } catch (err) {
      if (!isReported && isCorruptionError(err)) {
        isReported = true;
        requestQuarantine(dbPath, clock.nowMs(), err);
        log.error('database damaged while running: restarting on a fresh database', { path: dbPath, error: err as Error });
        onDamaged();
      }
      throw err;
    }
  };
  return new Proxy(inner, { get: (target, prop) => (prop === 'insert' ? insert : typeof target[prop as keyof B] === 'function' ? (target[prop as keyof B] as (...a: unknown[]) => unknown).bind(target) : target[prop as keyof B]) });
}

/**
 * After the damaged database was moved aside: say so loudly, and continue the fresh file's builder
 * journal after the highest cursor of the saved rollup states, so the next builds fold the new
 * samples into the history the snapshots already show instead of starting them from empty.
 */
async function continueAfterRecovery(recovered: CorruptionRecord, buffer: SqliteBuffer, snapshotDir: string, deviceId: string, log: Logger): Promise<void> {
  log.error('database damaged: moved aside, sampling goes on into a fresh database', {
    reason: recovered.reason, movedTo: recovered.movedTo, files: recovered.movedFiles.length, recover: `sqlite3 ${recovered.movedTo} ".recover" | sqlite3 recovered.db`,
  });
  const store = new FsObjectStore(snapshotDir, { fsync: false });
  let highest = 0;
  for (const w of WINDOW_NAMES) {
    const cursor = await loadState(store, devicePrefix(deviceId), w, deviceId).then((s) => s.state?.cursor, () => undefined);
    if (cursor !== undefined && /^\d+$/.test(cursor)) highest = Math.max(highest, Number(cursor));
  }
  if (highest > 0) buffer.continueJournalAfter(highest);
  // The builds draw the series the buffer knows: declare again those the snapshots show.
  const series = new Map<string, SeriesInfo>();
  for (const w of WINDOW_NAMES) {
    for (const s of await builtSeries(store, deviceId, w)) {
      series.set(s.id, { deviceId, seriesId: s.id, sensorId: s.id.includes('.') ? s.id.slice(0, s.id.lastIndexOf('.')) : s.id, metric: s.metric, unit: s.unit, kind: s.kind });
    }
  }
  if (series.size) buffer.defineSeries([...series.values()]);
}

/** The series of a window's built 20-point snapshot; empty when there is none or it is unreadable. */
async function builtSeries(store: FsObjectStore, deviceId: string, w: Window): Promise<Payload['series']> {
  try {
    const payload = await readPublishedPayload(store, devicePrefix(deviceId), w, 20);
    if (!payload) return [];
    return (parseJsonBytes(await gunzip(payload.body)) as Payload).series ?? [];
  } catch {
    return [];
  }
}

/**
 * Fold the WAL back into the main file and truncate it (agent/buffer/wal.ts says why). Never waits:
 * while another connection (an export, `status`, the API's fresh build) reads, it is postponed to the
 * next slot; postponing a big WAL is a warning.
 */
function walCheckpointJob(buffer: SqliteBuffer, log: Logger): void {
  const walBytes = databaseFileSizes(buffer.path).walBytes;
  if (buffer.checkpoint()) {
    if (walBytes > WAL_SIZE_LIMIT_BYTES) log.info('WAL checkpointed and truncated', { path: `${buffer.path}-wal`, walBytesBefore: walBytes });
  } else {
    log[walBytes > WAL_WARN_BYTES ? 'warn' : 'debug']('WAL checkpoint postponed: another connection is reading', { path: `${buffer.path}-wal`, walBytes });
  }
}

/**
 * The free-space floor (agent/buffer/retention.ts): under it, delete the oldest samples retention may
 * (already uploaded, with an uplink) until the database has room again, and say so loudly.
 */
function floorJob(buffer: SqliteBuffer, dataDir: string, floorBytes: number, log: Logger): () => Promise<void> {
  let isUnder = false; // a quiet minute under the floor is logged once, deletions every time
  return async () => {
    const freeBytes = freeBytesAt(dataDir);
    if (freeBytes === undefined || freeBytes >= floorBytes) {
      if (isUnder) log.info('free space back above the floor', { path: dataDir, freeBytes });
      isUnder = false;
      return;
    }
    const r = await freeSpaceUnderFloor(buffer, freeBytes, () => new Promise((done) => setImmediate(done)), { ...DEFAULT_FLOOR, floorBytes });
    const fields = { path: dataDir, freeBytes, floorBytes, reusableBytes: r.reusableBytes };
    if (r.deleted > 0) log.error('free space below the floor: deleted the oldest samples retention allows (already uploaded) to keep sampling', { ...fields, rows: r.deleted, before: new Date(r.cutoffMs!).toISOString() });
    else if (!isUnder) log.warn('free space below the floor; the database still has room for new samples, or nothing may be deleted (not uploaded yet)', fields);
    isUnder = true;
  };
}

/**
 * With a snapshot bucket configured: read the cloud's metas at each window's cadence
 * (`fallbackCheckGroups`); push `fallback/` snapshots when
 * the cloud's builds keep failing (`runBuild` into the bucket's `fallback/`). The S3 adapters are
 * loaded only then (they pull in the AWS SDK, ~0.2 s of start-up a Pi without a bucket should not pay).
 */
async function startFallbackChecks(deviceId: string, bucket: string, buffer: SqliteBuffer, queue: ReturnType<typeof serialQueue>, jobs: JobScheduler, clock: Clock, log: Logger): Promise<void> {
  const [{ S3ObjectStore }, { createS3Client }, { FallbackRunner }] = await Promise.all([
    import('../aws/s3-object-store.js'),
    import('../aws/clients.js'),
    import('../agent/fallback/fallback-runner.js'),
  ]);
  const runner = new FallbackRunner({
    deviceId, bucket: new S3ObjectStore(createS3Client(process.env), bucket), source: buffer, build: runBuild, clock, log,
  });
  for (const { everyMs, windows } of fallbackCheckGroups()) {
    jobs.every(`fallback check ${windows.join('+')}`, everyMs, () => queue(() => runner.check(windows)));
  }
}

/**
 * Start everything. Throws (before anything is left running) when the database or the HTTP port
 * cannot be opened.
 */
export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const { config, log } = options;
  makeDirsSync(options.dataDir);
  // Without an environment: the caller (`sensorctl run`) resolves $RUNTIME_DIRECTORY and the installed layout.
  const snapshotDir = options.snapshotDir ?? resolveSnapshotDir(config.storage, { dataDir: options.dataDir, installedDataDir: '', installedRuntimeDirExists: () => false });
  // The zone as a function: looked up only if a daily job or a clock step needs local time (ICU's data stays unloaded).
  const time = options.time ?? { clock: systemClock, timers: nodeMonotonicScheduler, timeZone: localTimeZone };
  // One connection for the buffer and the upload queue (the daemon's writes share its transactions).
  // A damaged file is moved aside and a fresh one opened (sqlite/database-recovery.ts).
  const { db, buffer, uploadQueue, recovered } = openAgentDatabase(join(options.dataDir, 'sensorctl.db'), () => time.clock.nowMs());
  if (recovered) await continueAfterRecovery(recovered, buffer, snapshotDir, config.deviceId, log);
  // Every periodic job on the monotonic clock (wall-clock steps and DST never stall or burst them).
  const jobs = new JobScheduler({ ...time, log });
  let sampler: RunningSampler | undefined;
  let server: RunningServer | undefined;
  let uploads: ReturnType<typeof startUploads>;
  let watchdog: WatchdogHandle | undefined;
  let refreshJobs: { idle(): Promise<void> } | undefined;
  let obs: Observability | undefined;
  const stop = async () => {
    await watchdog?.stop();
    await uploads?.schedule.stop(); // first: an upload run in a backoff ends at once, and jobs.stop() awaits it
    await jobs.stop();
    uploads?.service.close();
    await server?.close();
    await refreshJobs?.idle();
    await sampler?.stop();
    commitHeld(); // the samples held since the last commit
    await obs?.stop();
    await queue(async () => undefined); // let a running build finish
    buffer.close();
  };
  const queue = serialQueue();
  let signalDamaged = () => {};
  const damaged = new Promise<void>((resolve) => (signalDamaged = resolve));
  // A damaged database is detected where samples reach SQLite: each insert, or the batch's commit.
  const watched = watchForDamage(options.wrapSampleStore?.(buffer) ?? buffer, buffer.path, time.clock, log, () => signalDamaged());
  // Samples are held in memory and committed together every storage.commitEveryMs (0: each as taken).
  const batch = config.storage.commitEveryMs > 0 ? new BatchingBuffer(watched) : undefined;
  const commitHeld = () => {
    try {
      batch?.flush();
    } catch (err) {
      // A full disk is named once by the sampler (its next reading meets the same error); others here.
      if (err instanceof StorageFullError) log.debug('commit refused: disk full; held samples wait for space', { held: batch?.heldSamples(), error: err.message });
      else log.error('committing the held samples failed; they stay held for the next commit', { held: batch?.heldSamples(), error: err as Error });
    }
  };
  try {
    // The upload queue protects samples not yet uploaded from retention.
    buffer.addRetentionGuard(uploadQueue.pendingSamplesGuard());
    // One lock per window, shared with the API's refresh jobs, so a scheduled build and a refresh of
    // the same window never run at once; the queue runs the scheduled builds one at a time.
    const locks = new WindowLocks();
    const stateCache = new RollupStateCache(); // the saved rollup states, shared by scheduled and refresh builds
    // Claim the HTTP port first: a port in use must stop the daemon before it samples or rebuilds anything.
    const pi = createPiApi({ snapshotDir, deviceId: config.deviceId, buffer, sampleDevices: () => buffer.deviceIdsWithSamples(), locks, stateCache, log, clock: time.clock, options: { corsOrigins: config.http.corsOrigins } });
    refreshJobs = pi.jobs;
    // /metrics and MQTT (docs/prometheus.md, docs/home-assistant.md) see what the sampler stores through obs.buffer.
    obs = await startObservability({ config, snapshotDir, db, buffer, log, clock: time.clock, sink: batch ?? watched });
    server = await startNodeServer(pi.api, options.host ?? config.http.host, options.port ?? config.http.port, { ...(options.staticDir ? { staticDir: options.staticDir } : {}), routes: obs.routes });
    await obs.startMqtt();
    // The upload path (and the AWS SDK it pulls in) is loaded only with a `cloud` uplink configured;
    // without one the queue is disabled (no enqueuing; retention no longer holds unsent rows).
    if (config.cloud) uploads = (await import('./upload-service.js')).startUploads({ db, cloud: config.cloud, log, jobs, clock: time.clock, timers: time.timers });
    else uploadQueue.setEnabled(false);
    sampler = await startSampler({ deviceId: config.deviceId, sensors: config.sensors, buffer: obs.buffer, log, clock: time.clock, scheduler: time.timers, deps: options.sensorDeps });
    // Scheduled builds write through the API's publishing store: its read cache forgets them and pages hear of them at once (GET /samples/builds).
    const deps = piBuildDeps({ source: buffer, store: pi.publishingStore(new FsObjectStore(snapshotDir, { fsync: false })), deviceId: config.deviceId, log, clock: time.clock, stateCache });
    let pendingBuilds = 0;
    const build = (w: Window) => {
      pendingBuilds++;
      return queue(() => locks.run(config.deviceId, w, () => obs!.timeBuild(w, () => buildWindow(deps, w, log)))).finally(() => pendingBuilds--);
    };
    const firstBuild = Promise.all(WINDOW_NAMES.map(build)).then(() => log.info('snapshots built', { windows: WINDOW_NAMES.length }));
    for (const w of WINDOW_NAMES) jobs.every(`build ${w}`, options.rebuildEveryMs?.(w) ?? WINDOWS[w].rebuildEveryMs, () => build(w));
    if (config.cloud?.bucket) await startFallbackChecks(config.deviceId, config.cloud.bucket, buffer, queue, jobs, time.clock, log);
    // After the builds in the queue, so the daemon's own reads never hold the WAL it truncates.
    jobs.every('wal checkpoint', WAL_CHECKPOINT_EVERY_MS, () => queue(async () => walCheckpointJob(buffer, log)));
    const floor = floorJob(buffer, options.dataDir, options.freeSpaceFloorBytes ?? FREE_SPACE_FLOOR_BYTES, log);
    jobs.every('free-space floor', FLOOR_CHECK_EVERY_MS, () => queue(floor));
    if (batch) jobs.every('sample commit', config.storage.commitEveryMs, async () => commitHeld());
    jobs.every('retention', RETENTION_EVERY_MS, () => retentionJob(buffer, uploadQueue, Boolean(config.cloud), time.clock, log));
    const staleAfterMs = staleAfterMsFor((config.sensors.length ? config.sensors : [DEFAULT_SIMULATED]).map((s) => s.intervalMs));
    const health = () => samplingLiveness(sampler!.sampler.progress(), staleAfterMs, config.cloud ? uploadQueue.backlog(time.clock.nowMs()).items : undefined);
    watchdog = startWatchdog({ log, health });
    const isBusy = () => pendingBuilds > 0 || sampler!.sampler.isBusy;
    return { url: server.url, buffer, firstBuild, isBusy, stop, damaged };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
