/**
 * Ports of the samples API core (`createApi`). The core is pure: it reads snapshots through
 * `SnapshotStore`, computes fresh payloads through `FreshBuilder`, runs refresh jobs through
 * `RefreshJobs` and waits only through `Scheduler`. Adapters: `platform/fs-object-store.ts` (Pi),
 * the S3 store (cloud), memory stores (tests); `pi/pi-fresh-builder.ts` (Pi) and a DynamoDB
 * builder (cloud); `api/memory-refresh-jobs.ts` (Pi) and an SQS/DynamoDB job store (cloud).
 */
import type { Granularity, Window } from '../builder/constants.js';
import type { Clock, ObjectStore, SampleSource } from '../builder/ports.js';
import type { Payload, PublishedBuild } from '../builder/types.js';

export type { PublishedBuild };

/**
 * The part of the builder's `ObjectStore` the API reads: canonical and `fallback/` snapshots.
 * `revalidating`, on a store with a read cache (`cachedSnapshotStore`): the same reads past the cache,
 * used for a request that asks for revalidation (`Cache-Control: no-cache` or `max-age=0`).
 */
export type SnapshotStore = Pick<ObjectStore, 'get'> & { readonly revalidating?: Pick<ObjectStore, 'get'> };

/** Which devices exist. `defaultId` is served when a request names no device. */
export interface DeviceDirectory {
  /** Every device id that may have snapshots (`ID_PATTERN`). */
  list(): Promise<string[]>;
  /** The configured or only device; `undefined` when the caller must name one. */
  defaultId(): Promise<string | undefined>;
  /**
   * Devices that have raw samples (SQLite on the Pi, a catalogue item in the cloud), sorted. A refresh
   * of any other device would write empty snapshots, so the API refuses it.
   */
  withSamples(): Promise<string[]>;
}

/** What one fresh computation or refresh job builds. */
export interface BuildRequest {
  device: string;
  window: Window;
  granularity: Granularity;
}

/**
 * Computes one payload straight from the raw store (SQLite on the Pi, DynamoDB in the cloud).
 * Implemented by wiring the builder core; tests pass a small in-memory builder.
 */
export interface FreshBuilder {
  /**
   * @param onProgress called with the done fraction 0..1 as work advances (optional, any number of times).
   * @returns the payload as of now. Rejects when the build fails (the job then ends `failed`),
   *   with `FreshBuildError` when the build ran but produced no payload for `request`.
   */
  build(request: BuildRequest, onProgress?: (fraction: number) => void): Promise<Payload>;
}

/**
 * What a `FreshBuilder` rejects with when the build produced no payload for `request` (the requested
 * snapshot failed, or nothing was written). `message` is the job's `error` as the adapter words it.
 */
export class FreshBuildError extends Error {
  constructor(readonly request: BuildRequest, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Job states, in order; `done` and `failed` are final. */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/** One refresh job as the status endpoint shows it. Times are epoch ms UTC. */
export interface JobState extends BuildRequest {
  /** Unguessable id (`JOB_ID_PATTERN`). */
  requestId: string;
  status: JobStatus;
  /** Done fraction 0..1. */
  progress: number;
  createdMs: number;
  /** Expected completion time, epoch ms. */
  etaMs: number;
  /** ISO 8601 UTC `generatedAt` of the result, when done. */
  generatedAt?: string;
  /**
   * The snapshot version the job published (its meta's `versionId`), when done and the store knows it
   * (the cloud builder's jobs). Its `resultUrl` then pins that version: a URL no edge cache has seen.
   */
  versionId?: string;
  /** The computed payload, when the job store keeps it (in-process jobs do). */
  data?: Payload;
  /** Why it failed (a short message, never a stack). */
  error?: string;
  /** Id of the job's latest event (the final one once the job is over). */
  lastEventId: number;
}

/** Event types of a job's stream, in the order they happen. */
export type JobEventType = 'queued' | 'started' | 'progress' | 'done' | 'failed';

/** One job event. `id` increases by 1 from 1 within a job. `data` is the SSE `data:` JSON. */
export interface JobEvent {
  id: number;
  type: JobEventType;
  data: Record<string, unknown>;
}

/** Refresh jobs: deduplicated per device/window, observable by id. */
export interface RefreshJobs {
  /**
   * Queue a build unless one for the same device/window is queued or running.
   * @param options.waitMs set by `fresh=true`: the caller waits up to this many ms for the job to end,
   *   so a store may run a small build in process (the cloud jobs do); absent for `POST /samples/refresh`.
   * @returns the job (new or reused) and whether it was created now.
   */
  enqueue(request: BuildRequest, options?: { waitMs?: number }): Promise<{ job: JobState; isNew: boolean }>;
  /** The job, or `undefined` when unknown or expired. */
  get(requestId: string): Promise<JobState | undefined>;
  /** Stored events with id > `afterId`, in order; `undefined` when the job is unknown. */
  eventsAfter(requestId: string, afterId: number): Promise<JobEvent[] | undefined>;
  /**
   * Deliver every event with id > `afterId` (already stored ones first, in order), then live ones,
   * until the returned function is called. Resolves `undefined` when the job is unknown.
   */
  subscribe(requestId: string, afterId: number, listener: (event: JobEvent) => void): Promise<(() => void) | undefined>;
}

/** A cancellable one-shot timer. */
export interface TimerHandle {
  cancel(): void;
}

/** Timers, injected so the core never calls `setTimeout` itself (tests drive them by hand). */
export interface Scheduler {
  /** Run `fn` once after `delayMs` ms unless cancelled. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}

/**
 * How the events route answers. `stream`: a live `text/event-stream` until the job ends (node:http,
 * Lambda function URLs with response streaming). `snapshot`: the events so far, then (if the job is
 * not over) an `event: poll` and a `retry:` hint, then close; for runtimes that buffer responses
 * (API Gateway), so `EventSource` reconnects with `Last-Event-ID` and works as long polling.
 */
export type SseMode = 'stream' | 'snapshot';

/** Tunables of the API; every field has a default. */
export interface ApiOptions {
  /** Allowed CORS origins; `*` allows any (default `['*']`). */
  corsOrigins?: readonly string[];
  /** Longest wait for a `fresh=true` computation before answering 202, ms (default 3000). */
  freshBudgetMs?: number;
  /** Interval of SSE comment heartbeats, ms (default 15000). */
  heartbeatMs?: number;
  /** SSE reconnection delay sent as `retry:`, ms (default 2000). */
  sseRetryMs?: number;
  sseMode?: SseMode;
  /** Most samples one `/samples/range` request may read (default 2 000 000); more is a 422 `range_too_large`. */
  rangeBudgetSamples?: number;
  /**
   * Windows rendered on read (`api/on-read.ts`): `GET /samples/latest` (no `versionId`, no `fresh`)
   * and its meta build the payload through `FreshBuilder` per request (one build per container and
   * second, shared), instead of reading a stored snapshot. The cloud passes `CLOUD_ON_READ_WINDOWS`
   * (builder/constants.ts); default none (the Pi serves every window from its own builds).
   */
  onReadWindows?: readonly Window[];
}

/**
 * Raw samples for `GET /samples/range`: the SQLite buffer on the Pi, a `DynamoDbSource` in the cloud
 * (a function, so the cloud can make one per request).
 */
export type RangeSource = Pick<SampleSource, 'listSeries' | 'readRange'>;

/** Everything `createApi` needs. */
export interface ApiDeps {
  store: SnapshotStore;
  /** Raw samples for `/samples/range`; absent: the route answers 404 `not_found`. */
  samples?: () => RangeSource;
  devices: DeviceDirectory;
  fresh: FreshBuilder;
  jobs: RefreshJobs;
  clock: Clock;
  scheduler: Scheduler;
  /** Builds published in this process, pushed by `GET /samples/builds`; absent (the cloud): that route answers 404 and pages poll the meta. */
  builds?: BuildFeed;
  options?: ApiOptions;
}


/** Where the API hears of published builds (the Pi: its builds' store tells it; `api/build-feed.ts`). */
export interface BuildFeed {
  /** Call `listener` for every build published from now on, until the returned function is called. */
  subscribe(listener: (build: PublishedBuild) => void): () => void;
}

/** Defaults of `ApiOptions`. */
export const DEFAULT_API_OPTIONS: Required<ApiOptions> = {
  corsOrigins: ['*'],
  freshBudgetMs: 3000,
  heartbeatMs: 15_000,
  sseRetryMs: 2000,
  sseMode: 'stream',
  rangeBudgetSamples: 2_000_000,
  onReadWindows: [],
};

/** Refresh job ids: lowercase RFC 9562 version-4 UUIDs (122 random bits), as `crypto.randomUUID()` makes. */
export const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
