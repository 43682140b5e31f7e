/**
 * Cloud wiring of the samples API (composition helper for `cloud/lambda-api.ts`):
 * - snapshots: `S3ObjectStore` over the bucket (canonical `snapshots/{device}/`, fallback
 *   `fallback/snapshots/{device}/`, chosen by the core), behind a 1 s per-container read cache;
 * - devices: `DEVICE_IDS`, else the devices with a catalogue item (the samples table's device index,
 *   one Query, `aws/dynamodb-devices.ts`; cached 60 s);
 * - on-read windows (`CLOUD_ON_READ_WINDOWS` of builder/constants.ts, `cloudRender: 'onRead'`: the 1h
 *   window): no schedule builds them (cloud/infra/schedules.ts) and nothing is in S3, so
 *   `GET /samples/latest` and its meta render them per request with the same `cloudFreshBuilder`
 *   (one DynamoDB range read per container and second, `api/on-read.ts`; no SQS message, no job item),
 *   cached by CloudFront for the window's TTL. Why: a scheduled 1h build costs 8 S3 PUTs a minute per
 *   device whether anyone looks or not (issue 14); a view costs a few reads;
 * - `fresh=true`: the builder core on a DynamoDB range read (`cloudFreshBuilder`), in process for the
 *   windows in `FRESH_INLINE_WINDOWS`, else (and past the budget) a job on SQS;
 * - refresh jobs: SQS SendMessage + the DynamoDB jobs table (`SqsRefreshJobs`, `DynamoDbJobStore`).
 * Environment (names as in cloud/infra/sensor-stack.ts): `SNAPSHOT_BUCKET`, `SAMPLES_TABLE`,
 * `JOBS_TABLE`, `REFRESH_QUEUE_URL`; optional `DEVICE_IDS`, `DEFAULT_DEVICE_ID`, `CORS_ORIGINS`
 * (comma-separated, default `*`), `FRESH_INLINE_WINDOWS` (default `1h,10h,1d`; `none` for none),
 * `FRESH_BUDGET_MS` (default 3000), `LOG_LEVEL`, `AWS_ENDPOINT_URL_*`.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { CLOUD_ON_READ_WINDOWS, isWindow, WINDOW_NAMES, type Window } from '../builder/constants.js';
import type { Clock, Logger } from '../builder/ports.js';
import { S3ObjectStore } from '../aws/s3-object-store.js';
import { cachedSnapshotStore } from '../api/cached-snapshot-store.js';
import { createApi, type FetchHandler } from '../api/create-api.js';
import { nodeScheduler } from '../platform/node-scheduler.js';
import type { Scheduler, SseMode } from '../api/ports.js';
import { cloudDevices } from './api-devices.js';
import { listCatalogDeviceIds } from '../aws/dynamodb-devices.js';
import { cloudFreshBuilder } from './api-fresh-builder.js';
import type { Env } from '../aws/clients.js';
import type { RunBuild } from '../builder/run-build.js';
import { DynamoDbJobStore } from '../aws/dynamodb-job-store.js';
import { DynamoDbSource } from '../aws/dynamodb-source.js';
import { LambdaConfigError, parseDeviceIds } from './lambda-builder.js';
import { SqsRefreshJobs } from '../aws/sqs-refresh-jobs.js';
import { systemClock } from '../platform/system-clock.js';

/** Most samples one `/samples/range` request reads from DynamoDB in the cloud (items hold one instant of every series of a device). */
export const RANGE_BUDGET_SAMPLES = 300_000;

/** The cloud API's configuration, read from the environment by `cloudApiConfig`. */
export interface CloudApiConfig {
  bucket: string;
  samplesTable: string;
  jobsTable: string;
  queueUrl: string;
  deviceIds?: string[];
  defaultDeviceId?: string;
  corsOrigins: string[];
  inlineWindows: Window[];
  freshBudgetMs?: number;
}

function required(env: Env, name: string): string {
  const v = env[name];
  if (!v) throw new LambdaConfigError(name, 'not set');
  return v;
}

function inlineWindowsOf(text: string | undefined): Window[] {
  if (text === undefined || text === '') return ['1h', '10h', '1d'];
  if (text.trim() === 'none') return [];
  const names = text.split(',').map((s) => s.trim());
  const bad = names.find((n) => !isWindow(n));
  if (bad !== undefined) throw new LambdaConfigError('FRESH_INLINE_WINDOWS', `unknown window ${JSON.stringify(bad)}; allowed: ${WINDOW_NAMES.join(', ')} or none`);
  return names as Window[];
}

/**
 * Read the configuration from an environment map.
 * @throws {LambdaConfigError} naming the variable that is missing or invalid.
 */
export function cloudApiConfig(env: Env): CloudApiConfig {
  const budget = env.FRESH_BUDGET_MS;
  const freshBudgetMs = budget === undefined || budget === '' ? undefined : Number(budget);
  if (freshBudgetMs !== undefined && !(Number.isSafeInteger(freshBudgetMs) && freshBudgetMs > 0 && freshBudgetMs <= 25_000)) {
    throw new LambdaConfigError('FRESH_BUDGET_MS', `got ${budget}, expected an integer of ms in 1..25000`);
  }
  const defaultDeviceId = env.DEFAULT_DEVICE_ID || undefined;
  if (defaultDeviceId !== undefined) parseDeviceIds(defaultDeviceId);
  return {
    bucket: required(env, 'SNAPSHOT_BUCKET'),
    samplesTable: required(env, 'SAMPLES_TABLE'),
    jobsTable: required(env, 'JOBS_TABLE'),
    queueUrl: required(env, 'REFRESH_QUEUE_URL'),
    deviceIds: env.DEVICE_IDS ? parseDeviceIds(env.DEVICE_IDS) : undefined,
    defaultDeviceId,
    corsOrigins: (env.CORS_ORIGINS || '*').split(',').map((s) => s.trim()).filter(Boolean),
    inlineWindows: inlineWindowsOf(env.FRESH_INLINE_WINDOWS),
    freshBudgetMs,
  };
}

/** SDK clients, created once per container and shared by every request. */
export interface CloudApiClients {
  s3: S3Client;
  dynamo: DynamoDBClient;
  sqs: SQSClient;
}

/** Ports a test or the entry may replace; defaults: wall clock, Node timers. */
export interface CloudApiRuntime {
  sseMode: SseMode;
  /** `runBuild` (builder/run-build.ts); tests pass a fake of its type. */
  build: RunBuild;
  log: Logger;
  clock?: Clock;
  scheduler?: Scheduler;
  /** How often job events are re-read from DynamoDB, ms (default 500). */
  pollMs?: number;
}

/** The API handler and its job store. */
export function createCloudApi(config: CloudApiConfig, clients: CloudApiClients, runtime: CloudApiRuntime): { api: FetchHandler; jobs: SqsRefreshJobs } {
  const clock = runtime.clock ?? systemClock;
  const scheduler = runtime.scheduler ?? nodeScheduler;
  const bucket = new S3ObjectStore(clients.s3, config.bucket);
  const fresh = cloudFreshBuilder({
    build: runtime.build,
    // Eventually consistent reads: half the RCU, and a fresh read needs no cursor exactness.
    sourceFor: () => new DynamoDbSource(clients.dynamo, config.samplesTable, clock, { consistentRead: false }),
    clock,
    log: runtime.log,
  });
  const jobs = new SqsRefreshJobs({
    store: new DynamoDbJobStore(clients.dynamo, config.jobsTable),
    sqs: clients.sqs,
    queueUrl: config.queueUrl,
    clock,
    scheduler,
    log: runtime.log,
    fresh,
    inlineWindows: config.inlineWindows,
    pollMs: runtime.pollMs,
  });
  const devices = cloudDevices({
    deviceIds: config.deviceIds, defaultId: config.defaultDeviceId, store: bucket, clock,
    // A discovered device has a catalogue item, so it has uploaded; a configured one is asked
    // (one GetItem, a fresh source per check: `DynamoDbSource` caches catalogue items for its lifetime).
    discover: () => listCatalogDeviceIds(clients.dynamo, config.samplesTable),
    hasSamples: config.deviceIds
      ? async (id) => (await new DynamoDbSource(clients.dynamo, config.samplesTable, clock, { consistentRead: false }).listSeries(id)).length > 0
      : undefined,
  });
  const api = createApi({
    store: cachedSnapshotStore(bucket, clock),
    devices,
    // /samples/range reads DynamoDB through a fresh source (its catalogue cache is per request), within RANGE_BUDGET_SAMPLES.
    samples: () => new DynamoDbSource(clients.dynamo, config.samplesTable, clock, { consistentRead: false }),
    fresh,
    jobs,
    clock,
    scheduler,
    options: {
      sseMode: runtime.sseMode, corsOrigins: config.corsOrigins, rangeBudgetSamples: RANGE_BUDGET_SAMPLES, onReadWindows: CLOUD_ON_READ_WINDOWS,
      ...(config.freshBudgetMs ? { freshBudgetMs: config.freshBudgetMs } : {}),
    },
  });
  return { api, jobs };
}
