/**
 * The cost model's arithmetic (issue 14, "A fleet, and what it costs"): AWS list prices × request
 * counts → dollars per device per month. Pure: no I/O, no clock. The counting (a simulated period on
 * dynalite, s3rver and fauxqs, scaled to a month) is in `bench/cost.ts`.
 *
 * Prices: list prices as of 2026, us-east-1, on-demand, without free tiers; check the AWS pricing pages
 * (https://aws.amazon.com/dynamodb/pricing/on-demand/, https://aws.amazon.com/lambda/pricing/,
 * https://aws.amazon.com/s3/pricing/, https://aws.amazon.com/sqs/pricing/,
 * https://aws.amazon.com/api-gateway/pricing/, https://aws.amazon.com/cloudfront/pricing/).
 */

/** A month for the model: 30 days, in ms. */
export const MONTH_MS = 30 * 86_400_000;

/** List prices as of 2026, us-east-1; check the AWS pricing pages. All in US dollars. */
export const AWS_LIST_PRICES_2026_US_EAST_1 = {
  /** DynamoDB on-demand: $0.625 per million write request units. */
  dynamoDbUsdPerMillionWru: 0.625,
  /** DynamoDB on-demand: $0.125 per million read request units. */
  dynamoDbUsdPerMillionRru: 0.125,
  /** Lambda duration, arm64 (the stack's architecture): $0.0000133334 per GB-second (x86: $0.0000166667). */
  lambdaArm64UsdPerGbSecond: 0.0000133334,
  /** Lambda requests: $0.20 per million invocations. */
  lambdaUsdPerMillionRequests: 0.2,
  /** S3 Standard PUT, COPY, POST, LIST: $0.005 per 1,000 requests. */
  s3PutClassUsdPerThousand: 0.005,
  /** S3 Standard GET, HEAD (and every other request but DELETE, which is free): $0.0004 per 1,000. */
  s3GetClassUsdPerThousand: 0.0004,
  /** S3 data transfer out to the internet (the Pi's reads): $0.09 per GB (first 10 TB a month, after the account's free 100 GB). */
  s3TransferOutUsdPerGb: 0.09,
  /** S3 Standard storage: $0.023 per GB-month (first 50 TB). */
  s3StandardUsdPerGbMonth: 0.023,
  /** SQS standard queue: $0.40 per million requests (64 KB chunks). */
  sqsUsdPerMillionRequests: 0.4,
  /** API Gateway HTTP API: $1.00 per million requests (first 300 million a month). */
  httpApiUsdPerMillionRequests: 1.0,
  /** CloudFront: $0.0100 per 10,000 HTTPS requests (United States, Mexico, Canada). */
  cloudFrontUsdPer10kHttpsRequests: 0.01,
} as const;
export type Prices = typeof AWS_LIST_PRICES_2026_US_EAST_1;

/** Goal of issue 14: at most this many times the cost of writing the samples, and at most this many dollars. */
export const COST_GOAL = { maxRatioToSamplesWrite: 3, maxUsdPerDeviceMonth: 0.5 } as const;

/** Counts of one device over one month (already scaled). */
export interface MonthlyCounts {
  /** DynamoDB write request units of the Pi's uploads (sample items and catalogue writes). */
  dynamoWru: number;
  /** Of `dynamoWru`, the units of the sample items alone (the samples' write cost, the baseline). */
  samplesWru: number;
  /** DynamoDB read request units (builder reads, job-table reads). */
  dynamoRru: number;
  /** Builder Lambda invocations and GB-seconds (billed duration × memory in GB). */
  builderInvocations: number;
  builderGbSeconds: number;
  /** API Lambda invocations and GB-seconds. */
  apiInvocations: number;
  apiGbSeconds: number;
  /** HTTP API (API Gateway) requests. */
  httpApiRequests: number;
  /** S3 PUT-class (PutObject, CopyObject, POST, ListObjectsV2) and GET-class (GetObject, HeadObject) requests. */
  s3PutClass: number;
  s3GetClass: number;
  /** Bytes S3 sends over the internet (the Pi's fallback checks), in GB (10^9 bytes). */
  s3TransferOutGb: number;
  /** S3 storage averaged over the month (current objects and the noncurrent versions kept), GB-months. */
  s3StorageGbMonths: number;
  sqsRequests: number;
  cloudFrontRequests: number;
}

/** One priced line. */
export interface CostLine {
  name: string;
  count: number;
  unit: string;
  usd: number;
}

export interface CostSummary {
  lines: CostLine[];
  totalUsd: number;
  /** Dollars of `samplesWru` alone. */
  samplesWriteUsd: number;
  /** totalUsd / samplesWriteUsd. */
  ratioToSamplesWrite: number;
  /** Both goals of `COST_GOAL` met. */
  meetsGoal: boolean;
}

/** S3 request class of an SDK command name: PUT class, GET class, or free (DeleteObject). @throws {Error} for a command the model does not price. */
export function s3RequestClass(commandName: string): 'put' | 'get' | 'free' {
  const name = commandName.replace(/Command$/, '');
  if (['PutObject', 'CopyObject', 'PostObject', 'ListObjectsV2', 'ListObjects', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'PutObjectTagging'].includes(name)) return 'put';
  if (['GetObject', 'HeadObject', 'GetObjectTagging'].includes(name)) return 'get';
  if (['DeleteObject', 'DeleteObjects'].includes(name)) return 'free';
  throw new Error(`S3 command ${commandName} has no price in the cost model; expected PutObject, CopyObject, ListObjectsV2, GetObject, HeadObject or DeleteObject`);
}

/** `count` seen over `periodMs`, scaled linearly to `MONTH_MS`. @throws {RangeError} for a period ≤ 0. */
export function perMonth(count: number, periodMs: number): number {
  if (!(periodMs > 0)) throw new RangeError(`period ${periodMs} ms, expected > 0`);
  return (count * MONTH_MS) / periodMs;
}

/**
 * Lambda GB-seconds of `invocations` runs of `durationMs` each (billed per started ms) at `memoryMb`
 * (1 GB = 1024 MB, as Lambda bills).
 */
export function lambdaGbSeconds(invocations: number, durationMs: number, memoryMb: number): number {
  return (invocations * Math.ceil(durationMs) * memoryMb) / 1024 / 1000;
}

/** How the builder's scheduled runs share invocations in a fleet (`cloud/builder-handler.ts`). */
export interface FleetShape {
  /** Devices in the fleet. */
  devices: number;
  /** A run over more devices than this fans out: one invocation lists the fleet and queues shards of this many. */
  devicesPerShard: number;
  /** Devices one invocation builds at once. */
  devicesInFlight: number;
}

/**
 * Builder invocations one scheduled run costs per device: `1 / devices` when one invocation builds the
 * whole fleet, else the fan-out invocation plus one per shard, `(1 + ceil(devices / devicesPerShard)) / devices`
 * (1,000 devices in shards of 50: 21 / 1,000).
 * @throws {RangeError} unless every field is an integer ≥ 1.
 */
export function invocationsPerDevicePerRun(fleet: FleetShape): number {
  for (const [name, v] of Object.entries(fleet)) if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} ${v}: expected an integer ≥ 1`);
  if (fleet.devices <= fleet.devicesPerShard) return 1 / fleet.devices;
  return (1 + Math.ceil(fleet.devices / fleet.devicesPerShard)) / fleet.devices;
}

/**
 * One device's share of an invocation's billed ms when its run takes `cpuMs` of CPU and `waitMs` of
 * round trips, built `inFlight` at once: the waits overlap with the other devices' runs, CPU does not
 * (one vCPU), so `max(cpuMs, (cpuMs + waitMs) / inFlight)`. `inFlight` 1 gives the run's own ms.
 */
export function deviceShareMs(cpuMs: number, waitMs: number, inFlight: number): number {
  return Math.max(cpuMs, (cpuMs + waitMs) / Math.max(1, inFlight));
}

/** Prices × counts, line by line, with the total and its ratio to the samples' own write cost. */
export function priceMonth(c: MonthlyCounts, p: Prices = AWS_LIST_PRICES_2026_US_EAST_1): CostSummary {
  const lines: CostLine[] = [
    { name: 'DynamoDB writes (uploads)', count: c.dynamoWru, unit: 'WRU', usd: (c.dynamoWru * p.dynamoDbUsdPerMillionWru) / 1e6 },
    { name: 'DynamoDB reads (builder)', count: c.dynamoRru, unit: 'RRU', usd: (c.dynamoRru * p.dynamoDbUsdPerMillionRru) / 1e6 },
    { name: 'Lambda builder requests', count: c.builderInvocations, unit: 'invocations', usd: (c.builderInvocations * p.lambdaUsdPerMillionRequests) / 1e6 },
    { name: 'Lambda builder duration', count: c.builderGbSeconds, unit: 'GB-s', usd: c.builderGbSeconds * p.lambdaArm64UsdPerGbSecond },
    { name: 'Lambda API requests', count: c.apiInvocations, unit: 'invocations', usd: (c.apiInvocations * p.lambdaUsdPerMillionRequests) / 1e6 },
    { name: 'Lambda API duration', count: c.apiGbSeconds, unit: 'GB-s', usd: c.apiGbSeconds * p.lambdaArm64UsdPerGbSecond },
    { name: 'API Gateway HTTP API', count: c.httpApiRequests, unit: 'requests', usd: (c.httpApiRequests * p.httpApiUsdPerMillionRequests) / 1e6 },
    { name: 'S3 PUT/COPY/LIST', count: c.s3PutClass, unit: 'requests', usd: (c.s3PutClass * p.s3PutClassUsdPerThousand) / 1000 },
    { name: 'S3 GET/HEAD', count: c.s3GetClass, unit: 'requests', usd: (c.s3GetClass * p.s3GetClassUsdPerThousand) / 1000 },
    { name: 'S3 transfer out', count: c.s3TransferOutGb, unit: 'GB', usd: c.s3TransferOutGb * p.s3TransferOutUsdPerGb },
    { name: 'S3 storage', count: c.s3StorageGbMonths, unit: 'GB-months', usd: c.s3StorageGbMonths * p.s3StandardUsdPerGbMonth },
    { name: 'SQS', count: c.sqsRequests, unit: 'requests', usd: (c.sqsRequests * p.sqsUsdPerMillionRequests) / 1e6 },
    { name: 'CloudFront', count: c.cloudFrontRequests, unit: 'HTTPS requests', usd: (c.cloudFrontRequests * p.cloudFrontUsdPer10kHttpsRequests) / 10_000 },
  ];
  const totalUsd = lines.reduce((a, l) => a + l.usd, 0);
  const samplesWriteUsd = (c.samplesWru * p.dynamoDbUsdPerMillionWru) / 1e6;
  const ratioToSamplesWrite = samplesWriteUsd > 0 ? totalUsd / samplesWriteUsd : Infinity;
  return {
    lines, totalUsd, samplesWriteUsd, ratioToSamplesWrite,
    meetsGoal: ratioToSamplesWrite <= COST_GOAL.maxRatioToSamplesWrite && totalUsd <= COST_GOAL.maxUsdPerDeviceMonth,
  };
}
