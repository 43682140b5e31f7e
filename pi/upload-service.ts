/**
 * Wiring of the upload path for the composition roots (`sensorctl run`, `push`, `status`): builds the
 * queue on the agent's database, the DynamoDB client and sink, and the uploader from the `cloud`
 * config. Credentials come from the SDK's default chain; the endpoint from `AWS_ENDPOINT_URL_DYNAMODB`
 * (else `AWS_ENDPOINT_URL`) in `process.env`.
 */
import { systemClock } from '../platform/system-clock.js';
import { nodeMonotonicScheduler } from '../platform/node-monotonic-scheduler.js';
import type { MonotonicScheduler } from '../agent/sampling/ports.js';
import type { Clock, Logger } from '../builder/ports.js';
import type { Db } from '../sqlite/sqlite-db.js';
import type { CloudConfig } from '../agent/config/upload-config.js';
import { createDynamoClient } from '../aws/clients.js';
import { DynamoDbSink, UPLOAD_CLIENT_OPTIONS } from '../aws/dynamodb-sink.js';
import type { Item } from '../aws/dynamodb-item.js';
import { SqliteUploadQueue } from '../sqlite/sqlite-upload-queue.js';
import { startUploadSchedule, type UploadSchedule } from './upload-scheduler.js';
import type { JobScheduler } from '../agent/schedule/job-scheduler.js';
import { Uploader, type UploaderOptions } from '../agent/upload/uploader.js';

/** Lease length: longer than a batch can take with all attempts (8 × ≤ 20 s backoff + 15 s timeouts). */
export const UPLOAD_LEASE_MS = 10 * 60_000;


export interface UploadService {
  queue: SqliteUploadQueue;
  uploader: Uploader<Item>;
  table: string;
  /** Start the scheduled runs (`cloud.uploadEvery`), on `jobs` when given (the daemon's scheduler). */
  schedule(jobs?: JobScheduler): UploadSchedule;
  close(): void;
}

/**
 * Build the upload path on `db` (the buffer's connection or another one to the same file) and enable
 * the queue (new samples get enqueued from now on).
 */
export function createUploadService(options: {
  db: Db;
  cloud: CloudConfig;
  log: Logger;
  /** Overrides `cloud.table` (`--table`). */
  table?: string;
  /** Enable the queue (default true). False for a one-off push without a configured uplink. */
  enable?: boolean;
  /** Stamps leases and the run marks (default the system clock; the daemon passes its own, virtual in tests and the soak). */
  clock?: Clock;
  /** Timers of the backoff waits (default Node's monotonic timers; the daemon passes its own). */
  timers?: MonotonicScheduler;
  uploader?: Partial<UploaderOptions>;
}): UploadService {
  const { db, cloud, log } = options;
  const table = options.table ?? cloud.table;
  const queue = SqliteUploadQueue.open(db);
  if (options.enable ?? true) queue.setEnabled(true);
  const client = createDynamoClient(process.env, { ...UPLOAD_CLIENT_OPTIONS, region: cloud.region });
  const uploader = new Uploader(queue, new DynamoDbSink(client, table), options.clock ?? systemClock, options.timers ?? nodeMonotonicScheduler, log, {
    batchItems: cloud.batchItems,
    maxInFlight: cloud.maxInFlight,
    chunkItems: cloud.chunkItems,
    attempts: cloud.attempts,
    leaseMs: UPLOAD_LEASE_MS,
    ...options.uploader,
  });
  return {
    queue,
    uploader,
    table,
    schedule: (jobs) => startUploadSchedule(uploader, queue, cloud.uploadEveryMs, log, jobs),
    close: () => client.destroy(),
  };
}

/**
 * For `sensorctl run`: with a `cloud` config, build the upload path, enable the queue and start the
 * schedule; without one, disable the queue (no enqueuing; retention no longer holds unsent rows).
 * @returns the running service and schedule (stop the schedule, then close the service), or undefined.
 */
export function startUploads(options: { db: Db; cloud: CloudConfig | undefined; log: Logger; jobs?: JobScheduler; clock?: Clock; timers?: MonotonicScheduler }): { service: UploadService; schedule: UploadSchedule } | undefined {
  if (!options.cloud) {
    SqliteUploadQueue.open(options.db).setEnabled(false);
    return undefined;
  }
  const service = createUploadService({ db: options.db, cloud: options.cloud, log: options.log, clock: options.clock, timers: options.timers });
  return { service, schedule: service.schedule(options.jobs) };
}

export { formatUploadStatus, uploadStatus, type UploadStatus } from './upload-status.js';
