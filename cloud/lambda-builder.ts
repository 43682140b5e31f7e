/**
 * Composition root of the scheduled builder Lambda (Node.js 24 on Lambda, bundled by cloud/infra/lambda-code.ts `bundleLambda`).
 * Environment: `SAMPLES_TABLE` (DynamoDB samples table; `TABLE_NAME` still accepted), `SNAPSHOT_BUCKET`
 * (snapshot bucket; `BUCKET_NAME` still accepted), optional `JOBS_TABLE`
 * (refresh-job state: SQS jobs are then tracked running → done/failed), `LOG_LEVEL` (Powertools Logger), `LOOKBACK_MS`, `SWEEP_EVERY_MS`, `FULL_EVERY_MS`,
 * `BUILD_CONCURRENCY` (devices built at once, default 16), `SHARD_QUEUE_URL` (fan-out of scheduled runs
 * larger than `DEVICES_PER_SHARD`, default 50, devices: one SQS message per shard, consumed by this same
 * function), and the standard `AWS_ENDPOINT_URL_*`.
 * Devices are not configured: each invocation that needs the fleet lists it from the samples table's
 * device index (`aws/dynamodb-devices.ts`, one Query per invocation). SDK clients are created once per container, on the first invocation.
 * Events: see `lambda-events.ts`.
 */
import { ID_PATTERN } from '../builder/constants.js';
import { S3ObjectStore } from '../aws/s3-object-store.js';
import { createDynamoClient, createS3Client, createSqsClient, type Env } from '../aws/clients.js';
import { sendBuildShards } from '../aws/sqs-build-shards.js';
import { createBuilderHandler, DEFAULT_DEVICES_PER_SHARD } from './builder-handler.js';
import { runBuild } from '../builder/run-build.js';
import { DynamoDbJobStore } from '../aws/dynamodb-job-store.js';
import { DynamoDbSource } from '../aws/dynamodb-source.js';
import { listCatalogDeviceIds } from '../aws/dynamodb-devices.js';
import { systemClock } from '../platform/system-clock.js';
import type { Clock } from '../builder/ports.js';
import { lambdaLogger, type LambdaLogger } from '../aws/lambda-logger.js';
import { BUILDER_SERVICE_NAME } from '../aws/metric-names.js';

/** Lambda configuration is wrong; the message names the variable. */
export class LambdaConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = new.target.name;
  }
}

function required(env: Env, name: string, legacyName?: string): string {
  const v = env[name] || (legacyName === undefined ? undefined : env[legacyName]);
  if (!v) throw new LambdaConfigError(name, 'not set');
  return v;
}

function optionalMs(env: Env, name: string, expected = 'a non-negative integer of ms', min = 0): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new LambdaConfigError(name, `got ${v}, expected ${expected}`);
  return n;
}

/** Parse a comma-separated list of device ids (the API's optional `DEVICE_IDS`). @throws {LambdaConfigError}. */
export function parseDeviceIds(text: string, variable = 'DEVICE_IDS'): string[] {
  const ids = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = ids.find((id) => !ID_PATTERN.test(id));
  if (ids.length === 0 || bad !== undefined) throw new LambdaConfigError(variable, `got ${JSON.stringify(text)}, expected comma-separated ids of A–Z a–z 0–9 . _ : -`);
  return ids;
}

/**
 * Build the handler from an environment map (module scope below calls it once per container).
 * `emit` takes each EMF metrics line (default stdout, where CloudWatch Logs extracts them; the local
 * cloud, `local/cloud-local.ts`, passes its own); `clock` the builds run at (default the wall clock; the
 * local cloud's page tests build a 2019 fixture as of its end).
 */
export function handlerFromEnv(env: Env, log: LambdaLogger = lambdaLogger(BUILDER_SERVICE_NAME, env.LOG_LEVEL), emit: (line: string) => void = (line) => console.log(line), clock: Clock = systemClock) {
  const table = required(env, 'SAMPLES_TABLE', 'TABLE_NAME');
  const bucket = required(env, 'SNAPSHOT_BUCKET', 'BUCKET_NAME');
  const concurrency = optionalMs(env, 'BUILD_CONCURRENCY', 'an integer ≥ 1 (devices built at once)', 1);
  const s3 = createS3Client(env);
  let sqsClient: ReturnType<typeof createSqsClient> | undefined;
  const sqs = () => (sqsClient ??= createSqsClient(env));
  const dynamo = createDynamoClient(env);
  const policy = { lookbackMs: optionalMs(env, 'LOOKBACK_MS'), sweepEveryMs: optionalMs(env, 'SWEEP_EVERY_MS'), fullEveryMs: optionalMs(env, 'FULL_EVERY_MS') };
  return createBuilderHandler({
    bucket: new S3ObjectStore(s3, bucket),
    sourceFor: () => new DynamoDbSource(dynamo, table, clock, policy),
    build: runBuild,
    clock,
    log,
    discoverDevices: () => listCatalogDeviceIds(dynamo, table),
    concurrency,
    shards: env.SHARD_QUEUE_URL ? {
      devicesPerShard: optionalMs(env, 'DEVICES_PER_SHARD', 'an integer ≥ 1 (devices per shard)', 1) ?? DEFAULT_DEVICES_PER_SHARD,
      send: (jobs) => sendBuildShards(sqs(), env.SHARD_QUEUE_URL!, jobs),
    } : undefined,
    emit,
    jobs: env.JOBS_TABLE ? new DynamoDbJobStore(dynamo, env.JOBS_TABLE) : undefined,
  });
}

let cached: ReturnType<typeof handlerFromEnv> | undefined;
let log: LambdaLogger | undefined;

/** The Lambda entry point (`index.handler` in the bundle); `context` gives the logs their request id. */
export const handler = async (event: unknown, context?: unknown) => {
  log ??= lambdaLogger(BUILDER_SERVICE_NAME, process.env.LOG_LEVEL);
  log.addContext(context);
  cached ??= handlerFromEnv(process.env, log);
  return cached(event);
};
