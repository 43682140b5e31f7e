/**
 * Benchmark section "cost/device-month" (issue 14, "A fleet, and what it costs"): dollars per device
 * per month at 4 series every 10 s with the seed's cadences, from requests COUNTED while the real code
 * runs on the test emulators for a shortened simulated period on a virtual clock, scaled to a 30-day
 * month (`bench/cost-model.ts` holds the prices and the arithmetic).
 *
 * What runs (one device, in-process dynalite + s3rver + fauxqs):
 * - the Pi: a SQLite buffer gets one item's 4 samples every 10 s; the real `Uploader` + `DynamoDbSink`
 *   drain it every `uploadEveryMs` (60 s, the agent's default), catalogue item included;
 * - the cloud: the builder Lambda handler (`createBuilderHandler` → `runBuild` over `DynamoDbSource` and
 *   `S3ObjectStore`) invoked as the EventBridge schedules would (`scheduleGroups()`: 1h every minute,
 *   10h+1d every 5, 10d every 10, 3m+12m every 15), each group in its own invocation.
 * Counting: SDK middleware on each client counts commands by name, and asks DynamoDB for
 * `ReturnConsumedCapacity: TOTAL` (dynalite computes units as DynamoDB does: 1 WRU per started KB
 * written, 1 RRU per started 4 KB read strongly consistent). Lambda duration per run is modelled as
 * its measured CPU time + the round trips of its counted requests on its critical path × `ASSUMED_LATENCY_MS`
 * (`RoundTrips`: concurrent requests overlap; wall time on loopback follows the machine's load, not the
 * code), billed per started ms at 1024 MB.
 *
 * Warm-up: each schedule group runs once first (its first, full build over `PRELOAD_DAYS` of history);
 * the counted period starts after it. Not in the counted period and therefore EXTRAPOLATED (labelled):
 * the periodic full re-read of each group (`fullEveryMs`, 7 days), priced as RRU and ms per item measured in
 * the warm-up full builds × the items of a year-old device's largest window of each group.
 * Fleet: the device is one of `ASSUMED_FLEET` (1,000 devices): the scheduled runs' Lambda requests
 * and round-trip waits are shared by the devices one invocation builds (`invocationsPerDevicePerRun`,
 * `deviceShareMs` in the model); everything else is counted per device as it ran.
 * Refreshes: 4 `POST /samples/refresh` runs are COUNTED after the period (the API's `SqsRefreshJobs`
 * on a jobs table in dynalite and a fauxqs queue, ReceiveMessage/DeleteMessage as the event source
 * mapping does, the builder handler's SQS path with the job ledger) and scaled to the assumed rate.
 * ASSUMED (labelled, constants below): page views, the requests a page view makes, refreshes per day,
 * the API Lambda's duration, request round trips (`ASSUMED_LATENCY_MS`).
 *
 * Run alone: `npx tsx bench/cost.ts [simulated hours]`.
 */
import { nodeMonotonicScheduler } from '../platform/node-monotonic-scheduler.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { CLOUD_ON_READ_WINDOWS, FINEST_GRANULARITY, WINDOWS, devicePrefix, type Window } from '../builder/constants.js';
import type { Sample, SeriesInfo } from '../builder/types.js';
import { silentLog } from '../builder/ports.js';
import { createDynamoClient } from '../aws/clients.js';
import { DynamoDbSink } from '../aws/dynamodb-sink.js';
import { DynamoDbSource } from '../aws/dynamodb-source.js';
import { DEFAULT_CURSOR_POLICY } from '../aws/item-cursor.js';
import { S3ObjectStore } from '../aws/s3-object-store.js';
import { Uploader } from '../agent/upload/uploader.js';
import { DEFAULT_CLOUD } from '../agent/config/upload-config.js';
import { createBuilderHandler, DEFAULT_BUILD_CONCURRENCY, DEFAULT_DEVICES_PER_SHARD, type ScheduledResult } from '../cloud/builder-handler.js';
import { cloudFreshBuilder } from '../cloud/api-fresh-builder.js';
import { DEFAULT_EXPECTED_DEVICES, scheduleGroups } from '../cloud/infra/schedules.js';
import { NONCURRENT_VERSION_DAYS } from '../cloud/infra/bucket-lifecycle.js';
import { fallbackCheckGroups } from '../agent/fallback/fallback.js';
import { readWindowMetas } from '../builder/publish.js';
import { runBuild } from '../builder/run-build.js';
import { SqliteBuffer } from '../sqlite/sqlite-buffer.js';
import { openDatabase } from '../sqlite/sqlite-db.js';
import { SqliteUploadQueue } from '../sqlite/sqlite-upload-queue.js';
import { FAKE_CREDENTIALS, startS3rver } from '../test/support/s3rver.js';
import { startFauxqsQueue } from '../test/support/fauxqs.js';
import { createJobsTable } from '../aws/dynamodb-jobs-table.js';
import { DeleteMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbJobStore } from '../aws/dynamodb-job-store.js';
import { SqsRefreshJobs } from '../aws/sqs-refresh-jobs.js';
import { samplesToItems, startDynalite, writeItems } from '../test/support/dynalite.js';
import { COST_GOAL, deviceShareMs, invocationsPerDevicePerRun, lambdaGbSeconds, MONTH_MS, perMonth, priceMonth, s3RequestClass, type CostSummary, type FleetShape, type MonthlyCounts } from './cost-model.js';
import type { Figure } from './section.js';

const DEV = 'cost-pi';
const STEP_MS = 10_000;
const DAY_MS = 86_400_000;
/** Builder and API Lambda memory (cloud/infra/sensor-stack.ts). */
export const BUILDER_MEMORY_MB = 1024;
export const API_MEMORY_MB = 512;
/** History in the table before the counted period (read by the warm-up full builds). */
const PRELOAD_DAYS = 1;
/** Items a device holds per day at one item per 10 s. */
const ITEMS_PER_DAY = DAY_MS / STEP_MS;

/** ASSUMED reading side (not counted): stated so the figures can be redone with other numbers. */
export const ASSUMED_USE = {
  /** Page views per device per day. */
  pageViewsPerDay: 20,
  /** CloudFront requests of static files per view (index.html, script, styles, config.json). */
  staticRequestsPerView: 4,
  /** API requests per view: /devices, /samples/latest, and ~10 meta follows while open (~5 min). Every one assumed to miss the cache (worst case). */
  apiRequestsPerView: 12,
  /**
   * S3 GETs per API request that reads a stored snapshot: one, of the window object (its meta and
   * payload in one object, `builder/window-object.ts`); a second only when the canonical copy is
   * stale or late and the Pi's fallback copy is read too (not assumed).
   */
  s3GetsPerApiRequest: 1,
  /** API Lambda duration per request, ms (512 MB). */
  apiDurationMs: 50,
  /**
   * Of `apiRequestsPerView`, the requests that render an on-read window (`CLOUD_ON_READ_WINDOWS`, the 1h
   * window: /samples/latest and each meta follow render it from DynamoDB, api/on-read.ts). Worst case:
   * every view watches the 1h window and every request but /devices misses CloudFront. What one render
   * costs is COUNTED (DynamoDB RRU, CPU + round trips).
   */
  onReadRequestsPerView: 11,
  /** POST /samples/refresh (1h, 500 points) per device per day; what one costs is COUNTED (see `countRefreshes`). */
  refreshesPerDay: 4,
} as const;

/**
 * ASSUMED fleet the device is one of: its scheduled runs are shared as deployed (`cloud/builder-handler.ts`):
 * each run is one fan-out invocation plus one per shard of 50, each shard built 16 devices at a time.
 * Only the Lambda requests and the round-trip waits are shared (`invocationsPerDevicePerRun`,
 * `deviceShareMs`); every device's own requests (its run-health GET, one GET and one PUT of each
 * window object it builds, the rollup state inside) are counted per device. Refreshes are one device per invocation (not shared).
 */
export const ASSUMED_FLEET: FleetShape = {
  /** The stack's default `expectedDevices`. */
  devices: DEFAULT_EXPECTED_DEVICES,
  devicesPerShard: DEFAULT_DEVICES_PER_SHARD,
  devicesInFlight: DEFAULT_BUILD_CONCURRENCY,
};
/** SQS requests per shard message: SendMessageBatch carries 10, the event source receives and deletes each (batch size 1). */
const SQS_REQUESTS_PER_SHARD = 1 / 10 + 2;

/**
 * ASSUMED round-trip per request from a Lambda in the same region (not measurable on loopback). A
 * run's billed duration is modelled as its measured CPU time (process CPU while it ran, the in-process
 * emulators included: an overestimate of the builder's own) + its requests' round trips on its critical path × these latencies (`RoundTrips`),
 * because wall time here depends on the machine's load, not on the code.
 */
export const ASSUMED_LATENCY_MS = { s3: 30, dynamoDb: 5 } as const;

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

const SERIES: SeriesInfo[] = (['tempC', 'rhPct', 'pressurePa', 'illuminanceLux'] as const).map((metric) => ({
  deviceId: DEV, seriesId: `sim.${metric}`, sensorId: 'sim', metric, unit: metric === 'tempC' ? '°C' : metric === 'rhPct' ? '%RH' : metric === 'pressurePa' ? 'Pa' : 'lx', kind: 'gauge',
}));

function samplesAt(tsMs: number): Sample[] {
  const day = Math.sin((2 * Math.PI * (tsMs % DAY_MS)) / DAY_MS);
  const wobble = (((tsMs / STEP_MS) * 2654435761) % 1000) / 1000 - 0.5;
  const base = [21 + 3 * day, 45 - 10 * day, 101_325 + 200 * day, Math.max(0, 300 * day)];
  return SERIES.map((s, i) => ({ seriesId: s.seriesId, tsMs, value: Math.round((base[i] + wobble) * 100) / 100 }));
}

/**
 * The modelled round-trip time of a run's requests (`ASSUMED_LATENCY_MS`) on its critical path: a
 * request adds its latency only when it starts while no other counted request is in flight, so
 * requests sent together cost one round trip, as they do in Lambda, and requests sent one after
 * another (a run's window-object GETs, then its PUTs, window by window) cost one each.
 */
class RoundTrips {
  inFlight = 0;
  ms = 0;
}

/** Counts an SDK client's requests by command name and the DynamoDB capacity units they consumed. */
class RequestCounter {
  readonly byCommand = new Map<string, number>();
  wru = 0;
  rru = 0;
  /** Body bytes of the PutObject requests, in all and the last one per key (what is current). */
  putBytes = 0;
  readonly lastPutBytes = new Map<string, number>();
  reset(): void {
    this.byCommand.clear();
    this.wru = 0;
    this.rru = 0;
    this.putBytes = 0;
  }
  attach(client: DynamoDBClient | S3Client | SQSClient, isDynamo: boolean, latency?: { trips: RoundTrips; ms: number }): void {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (client.middlewareStack as any).add(
      (next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>, context: { commandName?: string }) =>
        async (args: { input: Record<string, unknown> }) => {
          const name = (context.commandName ?? 'Unknown').replace(/Command$/, '');
          if (isDynamo && args.input.ReturnConsumedCapacity === undefined && name !== 'CreateTable' && name !== 'DescribeTable') args.input.ReturnConsumedCapacity = 'TOTAL';
          if (latency && latency.trips.inFlight === 0) latency.trips.ms += latency.ms;
          if (latency) latency.trips.inFlight++;
          let out: { output: Record<string, unknown> };
          try {
            out = await next(args);
          } finally {
            if (latency) latency.trips.inFlight--;
          }
          this.byCommand.set(name, (this.byCommand.get(name) ?? 0) + 1);
          if (name === 'PutObject' && args.input.Body instanceof Uint8Array) {
            this.putBytes += args.input.Body.byteLength;
            this.lastPutBytes.set(String(args.input.Key), args.input.Body.byteLength);
          }
          if (isDynamo) {
            const cc = out.output.ConsumedCapacity as { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> | undefined;
            const units = (Array.isArray(cc) ? cc : cc ? [cc] : []).reduce((a, c) => a + (c.CapacityUnits ?? 0), 0);
            if (['BatchWriteItem', 'PutItem', 'UpdateItem', 'DeleteItem'].includes(name)) this.wru += units;
            else this.rru += units;
          }
          return out;
        },
      { step: 'initialize', name: 'costRequestCounter' },
    );
  }
  count(name: string): number {
    return this.byCommand.get(name) ?? 0;
  }
  total(): number {
    let n = 0;
    for (const v of this.byCommand.values()) n += v;
    return n;
  }
}

export interface CostRun {
  simulatedMs: number;
  /** Per schedule group: rate, windows, counted invocations, their mean wall ms, warm-up (full) run. */
  groups: Array<{ rateMinutes: number; windows: Window[]; invocations: number; meanMs: number; meanCpuMs: number; meanWaitMs: number; meanWallMs: number; fullMs: number; fullItemsRead: number; fullRru: number; spanDays: number }>;
  /**
   * `builderGbSeconds`: the device's share of the scheduled invocations (`deviceShareMs` in `ASSUMED_FLEET`);
   * `soloGbSeconds`: the same runs one device per invocation; `builderInvocations`: runs counted (one device each).
   */
  counted: { sampleItems: number; uploadWru: number; catalogWru: number; uploadRequests: number; builderRru: number; s3: Record<string, number>; builderGbSeconds: number; soloGbSeconds: number; builderInvocations: number };
  extrapolatedFull: { rru: number; gbSeconds: number; readMsPerItem: number };
  /** `count` refreshes, counted: SQS and S3 requests by command, jobs-table WRU, RRU (jobs + samples), builder GB-s. */
  refresh: { count: number; sqs: Record<string, number>; s3: Record<string, number>; wru: number; rru: number; gbSeconds: number };
  /** `count` on-read renders (`CLOUD_ON_READ_WINDOWS`, 500 points), counted: RRU and modelled ms (CPU + round trips) per render. */
  onRead: { count: number; rru: number; ms: number };
  /** The Pi's fallback checks (`fallbackCheckGroups`), counted once per window on s3rver and scaled: GETs and bytes. */
  piChecks: { getsPerMonth: number; bytesPerMonth: number; getsPerHour: number; bytesPerCheck: Map<Window, number> };
  /** Bytes the scheduled runs put per hour, and the current objects' bytes. */
  storage: { putBytesPerHour: number; currentBytes: number };
  month: MonthlyCounts;
  summary: CostSummary;
}

/** Simulate `hours` of one device (after the warm-up) and price a month of it. */
export async function runCostModel(hours = 1, log: (m: string) => void = () => {}): Promise<CostRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cost-'));
  const [dyn, s3, sqs] = await Promise.all([startDynalite(), startS3rver(), startFauxqsQueue('cost-refresh')]);
  const sqsCounter = new RequestCounter();
  const jobsCounter = new RequestCounter();
  const uploadCounter = new RequestCounter();
  const builderDynCounter = new RequestCounter();
  const s3Counter = new RequestCounter();
  const uploadClient = dyn.uploadClient();
  const builderClient = createDynamoClient({}, { endpoint: dyn.endpoint, region: 'us-east-1', credentials: FAKE_CREDENTIALS });
  uploadCounter.attach(uploadClient, true);
  const trips = new RoundTrips();
  builderDynCounter.attach(builderClient, true, { trips, ms: ASSUMED_LATENCY_MS.dynamoDb });
  s3Counter.attach(s3.client, false, { trips, ms: ASSUMED_LATENCY_MS.s3 });
  sqsCounter.attach(sqs.client, false);
  const jobsClient = createDynamoClient({}, { endpoint: dyn.endpoint, region: 'us-east-1', credentials: FAKE_CREDENTIALS });
  jobsCounter.attach(jobsClient, true, { trips, ms: ASSUMED_LATENCY_MS.dynamoDb });
  const db = openDatabase(join(dir, 'cost.db'));
  const buffer = SqliteBuffer.openOn(db);
  try {
    const t0 = Date.UTC(2026, 0, 1);
    let nowMs = t0 - PRELOAD_DAYS * DAY_MS;
    const clock = { nowMs: () => nowMs };
    // History written directly (not counted): the Pi uploaded it before the counted period.
    const history: Sample[] = [];
    for (let t = nowMs; t < t0; t += STEP_MS) history.push(...samplesAt(t));
    await writeItems(dyn.client, dyn.table, samplesToItems(DEV, history));
    const queue = SqliteUploadQueue.open(db);
    queue.setEnabled(true);
    buffer.defineSeries(SERIES);
    const uploader = new Uploader(queue, new DynamoDbSink(uploadClient, dyn.table), clock, nodeMonotonicScheduler, silentLog);
    const handler = createBuilderHandler({
      bucket: new S3ObjectStore(s3.client, s3.bucket),
      sourceFor: () => new DynamoDbSource(builderClient, dyn.table, clock),
      build: runBuild, clock, log: silentLog, discoverDevices: async () => [DEV], emit: () => {},
    });
    const invoke = async (windows: Window[]) => {
      const t = performance.now();
      const cpu = process.cpuUsage();
      const tripsBefore = trips.ms;
      const r = ((await handler({ source: 'sensorctl.schedule', windows })) as ScheduledResult).reports[0];
      if (r.error || r.stale) throw new Error(`build of ${windows.join(',')} at ${new Date(nowMs).toISOString()}: ${r.error ?? `${r.stale} stale`}`);
      const wallMs = performance.now() - t;
      const cpuMs = cpuMsSince(cpu);
      const waitMs = trips.ms - tripsBefore;
      return { ms: cpuMs + waitMs, cpuMs, waitMs, wallMs, itemsRead: r.itemsRead, rru: r.consumedRcu };
    };
    // Read time per item of a range read (Query pages + decode), for the extrapolated full re-reads.
    const probe = new DynamoDbSource(dyn.client, dyn.table, clock);
    const readCpu = process.cpuUsage();
    const range = await probe.readRange(DEV, nowMs, t0);
    for await (const _chunk of range.chunks) void _chunk;
    const readMsPerItem = (cpuMsSince(readCpu) + probe.stats().requests * ASSUMED_LATENCY_MS.dynamoDb) / Math.max(1, probe.stats().itemsRead);
    // The uploader's first upload writes the catalogue item; the warm-up builds need it.
    nowMs = t0;
    buffer.insert(DEV, samplesAt(t0));
    await uploader.runOnce();
    const groups = [] as CostRun['groups'];
    for (const g of scheduleGroups()) {
      const full = await invoke(g.windows);
      const spanDays = Math.max(...g.windows.map((w) => WINDOWS[w].spanMs)) / DAY_MS;
      groups.push({ ...g, invocations: 0, meanMs: 0, meanCpuMs: 0, meanWaitMs: 0, meanWallMs: 0, fullMs: full.ms, fullItemsRead: full.itemsRead, fullRru: full.rru, spanDays });
    }
    log(`cost: warm-up done (${groups.map((g) => `${g.windows.join('+')} ${Math.round(g.fullMs)} ms`).join(', ')}); simulating ${hours} h`);
    uploadCounter.reset();
    builderDynCounter.reset();
    s3Counter.reset();
    const totalMs = new Map<number, number>();
    const totalCpuMs = new Map<number, number>();
    const totalWaitMs = new Map<number, number>();
    const totalWallMs = new Map<number, number>();
    const inFlight = Math.min(ASSUMED_FLEET.devicesInFlight, ASSUMED_FLEET.devicesPerShard, ASSUMED_FLEET.devices);
    let billedGbSeconds = 0;
    let soloGbSeconds = 0;
    const endMs = t0 + hours * 3_600_000;
    let sampleItems = 0;
    for (let t = t0 + STEP_MS; t <= endMs; t += STEP_MS) {
      nowMs = t;
      buffer.insert(DEV, samplesAt(t));
      sampleItems++;
      if ((t - t0) % DEFAULT_CLOUD.uploadEveryMs === 0) {
        const r = await uploader.runOnce();
        if (r.stoppedBy) throw new Error(`upload stopped: ${r.stoppedBy}`);
      }
      if ((t - t0) % 60_000 !== 0) continue;
      const minute = (t - t0) / 60_000;
      for (const g of groups) {
        if (minute % g.rateMinutes !== 0) continue;
        const r = await invoke(g.windows);
        g.invocations++;
        totalMs.set(g.rateMinutes, (totalMs.get(g.rateMinutes) ?? 0) + r.ms);
        totalCpuMs.set(g.rateMinutes, (totalCpuMs.get(g.rateMinutes) ?? 0) + r.cpuMs);
        totalWaitMs.set(g.rateMinutes, (totalWaitMs.get(g.rateMinutes) ?? 0) + r.waitMs);
        totalWallMs.set(g.rateMinutes, (totalWallMs.get(g.rateMinutes) ?? 0) + r.wallMs);
        billedGbSeconds += lambdaGbSeconds(1, deviceShareMs(r.cpuMs, r.waitMs, inFlight), BUILDER_MEMORY_MB);
        soloGbSeconds += lambdaGbSeconds(1, r.ms, BUILDER_MEMORY_MB);
      }
    }
    for (const g of groups) {
      g.meanMs = (totalMs.get(g.rateMinutes) ?? 0) / Math.max(1, g.invocations);
      g.meanCpuMs = (totalCpuMs.get(g.rateMinutes) ?? 0) / Math.max(1, g.invocations);
      g.meanWaitMs = (totalWaitMs.get(g.rateMinutes) ?? 0) / Math.max(1, g.invocations);
      g.meanWallMs = (totalWallMs.get(g.rateMinutes) ?? 0) / Math.max(1, g.invocations);
    }
    const simulatedMs = endMs - t0;
    // Refreshes, counted: the API's enqueue (jobs table + SendMessage), the event source's receive and
    // delete, the builder's SQS run with the job ledger. Counted apart from the scheduled runs.
    const scheduled = { s3: new Map(s3Counter.byCommand), rru: builderDynCounter.rru, gbS: billedGbSeconds, putBytes: s3Counter.putBytes };
    const currentBytes = [...s3Counter.lastPutBytes.values()].reduce((a, b) => a + b, 0);
    // The Pi's fallback checks, counted on s3rver: each scheduled window's metas read as the Pi reads
    // them (`readWindowMetas`: a ranged GET of the object's header), at the window's cadence.
    const piBucket = new S3ObjectStore(s3.client, s3.bucket);
    const piChecks = { getsPerMonth: 0, bytesPerMonth: 0, getsPerHour: 0, bytesPerCheck: new Map<Window, number>() };
    for (const { everyMs, windows } of fallbackCheckGroups()) {
      for (const w of windows) {
        let gets = 0;
        let bytes = 0;
        const measuring = {
          get: (key: string) => piBucket.get(key),
          getRange: async (key: string, start: number, length: number) => {
            const got = await piBucket.getRange(key, start, length);
            gets++;
            bytes += got?.byteLength ?? 0;
            return got;
          },
        };
        if (!(await readWindowMetas(measuring, devicePrefix(DEV), w))) throw new Error(`no window object of ${w} to check`);
        piChecks.getsPerMonth += (MONTH_MS / everyMs) * gets;
        piChecks.bytesPerMonth += (MONTH_MS / everyMs) * bytes;
        piChecks.getsPerHour += (3_600_000 / everyMs) * gets;
        piChecks.bytesPerCheck.set(w, bytes);
      }
    }
    const { table: jobsTable } = await createJobsTable(dyn.client, 'cost-jobs');
    const jobStore = new DynamoDbJobStore(jobsClient, jobsTable);
    const refreshJobs = new SqsRefreshJobs({ store: jobStore, sqs: sqs.client, queueUrl: sqs.queueUrl, clock, scheduler: { setTimer: () => ({ cancel() {} }) }, log: silentLog }); // queued jobs set no timers
    const sqsHandler = createBuilderHandler({
      bucket: new S3ObjectStore(s3.client, s3.bucket),
      sourceFor: () => new DynamoDbSource(builderClient, dyn.table, clock),
      build: runBuild, clock, log: silentLog, discoverDevices: async () => [DEV], emit: () => {}, jobs: jobStore,
    });
    s3Counter.reset();
    builderDynCounter.reset();
    const REFRESHES = 4;
    let refreshGbS = 0;
    for (let i = 0; i < REFRESHES; i++) {
      nowMs += 15_000;
      await refreshJobs.enqueue({ device: DEV, window: '1h', granularity: 500 });
      const messages = await sqs.receive(10, 0);
      const cpu = process.cpuUsage();
      const tripsBefore = trips.ms;
      const out = await sqsHandler({ Records: messages.map((m) => ({ messageId: m.MessageId!, body: m.Body!, eventSource: 'aws:sqs' })) });
      if ('batchItemFailures' in out && out.batchItemFailures.length) throw new Error(`refresh build failed: ${JSON.stringify(out)}`);
      refreshGbS += lambdaGbSeconds(1, cpuMsSince(cpu) + (trips.ms - tripsBefore), BUILDER_MEMORY_MB);
      for (const m of messages) await sqs.client.send(new DeleteMessageCommand({ QueueUrl: sqs.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
    const refresh = {
      count: REFRESHES, sqs: Object.fromEntries(sqsCounter.byCommand), s3: Object.fromEntries(s3Counter.byCommand),
      wru: jobsCounter.wru, rru: jobsCounter.rru + builderDynCounter.rru, gbSeconds: refreshGbS,
    };
    const perRefresh = (n: number) => (n * ASSUMED_USE.refreshesPerDay * 30) / REFRESHES;
    // On-read renders, counted: the cloud API's FreshBuilder (the builder core on an eventually
    // consistent DynamoDB range read, published into process memory: no S3, no SQS, no jobs table).
    builderDynCounter.reset();
    const onReadBuilder = cloudFreshBuilder({
      build: runBuild, clock, log: silentLog,
      sourceFor: () => new DynamoDbSource(builderClient, dyn.table, clock, { consistentRead: false }),
    });
    const ON_READ_RENDERS = 4;
    let onReadMs = 0;
    let onReadCount = 0;
    for (let i = 0; i < ON_READ_RENDERS; i++) {
      nowMs += 15_000;
      for (const window of CLOUD_ON_READ_WINDOWS) {
        const cpu = process.cpuUsage();
        const tripsBefore = trips.ms;
        await onReadBuilder.build({ device: DEV, window, granularity: FINEST_GRANULARITY });
        onReadMs += cpuMsSince(cpu) + (trips.ms - tripsBefore);
        onReadCount++;
      }
    }
    const onRead = { count: onReadCount, rru: builderDynCounter.rru / Math.max(1, onReadCount), ms: onReadMs / Math.max(1, onReadCount) };
    s3Counter.byCommand.clear();
    for (const [k, v] of scheduled.s3) s3Counter.byCommand.set(k, v);
    builderDynCounter.rru = scheduled.rru;
    const s3Requests = Object.fromEntries(s3Counter.byCommand);
    const builderInvocations = groups.reduce((a, g) => a + g.invocations, 0);
    // Catalogue writes: PutItem; sample items: BatchWriteItem (1 WRU each, < 1 KB).
    const catalogWru = uploadCounter.count('PutItem');
    const counted = {
      sampleItems, uploadWru: uploadCounter.wru, catalogWru, uploadRequests: uploadCounter.count('BatchWriteItem') + uploadCounter.count('PutItem'),
      builderRru: builderDynCounter.rru, s3: s3Requests, builderGbSeconds: billedGbSeconds, soloGbSeconds, builderInvocations,
    };
    // Full re-read per group every fullEveryMs, extrapolated to a year-old device: the largest window
    // of the group, capped at a year of items; RRU and read ms per item from the warm-up full build.
    const fullPerMonth = MONTH_MS / DEFAULT_CURSOR_POLICY.fullEveryMs;
    let fullRru = 0;
    let fullGbS = 0;
    for (const g of groups) {
      const items = Math.min(g.spanDays, 365) * ITEMS_PER_DAY;
      fullRru += fullPerMonth * items * (g.fullRru / Math.max(1, g.fullItemsRead));
      // The full run replaces one counted run: only the extra read time (measured above) is added.
      fullGbS += fullPerMonth * lambdaGbSeconds(1, items * readMsPerItem, BUILDER_MEMORY_MB);
    }
    const extrapolatedFull = { rru: fullRru, gbSeconds: fullGbS, readMsPerItem };
    const m = (n: number) => perMonth(n, simulatedMs);
    const views = ASSUMED_USE.pageViewsPerDay * 30;
    const apiRequests = views * ASSUMED_USE.apiRequestsPerView;
    const onReadRequests = CLOUD_ON_READ_WINDOWS.length ? views * ASSUMED_USE.onReadRequestsPerView : 0;
    const refreshes = ASSUMED_USE.refreshesPerDay * 30;
    let s3Put = 0;
    let s3Get = 0;
    for (const [name, n] of Object.entries(s3Requests)) {
      const cls = s3RequestClass(name);
      if (cls === 'put') s3Put += n;
      if (cls === 'get') s3Get += n;
    }
    let refreshS3Put = 0;
    let refreshS3Get = 0;
    for (const [name, n] of Object.entries(refresh.s3)) {
      const cls = s3RequestClass(name);
      if (cls === 'put') refreshS3Put += n;
      if (cls === 'get') refreshS3Get += n;
    }
    const month: MonthlyCounts = {
      dynamoWru: m(uploadCounter.wru) + perRefresh(refresh.wru),
      samplesWru: m(uploadCounter.wru - catalogWru),
      dynamoRru: m(builderDynCounter.rru) + fullRru + perRefresh(refresh.rru) + onReadRequests * onRead.rru,
      builderInvocations: m(builderInvocations) * invocationsPerDevicePerRun(ASSUMED_FLEET) + refreshes,
      builderGbSeconds: m(billedGbSeconds) + fullGbS + perRefresh(refresh.gbSeconds),
      apiInvocations: apiRequests,
      apiGbSeconds: lambdaGbSeconds(apiRequests - onReadRequests, ASSUMED_USE.apiDurationMs, API_MEMORY_MB) + lambdaGbSeconds(onReadRequests, onRead.ms, API_MEMORY_MB),
      httpApiRequests: apiRequests,
      s3PutClass: m(s3Put) + perRefresh(refreshS3Put),
      s3GetClass: m(s3Get) + perRefresh(refreshS3Get) + (apiRequests - onReadRequests) * ASSUMED_USE.s3GetsPerApiRequest + piChecks.getsPerMonth,
      s3TransferOutGb: piChecks.bytesPerMonth / 1e9,
      // Every put makes the object it replaced a noncurrent version, kept NONCURRENT_VERSION_DAYS.
      s3StorageGbMonths: (m(scheduled.putBytes) * (NONCURRENT_VERSION_DAYS / 30) + currentBytes) / 1e9,
      sqsRequests: perRefresh(sqsCounter.total()) + m(builderInvocations) * shardsPerDevicePerRun() * SQS_REQUESTS_PER_SHARD,
      cloudFrontRequests: views * (ASSUMED_USE.staticRequestsPerView + ASSUMED_USE.apiRequestsPerView),
    };
    const storage = { putBytesPerHour: scheduled.putBytes * (3_600_000 / simulatedMs), currentBytes };
    return { simulatedMs, groups, counted, extrapolatedFull, refresh, onRead, piChecks, storage, month, summary: priceMonth(month) };
  } finally {
    buffer.close();
    uploadClient.destroy();
    builderClient.destroy();
    jobsClient.destroy();
    await Promise.all([dyn.close(), s3.close(), sqs.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Shard messages one scheduled run queues per device of `ASSUMED_FLEET` (0 when it does not fan out). */
function shardsPerDevicePerRun(): number {
  const f = ASSUMED_FLEET;
  return f.devices > f.devicesPerShard ? Math.ceil(f.devices / f.devicesPerShard) / f.devices : 0;
}

const usd = (v: number) => `$${v.toFixed(4)}`;

/** The run as bench figures: one per cost line (count in the note), the total, the samples' cost, the ratio. */
export function costFigures(r: CostRun): Figure[] {
  const hours = r.simulatedMs / 3_600_000;
  const s3 = Object.entries(r.counted.s3).map(([k, v]) => `${k} ${v}`).join(', ');
  const basis = `counted over ${hours} simulated h, ×${(MONTH_MS / r.simulatedMs).toFixed(0)} to 30 d`;
  const m = (n: number) => perMonth(n, r.simulatedMs);
  const f = ASSUMED_FLEET;
  const fleet = {
    label: `ASSUMED fleet of ${f.devices.toLocaleString('en-US')} devices (shards of ${f.devicesPerShard}, ${f.devicesInFlight} built at once)`,
    perRun: `${Math.round(invocationsPerDevicePerRun(f) * f.devices)}/${f.devices.toLocaleString('en-US')}`,
    shardsPerRun: `${Math.round(shardsPerDevicePerRun() * f.devices)}/${f.devices.toLocaleString('en-US')} devices`,
    inFlight: Math.min(f.devicesInFlight, f.devicesPerShard, f.devices),
  };
  const notes: Record<string, string> = {
    'DynamoDB writes (uploads)': `${basis}: ${r.counted.uploadWru} WRU in ${r.counted.uploadRequests} requests (${r.counted.catalogWru} catalogue PutItem); + the refreshes' jobs-table writes, counted (${r.refresh.wru} WRU per ${r.refresh.count})`,
    'DynamoDB reads (builder)': `${basis}: ${r.counted.builderRru.toFixed(1)} RRU; + EXTRAPOLATED full re-reads (every ${DEFAULT_CURSOR_POLICY.fullEveryMs / DAY_MS} d, eventually consistent) of a year-old device ${Math.round(r.extrapolatedFull.rru).toLocaleString('en-US')} RRU/month; + the refreshes' reads, counted (${r.refresh.rru.toFixed(1)} RRU per ${r.refresh.count}); + the API's on-read renders of ${CLOUD_ON_READ_WINDOWS.join(', ') || 'no window'}, counted (${r.onRead.rru.toFixed(1)} RRU each) × ASSUMED ${ASSUMED_USE.pageViewsPerDay} views/day × ${ASSUMED_USE.onReadRequestsPerView}`,
    'Lambda builder requests': `${basis}: ${r.counted.builderInvocations} scheduled runs, one device each (${r.groups.map((g) => `${g.windows.join('+')} every ${g.rateMinutes} min`).join(', ')}), × ${fleet.perRun} invocations per device per run in the ${fleet.label}; + ASSUMED ${ASSUMED_USE.refreshesPerDay} refreshes/day, each a counted SQS-driven run of its own invocation, not shared (jobs table ${r.refresh.wru} WRU per ${r.refresh.count})`,
    'Lambda builder duration': `${basis}: modelled ms per run, CPU + waits (round trips on the critical path × ASSUMED ${ASSUMED_LATENCY_MS.s3} ms S3, ${ASSUMED_LATENCY_MS.dynamoDb} ms DynamoDB) ${r.groups.map((g) => `${g.windows.join('+')} ${Math.round(g.meanCpuMs)}+${Math.round(g.meanWaitMs)}`).join(', ')} (wall here ${r.groups.map((g) => Math.round(g.meanWallMs)).join(', ')}) at 1024 MB; in the ${fleet.label} a device's share of its invocation is max(CPU, (CPU + waits) / ${fleet.inFlight}): CPU not shared, waits shared (one device per invocation: ${Math.round(m(r.counted.soloGbSeconds)).toLocaleString('en-US')} GB-s/month); the fan-out invocations' own time not counted; + EXTRAPOLATED full re-reads every ${DEFAULT_CURSOR_POLICY.fullEveryMs / DAY_MS} d ${r.extrapolatedFull.gbSeconds.toFixed(0)} GB-s (${r.extrapolatedFull.readMsPerItem.toFixed(3)} ms per item read: CPU measured + 1 Query per 1,000 items)`,
    'Lambda API requests': `ASSUMED ${ASSUMED_USE.pageViewsPerDay} views/day × ${ASSUMED_USE.apiRequestsPerView} API requests, all cache misses`,
    'Lambda API duration': `ASSUMED ${ASSUMED_USE.apiDurationMs} ms at 512 MB per API request; the ${ASSUMED_USE.onReadRequestsPerView} per view that render ${CLOUD_ON_READ_WINDOWS.join(', ') || 'no window'} on read: modelled ${Math.round(r.onRead.ms)} ms each (CPU + round trips, counted over ${r.onRead.count} renders)`,
    'API Gateway HTTP API': 'ASSUMED: one per API request',
    'S3 PUT/COPY/LIST': `${basis}: ${s3}; + refreshes, counted (${Object.entries(r.refresh.s3).map(([k, v]) => `${k} ${v}`).join(', ')} per ${r.refresh.count})`,
    'S3 GET/HEAD': `${basis} (builder) + ASSUMED ${ASSUMED_USE.s3GetsPerApiRequest} per API request that reads a stored snapshot (none for on-read renders) + the Pi's fallback checks, counted: ${r.piChecks.getsPerHour} ranged GETs an hour (each window at its cadence)`,
    'S3 transfer out': `the Pi's fallback checks over the internet, counted: ${[...r.piChecks.bytesPerCheck].map(([w, b]) => `${w} ${b}`).join(', ')} bytes per check (the window objects' headers), at each window's cadence; pages' traffic through CloudFront not counted`,
    'S3 storage': `${basis}: ${Math.round(r.storage.putBytesPerHour / 1000).toLocaleString('en-US')} kB put an hour, each replaced object kept ${NONCURRENT_VERSION_DAYS} d as a noncurrent version, + ${Math.round(r.storage.currentBytes / 1000)} kB current`,
    SQS: `ASSUMED ${ASSUMED_USE.refreshesPerDay} refreshes/day; per ${r.refresh.count} refreshes COUNTED on fauxqs: ${Object.entries(r.refresh.sqs).map(([k, v]) => `${k} ${v}`).join(', ')} (the event source's idle polling is per queue, not per device); + DERIVED, not counted: shard messages of the ${fleet.label}, ${fleet.shardsPerRun} per run, SendMessageBatch (10 a request), ReceiveMessage and DeleteMessage each`,
    CloudFront: `ASSUMED ${ASSUMED_USE.pageViewsPerDay} views/day × ${ASSUMED_USE.staticRequestsPerView + ASSUMED_USE.apiRequestsPerView} requests`,
  };
  const s = r.summary;
  return [
    ...s.lines.map((l) => ({ name: `${l.name} (${l.count < 10 ? l.count.toFixed(3) : Math.round(l.count).toLocaleString('en-US')} ${l.unit}/month)`, value: l.usd, unit: '$/device-month', note: notes[l.name] })),
    { name: 'samples write alone', value: s.samplesWriteUsd, unit: '$/device-month', note: `${Math.round(r.month.samplesWru).toLocaleString('en-US')} WRU: one item (4 series) per 10 s` },
    {
      name: 'total', value: s.totalUsd, unit: '$/device-month', baseline: { name: 'samples write alone', value: s.samplesWriteUsd, unit: '$/device-month' }, ratio: s.ratioToSamplesWrite,
      note: `goal ≤ ${COST_GOAL.maxRatioToSamplesWrite}× the samples' write cost and ≤ $${COST_GOAL.maxUsdPerDeviceMonth}: ${s.meetsGoal ? 'met' : 'NOT met'}; one device of the ${fleet.label}; list prices as of 2026, us-east-1 (bench/cost-model.ts)`,
    },
  ];
}

/** The section for `bench/sections/index.ts`. `BENCH_COST_HOURS` (default 1) sets the simulated period. */
export const COST_BENCH_SECTION = {
  name: 'cost/device-month',
  async run(ctx: { log(message: string): void }): Promise<Figure[]> {
    const hours = Number(process.env.BENCH_COST_HOURS ?? 1);
    return costFigures(await runCostModel(hours > 0 ? hours : 1, ctx.log));
  },
};

if (process.argv[1] && /bench\/cost\.ts$/.test(process.argv[1])) {
  const hours = Number(process.argv[2] ?? 1);
  const r = await runCostModel(hours, (m) => console.error(m));
  for (const f of costFigures(r)) console.log(`${f.name.padEnd(58)} ${usd(f.value).padStart(10)}  ${f.ratio !== undefined ? `${f.ratio.toFixed(1)}×  ` : ''}${f.note ?? ''}`);
  console.log(JSON.stringify({ groups: r.groups, counted: r.counted, extrapolatedFull: r.extrapolatedFull, month: r.month }, null, 1));
}
