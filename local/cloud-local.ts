/**
 * The cloud on one machine (`npm run cloud:local`, docs/cloud-local.md): the stack's resources on the
 * test peers, the Lambdas' own entry code on them, and a router in place of CloudFront.
 * - dynalite (DynamoDB): the samples table (`TABLE_DEFINITION`, as `sensorctl table create`) and the
 *   refresh-jobs table (`JOBS_TABLE_DEFINITION`, as the stack and `sensorctl table create --jobs-table`);
 * - s3rver (S3): the snapshot bucket and the page bucket; the page (web/dist, built by
 *   scripts/build-web.mjs when stale) uploaded as the stack's `BucketDeployment` does (without
 *   `PAGE_UPLOAD_EXCLUDES`), with the `config.json` the stack generates (`deployedPageConfig`);
 * - fauxqs (SQS): the refresh queue with its dead-letter queue (redrive after 3 receives);
 * - the builder Lambda (`handlerFromEnv`, cloud/lambda-builder.ts) invoked with the stack's scheduled
 *   events (`scheduleGroups()`: one timer per rate), once with every scheduled window at start-up so the
 *   page has data at once (the on-read 1h window is rendered by the API, as in AWS), and on the refresh queue's messages (batches of 5, partial batch failures kept on
 *   the queue), as the event source mapping would;
 * - the API Lambdas (`createHttpEntry` and `lambdaStreamHandler` over `apiFromEnv`, cloud/lambda-api.ts)
 *   behind the router (local/router.ts) that follows the distribution's behaviours.
 * Everything listens on 127.0.0.1 with ephemeral ports, lives in memory and temp dirs, and is gone
 * after `close()`. s3rver keeps no object versions: see docs/cloud-local.md for what that changes.
 * The SDK's default credential chain is given fake keys through `process.env` (the peers accept any):
 * run the local cloud in a process of its own (the npm script, or a test file).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { CLOUD_SCHEDULED_WINDOWS, type Window } from '../builder/constants.js';
import type { Clock, Logger } from '../builder/ports.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { METRICS, type Metric } from '../builder/metrics.js';
import type { SeriesInfo } from '../builder/types.js';
import { simulatedValues } from '../sensors/simulated.js';
import { CONTENT_TYPES } from '../platform/static-files.js';
import { createLogger } from '../cli/log.js';
import { METRICS_NAMESPACE } from '../aws/metric-names.js';
import { lambdaStreamHandler } from '../aws/lambda-stream-api.js';
import { handlerFromEnv } from '../cloud/lambda-builder.js';
import { apiFromEnv, createHttpEntry } from '../cloud/lambda-api.js';
import type { ScheduledResult, SqsBatchResult } from '../cloud/builder-handler.js';
import { scheduleGroups, type ScheduledBuildEvent } from '../cloud/infra/schedules.js';
import { deployedPageConfig, PAGE_CONFIG_FILE, PAGE_UPLOAD_EXCLUDES } from '../cloud/infra/page.js';
import { FAKE_CREDENTIALS, startS3rver } from '../test/support/s3rver.js';
import { samplesToItems, startDynalite, writeCatalog, writeItems } from '../test/support/dynalite.js';
import { sqsEventOf, startFauxqsQueue } from '../test/support/fauxqs.js';
import { createJobsTable } from '../aws/dynamodb-jobs-table.js';
import { ensureWebBuilt } from '../test/support/web-browser.js';
import { startRouter, streamPrelude } from './router.js';

const ROOT = new URL('../', import.meta.url).pathname;
const MIN_MS = 60_000;

/** Local names of the stack's resources (CloudFormation generates the real ones). */
export const LOCAL_NAMES = {
  samplesTable: 'sensor-samples',
  jobsTable: 'sensor-jobs',
  snapshotBucket: 'sensor-snapshots',
  pageBucket: 'sensor-page',
  refreshQueue: 'sensor-refresh',
  deadLetterQueue: 'sensor-refresh-dlq',
} as const;

/** The refresh queue's event source mapping and redrive, as in the stack. */
const SQS_BATCH_SIZE = 5;
const MAX_RECEIVE_COUNT = 3;

/** Demo data: a day of simulated temperature, humidity and pressure (sensors/simulated.ts) every minute. */
export const DEMO_SPAN_MS = 86_400_000;
export const DEMO_STEP_MS = MIN_MS;
const DEMO_METRICS: Metric[] = ['tempC', 'rhPct', 'pressurePa'];

export interface LocalCloudOptions {
  /** The stack's `deviceIds` (builder env DEVICE_IDS, the page's device picker). Default `['demo']`. */
  deviceIds?: string[];
  /** Push a day of simulated samples for the first device before the first build, then (with `schedules`) one instant a minute. */
  seedDemo?: boolean;
  /** The router's port (0 = ephemeral, the default). */
  port?: number;
  /** Where the operator's lines go (default: stderr, `info`). */
  log?: Logger;
  /** Run the builder on the stack's schedules (default true; the start-up build runs either way). */
  schedules?: boolean;
  /** The instant the demo samples end at, epoch ms (default now). */
  nowMs?: number;
  /** The builder Lambda's clock (default the wall clock; the page tests build a 2019 fixture as of its end). */
  builderClock?: Clock;
  /** The API Lambdas' clock: what "now" the on-read windows (the 1h window) are rendered as of (default the wall clock; the page tests render a 2019 fixture). */
  apiClock?: Clock;
  /** The API's `DEFAULT_DEVICE_ID` (served when a request names none; default: the only device, if one). */
  defaultDeviceId?: string;
  /** The page's config.json `devices` (default `deviceIds`, as the stack deploys it). */
  pageDevices?: string[];
  /** Write samples into the samples table before the start-up build (after `seedDemo`). */
  seed?(samples: SamplesTable): Promise<void>;
}

/** The samples table of the local cloud and a client on it. */
export interface SamplesTable {
  client: DynamoDBClient;
  table: string;
}

export interface LocalCloud {
  /** The router: page, API, events and snapshots, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The Lambdas' environment (table, bucket, queue names; peer endpoints). */
  env: Record<string, string>;
  endpoints: { dynamodb: string; s3: string; sqs: string };
  /** The samples table (a client on dynalite and the table name), to write samples as a Pi's uploader would. */
  samples: SamplesTable;
  /** Invoke the builder now with a scheduled event naming `windows` (default all). */
  build(windows?: Window[]): Promise<ScheduledResult>;
  /** Stop taking messages off the refresh queue (resolves once the receive in flight, at most 1 s, and its batch are over). */
  pauseQueue(): Promise<void>;
  /** Take messages off the refresh queue again. */
  resumeQueue(): void;
  close(): Promise<void>;
}

/** A logger that prefixes each message with the component's name (`builder`, `router`, …). */
function tagged(log: Logger, name: string) {
  const at = (fn: Logger['info']) => (message: string, fields?: Record<string, unknown>) => fn(`${name.padEnd(7)} ${message}`, fields);
  return { error: at(log.error), warn: at(log.warn), info: at(log.info), debug: at(log.debug), addContext: () => undefined };
}

/** The catalogue of the demo device: one simulated sensor `sim`. */
function demoSeries(deviceId: string): SeriesInfo[] {
  return DEMO_METRICS.map((metric) => ({ deviceId, seriesId: `sim.${metric}`, sensorId: 'sim', metric, unit: METRICS[metric].unit, kind: METRICS[metric].kind }));
}

function pageFiles(dir: string): string[] {
  const excluded = (name: string) => PAGE_UPLOAD_EXCLUDES.some((p) => (p.startsWith('*') ? name.endsWith(p.slice(1)) : name === p));
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !excluded(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Start the local cloud (see top); the first build has run when this resolves. */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const log = options.log ?? createLogger('info');
  const deviceIds = options.deviceIds ?? ['demo'];
  process.env.AWS_ACCESS_KEY_ID = FAKE_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = FAKE_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  process.env.AWS_REGION = 'us-east-1';

  const [db, s3, sqs] = await Promise.all([
    startDynalite({ table: LOCAL_NAMES.samplesTable }),
    startS3rver(LOCAL_NAMES.snapshotBucket, [LOCAL_NAMES.pageBucket]),
    startFauxqsQueue(LOCAL_NAMES.refreshQueue, { visibilityTimeoutS: 30, deadLetter: { queueName: LOCAL_NAMES.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT } }),
  ]);
  const closers: Array<() => Promise<void>> = [() => db.close(), () => s3.close(), () => sqs.close()];
  const timers: NodeJS.Timeout[] = [];
  let closed = false;
  const close = async () => {
    closed = true;
    for (const t of timers) clearInterval(t);
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    await createJobsTable(db.client, LOCAL_NAMES.jobsTable);

    const env: Record<string, string> = {
      SAMPLES_TABLE: db.table,
      JOBS_TABLE: LOCAL_NAMES.jobsTable,
      SNAPSHOT_BUCKET: s3.bucket,
      REFRESH_QUEUE_URL: sqs.queueUrl,
      DEVICE_IDS: deviceIds.join(','),
      CORS_ORIGINS: '*',
      ...(options.defaultDeviceId ? { DEFAULT_DEVICE_ID: options.defaultDeviceId } : {}),
      METRICS_NAMESPACE,
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'WARN',
    };

    // The page, as the stack's BucketDeployment uploads it, and the config.json the stack generates.
    ensureWebBuilt();
    const pageDir = join(ROOT, 'web', 'dist');
    const files = pageFiles(pageDir);
    await Promise.all(files.map((file) => s3.client.send(new PutObjectCommand({
      Bucket: LOCAL_NAMES.pageBucket, Key: relative(pageDir, file), Body: readFileSync(file),
      ContentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    }))));
    await s3.client.send(new PutObjectCommand({
      Bucket: LOCAL_NAMES.pageBucket, Key: PAGE_CONFIG_FILE, Body: JSON.stringify(deployedPageConfig(options.pageDevices ?? deviceIds)), ContentType: CONTENT_TYPES['.json'],
    }));
    log.info(`page    ${files.length} files of web/dist and ${PAGE_CONFIG_FILE} (devices ${(options.pageDevices ?? deviceIds).join(', ')}) in bucket ${LOCAL_NAMES.pageBucket}`);

    if (options.seedDemo) {
      const deviceId = deviceIds[0];
      const toMs = Math.floor((options.nowMs ?? Date.now()) / DEMO_STEP_MS) * DEMO_STEP_MS;
      const series = demoSeries(deviceId);
      const samplesAt = (tsMs: number) => {
        const values = simulatedValues(1, tsMs);
        return series.map((s) => ({ seriesId: s.seriesId, tsMs, value: values[s.metric as keyof typeof values] }));
      };
      const samples = [];
      for (let tsMs = toMs - DEMO_SPAN_MS + DEMO_STEP_MS; tsMs <= toMs; tsMs += DEMO_STEP_MS) samples.push(...samplesAt(tsMs));
      await writeCatalog(db.client, db.table, deviceId, series);
      await writeItems(db.client, db.table, samplesToItems(deviceId, samples));
      log.info(`seed    ${samples.length} simulated samples (${series.length} series, one a minute for a day) for device ${deviceId}`);
      if (options.schedules !== false) {
        // A simulated Pi keeps uploading one instant a minute, so the scheduled builds have news.
        let lastMs = toMs;
        timers.push(setInterval(() => {
          const tsMs = Math.floor(Date.now() / DEMO_STEP_MS) * DEMO_STEP_MS;
          if (tsMs <= lastMs) return;
          lastMs = tsMs;
          writeItems(db.client, db.table, samplesToItems(deviceId, samplesAt(tsMs)))
            .then(() => log.debug(`seed    samples of ${new Date(tsMs).toISOString()} for device ${deviceId}`))
            .catch((err: unknown) => log.warn(`seed    the upload of ${new Date(tsMs).toISOString()} failed`, { error: (err as Error).message }));
        }, DEMO_STEP_MS / 4));
      }
    }

    if (options.seed) await options.seed({ client: db.client, table: db.table });

    // The builder Lambda: one container, its handler reused by every invocation.
    const builderLog = tagged(log, 'builder');
    const builder = handlerFromEnv(env, builderLog, () => undefined, options.builderClock);
    const build = async (windows: Window[] = [...CLOUD_SCHEDULED_WINDOWS]): Promise<ScheduledResult> => {
      const event: ScheduledBuildEvent = { source: 'sensorctl.schedule', windows };
      const result = (await builder(event)) as ScheduledResult;
      for (const r of result.reports) {
        builderLog.info(`scheduled ${windows.join('+')} for ${r.deviceId}: ${r.built} payloads built, ${r.stale} stale`, { samplesRead: r.samplesRead, ms: Math.round(r.durationMs) });
      }
      return result;
    };
    await build();
    if (options.schedules !== false) {
      for (const group of scheduleGroups()) {
        let running = false;
        const tick = () => {
          if (running || closed) return builderLog.warn(`schedule ${group.windows.join('+')}: the previous run is still going, skipped`);
          running = true;
          build(group.windows).catch((err: unknown) => builderLog.error(`schedule ${group.windows.join('+')} failed`, { error: (err as Error).message }))
            .finally(() => (running = false));
        };
        timers.push(setInterval(tick, group.rateMinutes * MIN_MS));
      }
      builderLog.info(`schedules: ${scheduleGroups().map((g) => `${g.windows.join('+')} every ${g.rateMinutes} min`).join(', ')}`);
    }

    // The refresh queue's event source mapping: long-poll, invoke with a batch, delete what succeeded.
    const queueLog = tagged(log, 'queue');
    let paused = false;
    let inFlight: Promise<void> | undefined;
    let abort: AbortController | undefined;
    let wake: (() => void) | undefined;
    const pollOnce = async (): Promise<void> => {
      abort = new AbortController();
      const out = await sqs.client.send(new ReceiveMessageCommand({
        QueueUrl: sqs.queueUrl, MaxNumberOfMessages: SQS_BATCH_SIZE, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }), { abortSignal: abort.signal }).catch((err: unknown) => {
        if ((err as Error).name === 'AbortError' || abort!.signal.aborted) return { Messages: [] };
        throw err;
      });
      const messages = out.Messages ?? [];
      if (messages.length === 0) return;
      const result = (await builder(sqsEventOf(messages, sqs.queueArn))) as SqsBatchResult;
      const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      for (const m of messages) {
        if (failed.has(m.MessageId!)) continue;
        await sqs.client.send(new DeleteMessageCommand({ QueueUrl: sqs.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
      queueLog.info(`refresh batch of ${messages.length}: ${messages.length - failed.size} built, ${failed.size} left on the queue`);
    };
    const loop = (async () => {
      while (!closed) {
        if (paused) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        inFlight = pollOnce().catch((err: unknown) => queueLog.error('refresh batch failed (messages return after the visibility timeout)', { error: (err as Error).message }));
        await inFlight;
        inFlight = undefined;
      }
    })();
    closers.unshift(async () => {
      abort?.abort();
      wake?.();
      await loop;
    });

    // The API functions behind the router, each with its own container (its own clients and cache).
    const api = createHttpEntry(() => apiFromEnv(env, 'snapshot', options.apiClock));
    const stream = lambdaStreamHandler(() => apiFromEnv(env, 'stream', options.apiClock), streamPrelude);
    const router = await startRouter({
      api,
      stream,
      snapshots: { client: s3.client, bucket: LOCAL_NAMES.snapshotBucket },
      page: { client: s3.client, bucket: LOCAL_NAMES.pageBucket },
    }, tagged(log, 'router'), options.port ?? 0);
    closers.unshift(() => router.close());

    return {
      url: router.url,
      env,
      endpoints: { dynamodb: db.endpoint, s3: s3.endpoint, sqs: sqs.endpoint },
      samples: { client: db.client, table: db.table },
      build,
      async pauseQueue() {
        // Not aborted: fauxqs would still hand a message to the abandoned long poll, hiding it for the visibility timeout.
        paused = true;
        await inFlight;
      },
      resumeQueue() {
        paused = false;
        wake?.();
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
