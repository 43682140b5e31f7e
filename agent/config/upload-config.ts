/**
 * The `cloud` section of the agent's config file: where and how samples are uploaded. Its presence
 * means an uplink is configured (the upload queue is enabled and retention keeps unsent rows).
 *
 * ```json
 * "cloud": { "table": "sensor-samples", "region": "eu-central-1", "uploadEvery": "1m",
 *            "maxInFlight": 4, "batchItems": 25, "chunkItems": 10000 }
 * ```
 * Credentials and endpoints are never configured here: they come from the AWS SDK's standard chain
 * and `AWS_ENDPOINT_URL(_DYNAMODB|_S3|_SQS)`.
 */
import { parseEveryMs } from '../schedule/every.js';
import { MAX_BATCH_ITEMS } from '../upload/ports.js';
import { ConfigError } from './errors.js';

export interface CloudConfig {
  /** DynamoDB table of raw samples. */
  table: string;
  /** S3 bucket of snapshots (used by the fallback publisher); undefined when not set. */
  bucket?: string;
  /** AWS region; undefined = the SDK's chain (`AWS_REGION`, shared config). */
  region?: string;
  /** Interval of upload runs on the monotonic clock, ms (config `uploadEvery`: "1m", "30s", …; default 1 min). */
  uploadEveryMs: number;
  /** BatchWriteItem requests in flight at once, 1–16. */
  maxInFlight: number;
  /** Items per BatchWriteItem, 1–`MAX_BATCH_ITEMS` (25). */
  batchItems: number;
  /** Items per run at most, 25–1,000,000: bounds one run so sampling never stalls behind a backlog. */
  chunkItems: number;
  /** Attempts per batch before its items are left for the next run, 1–20. */
  attempts: number;
}

/** Default samples table name (config `cloud.table`, `--table` override it). */
export const DEFAULT_TABLE_NAME = 'sensor-samples';

/** Defaults of the `cloud` section. */
export const DEFAULT_CLOUD: Omit<CloudConfig, 'bucket' | 'region'> = {
  table: DEFAULT_TABLE_NAME,
  uploadEveryMs: 60_000,
  maxInFlight: 4,
  batchItems: MAX_BATCH_ITEMS,
  chunkItems: 10_000,
  attempts: 8,
};

const KNOWN = ['table', 'bucket', 'region', 'uploadEvery', 'maxInFlight', 'batchItems', 'chunkItems', 'attempts'];
/** DynamoDB table names: 3–255 of A–Z a–z 0–9 _ . - */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** S3 bucket names (general purpose): 3–63 of a–z 0–9 . -, starting and ending with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function intIn(value: unknown, key: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(key, `got ${JSON.stringify(value)}, expected an integer ${min}–${max}`);
  }
  return value;
}

function text(value: unknown, key: string, pattern: RegExp, allowed: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) throw new ConfigError(key, `got ${JSON.stringify(value)}, expected ${allowed}`);
  return value;
}

/**
 * Validate the `cloud` section and fill defaults; `undefined` (no section) means no uplink.
 * @throws {ConfigError} naming the key (`cloud.batchItems`, …) and what is allowed.
 */
export function parseCloudConfig(raw: unknown): CloudConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('cloud', 'expected an object');
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!KNOWN.includes(key)) throw new ConfigError(`cloud.${key}`, `unknown key; allowed: ${KNOWN.join(', ')}`);
  let uploadEveryMs = DEFAULT_CLOUD.uploadEveryMs;
  if (r.uploadEvery !== undefined) {
    if (typeof r.uploadEvery !== 'string') throw new ConfigError('cloud.uploadEvery', `got ${JSON.stringify(r.uploadEvery)}, expected a duration string like "1m"`);
    try {
      uploadEveryMs = parseEveryMs(r.uploadEvery);
    } catch (err) {
      throw new ConfigError('cloud.uploadEvery', (err as Error).message);
    }
  }
  return {
    table: text(r.table, 'cloud.table', TABLE_NAME, '3–255 of A–Z a–z 0–9 _ . -') ?? DEFAULT_CLOUD.table,
    bucket: text(r.bucket, 'cloud.bucket', BUCKET_NAME, 'an S3 bucket name: 3–63 of a–z 0–9 . -'),
    region: text(r.region, 'cloud.region', REGION, 'an AWS region such as eu-central-1'),
    uploadEveryMs,
    maxInFlight: intIn(r.maxInFlight, 'cloud.maxInFlight', 1, 16, DEFAULT_CLOUD.maxInFlight),
    batchItems: intIn(r.batchItems, 'cloud.batchItems', 1, MAX_BATCH_ITEMS, DEFAULT_CLOUD.batchItems),
    chunkItems: intIn(r.chunkItems, 'cloud.chunkItems', 25, 1_000_000, DEFAULT_CLOUD.chunkItems),
    attempts: intIn(r.attempts, 'cloud.attempts', 1, 20, DEFAULT_CLOUD.attempts),
  };
}
