/**
 * `sensorctl rebuild --cloud [--table T] [--bucket B] [--device D] [--at ISO] [--full]`: the cloud
 * build run from a workstation, against DynamoDB and S3 (endpoints from `AWS_ENDPOINT_URL_*`,
 * credentials from the SDK's default chain). Composition root for that verb: the CLI resolves names
 * (flags, else config `cloud.table` / `cloud.bucket` / `deviceId`) and calls `runCloudRebuild`.
 */
import { isWindow, WINDOW_NAMES, type Window } from '../builder/constants.js';
import type { Logger } from '../builder/ports.js';
import { S3ObjectStore } from '../aws/s3-object-store.js';
import { createDynamoClient, createS3Client, type Env } from '../aws/clients.js';
import { runBuild, type RunBuild } from '../builder/run-build.js';
import { runCloudBuild, type DeviceRunReport } from './cloud-build-run.js';
import { DynamoDbSource } from '../aws/dynamodb-source.js';

/** A rebuild option is missing or invalid; `option` names the flag. Exit code 2 in the CLI. */
export class CloudRebuildUsageError extends Error {
  constructor(readonly option: string, message: string) {
    super(`${option}: ${message}`);
    this.name = new.target.name;
  }
}

export interface CloudRebuildOptions {
  table: string | undefined;
  bucket: string | undefined;
  deviceIds: readonly string[];
  /** ISO 8601 instant to build "as of" (`--at`); default now. */
  at?: string;
  full?: boolean;
  windows?: readonly string[];
  env: Env;
  log: Logger;
  /** Default `runBuild`; tests pass a fake of its type. */
  build?: RunBuild;
  /** Defaults to the wall clock. */
  nowMs?: () => number;
}

/**
 * Build the snapshots of each device into `snapshots/{deviceId}/` with builder `lambda`.
 * @returns one report per device (items read, RCU, duration, built/stale counts, error).
 * @throws {CloudRebuildUsageError} for a missing table/bucket/device, a bad `--at` or window.
 */
export async function runCloudRebuild(options: CloudRebuildOptions): Promise<DeviceRunReport[]> {
  if (!options.table) throw new CloudRebuildUsageError('--table', 'no table given and config has no cloud.table');
  if (!options.bucket) throw new CloudRebuildUsageError('--bucket', 'no bucket given and config has no cloud.bucket');
  if (options.deviceIds.length === 0) throw new CloudRebuildUsageError('--device', 'no device given and config has no deviceId');
  const atMs = options.at === undefined ? undefined : Date.parse(options.at);
  if (atMs !== undefined && !Number.isFinite(atMs)) throw new CloudRebuildUsageError('--at', `got ${JSON.stringify(options.at)}, expected an ISO 8601 instant such as 2019-09-30T16:00:00Z`);
  const windows = (options.windows ?? WINDOW_NAMES) as string[];
  const bad = windows.find((w) => !isWindow(w));
  if (bad !== undefined) throw new CloudRebuildUsageError('--window', `unknown window ${bad}; allowed: ${WINDOW_NAMES.join(', ')}`);
  const s3 = createS3Client(options.env);
  const dynamo = createDynamoClient(options.env);
  const clock = { nowMs: options.nowMs ?? (() => Date.now()) };
  try {
    return await runCloudBuild(
      {
        bucket: new S3ObjectStore(s3, options.bucket),
        sourceFor: () => new DynamoDbSource(dynamo, options.table!, clock),
        build: options.build ?? runBuild,
        clock,
        log: options.log,
      },
      { deviceIds: options.deviceIds, windows: windows as Window[], full: options.full, atMs },
    );
  } finally {
    s3.destroy();
    dynamo.destroy();
  }
}
