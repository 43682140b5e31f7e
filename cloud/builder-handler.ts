/**
 * The builder Lambda's handler logic, separated from its composition root (`lambda-builder.ts`) so
 * tests inject peers: EventBridge scheduled events build the windows they name for every device of
 * the fleet (discovered once per invocation, built `concurrency` at a time, one device's failure
 * isolated and counted in the fleet metrics line); SQS refresh jobs build theirs one record at a time and report failed records in
 * `batchItemFailures` (the queue redelivers only those). EMF lines per device run: `aws/build-metrics.ts`.
 * A refresh job from the API (`requestId` set, `deps.jobs` wired) is moved queued → running →
 * progress → done (with the built meta's `generatedAt`, and the `resultUrl` pinning its `versionId`) or failed in the jobs
 * table; a job already over (a redelivered message) is built again but its state is left alone.
 */
import { devicePrefix } from '../builder/constants.js';
import { readStoredMeta } from '../builder/publish.js';
import type { JobState } from '../api/ports.js';
import { JOB_ID_PATTERN } from '../api/ports.js';
import { resultUrlOf } from '../api/jobs-view.js';
import { fleetMetricsLine, runMetricsLines } from '../aws/build-metrics.js';
import { isSqsEvent, scheduledJob, sqsJob, type BuildJob } from './lambda-events.js';
import { runCloudBuild, type CloudRunDeps, type DeviceRunReport } from './cloud-build-run.js';

export interface BuilderHandlerDeps extends CloudRunDeps {
  /**
   * The fleet: devices built when a job names none (the catalogue index, `aws/dynamodb-devices.ts`).
   * Asked at most once per invocation, and only when a job names no device.
   */
  discoverDevices(): Promise<readonly string[]>;
  /** Devices built at once in one invocation (default `DEFAULT_BUILD_CONCURRENCY`). */
  concurrency?: number;
  /**
   * Fan-out of scheduled runs: a fleet larger than `devicesPerShard` is split into shards of at most
   * that many devices, one queued job each (`aws/sqs-build-shards.ts`), built by other invocations.
   * Absent: every scheduled run builds the whole fleet in its own invocation.
   */
  shards?: BuildShards;
  /** Where EMF lines go: stdout in Lambda (CloudWatch Logs extracts the metrics). */
  emit(line: string): void;
  /** Refresh-job state (the jobs table); without it SQS jobs are built but not tracked. */
  jobs?: RefreshJobLedger;
}

/** The job-state moves the builder makes (`DynamoDbJobStore` implements them). */
export interface RefreshJobLedger {
  get(requestId: string, nowMs: number): Promise<JobState | undefined>;
  markRunning(requestId: string): Promise<boolean>;
  markProgress(requestId: string, fraction: number): Promise<boolean>;
  markDone(job: JobState, result: { generatedAt: string; resultUrl: string; versionId?: string }): Promise<boolean>;
  markFailed(job: JobState, message: string): Promise<boolean>;
}

/**
 * Devices one invocation builds at once by default: a device's build is mostly waiting on DynamoDB and
 * S3, so 16 in flight keep the 1 GB builder busy without queueing on its sockets (docs/deploy-aws.md,
 * "A fleet"; figures in docs/bench.md, section fleet).
 */
export const DEFAULT_BUILD_CONCURRENCY = 16;

/**
 * Devices per shard when a scheduled run fans out: at the fleet bench's ≤ 0.3 s per device (16 at a
 * time) a shard of 50 is built in about 15 s, well inside the 1h window's 1-minute cadence and the
 * builder's 2-minute timeout (docs/bench.md, "Fleet").
 */
export const DEFAULT_DEVICES_PER_SHARD = 50;

/** Where a scheduled run's shards go (the shard queue). */
export interface BuildShards {
  devicesPerShard: number;
  /** Queue one job per shard. @throws when some could not be queued. */
  send(jobs: readonly BuildJob[]): Promise<void>;
}

/** `items` in consecutive slices of at most `size` (≥ 1), in order. @throws {RangeError} for a size below 1. */
export function shardsOf<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`shard size ${size}: expected an integer ≥ 1`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Done fraction reported once the snapshots are built, before the result is checked. */
const BUILT_FRACTION = 0.9;

/** Result of a scheduled invocation; SQS invocations answer the partial-batch shape. */
export interface ScheduledResult {
  reports: DeviceRunReport[];
  /** Shards queued instead of building here (fan-out); absent when this invocation built the fleet. */
  shards?: number;
}
export interface SqsBatchResult {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export function createBuilderHandler(deps: BuilderHandlerDeps): (event: unknown) => Promise<ScheduledResult | SqsBatchResult> {
  async function run(job: BuildJob, fleet: () => Promise<readonly string[]>): Promise<DeviceRunReport[]> {
    const deviceIds = job.deviceIds ?? await fleet();
    const startedMs = deps.clock.nowMs();
    const reports = await runCloudBuild(deps, { deviceIds, windows: job.windows, full: job.full, concurrency: deps.concurrency ?? DEFAULT_BUILD_CONCURRENCY });
    for (const r of reports) {
      const fields = { builder: 'lambda', windows: r.windows.join(','), samplesRead: r.samplesRead, built: r.built, stale: r.stale, wasFull: r.wasFull, requestId: job.requestId, error: r.error };
      for (const line of runMetricsLines(r, { tsMs: deps.clock.nowMs(), fields, log: deps.log })) deps.emit(line);
    }
    const failed = reports.filter((r) => r.error !== undefined || r.stale > 0);
    if (failed.length > 0) deps.log.warn('devices failed, the others were built', { failed: failed.length, devices: reports.length, deviceIds: failed.slice(0, 20).map((r) => r.deviceId) });
    const fields = { builder: 'lambda', windows: job.windows.join(','), requestId: job.requestId };
    deps.emit(fleetMetricsLine({ devices: reports.length, failedDevices: failed.length, durationMs: deps.clock.nowMs() - startedMs }, { tsMs: deps.clock.nowMs(), fields, log: deps.log }));
    return reports;
  }
  /** The fleet, discovered at most once per invocation (a failed discovery is not reused). */
  function fleetOfInvocation(): () => Promise<readonly string[]> {
    let ids: Promise<readonly string[]> | undefined;
    return () => {
      ids ??= deps.discoverDevices();
      ids.catch(() => { ids = undefined; });
      return ids;
    };
  }
  /** The live job a message names (marked running), or `undefined` when untracked or over. */
  async function trackedJob(requestId: string | undefined): Promise<JobState | undefined> {
    if (!deps.jobs || requestId === undefined || !JOB_ID_PATTERN.test(requestId)) return undefined;
    const job = await deps.jobs.get(requestId, deps.clock.nowMs());
    if (!job || job.status === 'done' || job.status === 'failed') return undefined;
    await deps.jobs.markRunning(requestId);
    return job;
  }
  /** Mark `job` done with its snapshot's meta `generatedAt`, or failed with the run's error. */
  async function settle(job: JobState, reports: DeviceRunReport[], isFailed: boolean): Promise<void> {
    const ledger = deps.jobs!;
    await ledger.markProgress(job.requestId, BUILT_FRACTION);
    const report = reports.find((r) => r.deviceId === job.device);
    if (isFailed || !report) {
      await ledger.markFailed(job, report?.error ?? `${report?.stale ?? 0} snapshot(s) of ${job.window} could not be built`);
      return;
    }
    const meta = await readStoredMeta(deps.bucket, devicePrefix(job.device), job.window, job.granularity);
    if (typeof meta?.generatedAt !== 'string') {
      await ledger.markFailed(job, 'the build wrote no meta');
      return;
    }
    // The version just published: the result URL pins it, so no edge cache holds an older copy of it.
    const versionId = meta.versionId ?? undefined;
    await ledger.markDone(job, { generatedAt: meta.generatedAt, versionId, resultUrl: resultUrlOf({ ...job, versionId }) });
  }
  return async (event) => {
    const fleet = fleetOfInvocation();
    if (isSqsEvent(event)) {
      const batchItemFailures: SqsBatchResult['batchItemFailures'] = [];
      for (const record of event.Records) {
        let tracked: JobState | undefined;
        try {
          const job = sqsJob(record);
          tracked = await trackedJob(job.requestId);
          const reports = await run(job, fleet);
          const isFailed = reports.some((r) => r.error || r.stale > 0);
          if (tracked) await settle(tracked, reports, isFailed);
          // A shard's failed devices are counted (fleet line, stale-builds alarm); redelivering the
          // shard would rebuild its good devices too, and the next schedule retries the bad ones.
          if (isFailed && !job.shard) batchItemFailures.push({ itemIdentifier: record.messageId });
        } catch (err) {
          deps.log.error('refresh job failed', { messageId: record.messageId, error: (err as Error).message });
          if (tracked) await deps.jobs!.markFailed(tracked, 'the build failed').catch(() => false);
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    }
    const job = scheduledJob(event);
    if (job.deviceIds === undefined && deps.shards) {
      const deviceIds = await fleet();
      if (deviceIds.length > deps.shards.devicesPerShard) {
        const jobs = shardsOf(deviceIds, deps.shards.devicesPerShard).map((ids) => ({ windows: job.windows, full: job.full, deviceIds: ids, shard: true }));
        await deps.shards.send(jobs);
        deps.log.info('scheduled run fanned out', { devices: deviceIds.length, shards: jobs.length, windows: job.windows.join(',') });
        return { reports: [], shards: jobs.length };
      }
    }
    return { reports: await run(job, fleet) };
  };
}
