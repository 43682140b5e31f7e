/**
 * Follows a refresh job to its end: Server-Sent Events from `eventsUrl` first (queued, started,
 * progress, done, failed — docs/api-contract.md), and polling `statusUrl` when the event stream fails
 * or says `poll` (the API Gateway mode, which cannot stream).
 * The event source, the status call and the sleep are injected, so this runs under test without a
 * browser. @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
import type { RefreshStatus } from './api-client.js';

/** The slice of `EventSource` used here. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void;
  onerror: ((ev: Event) => void) | null;
  close(): void;
}

export interface RefreshDeps {
  openEvents(url: string): EventSourceLike;
  status(statusUrl: string): Promise<RefreshStatus>;
  sleep(ms: number): Promise<void>;
}

/** What the throbber shows: the job's phase and progress 0..1 (undefined = indeterminate). */
export interface RefreshProgress {
  readonly phase: 'queued' | 'running';
  readonly progress: number | undefined;
  /** `sse` while the event stream works, `polling` after it failed. */
  readonly via: 'sse' | 'polling';
}

/** How a finished job ended. */
export interface RefreshOutcome {
  readonly resultUrl: string | undefined;
  readonly generatedAt: string | undefined;
}

/** A job that ended `failed`, or polling that gave up. `message` is for people. */
export class RefreshFailedError extends Error {
  constructor(readonly requestId: string, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Polling interval: starts at 500 ms, ×1.5 per poll, at most 5 s. */
export const POLL_FIRST_MS = 500;
export const POLL_MAX_MS = 5_000;
/** Polls before giving up (≈ 10 min at the maximum interval). */
export const POLL_MAX_TRIES = 130;

function parseData(ev: MessageEvent): Record<string, unknown> {
  try {
    const v = JSON.parse(String(ev.data)) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Resolves with the final event, or rejects with `'sse-failed'` when the stream errors first. */
function viaEvents(
  job: { requestId: string; eventsUrl: string }, deps: RefreshDeps, onProgress: (p: RefreshProgress) => void,
): Promise<RefreshOutcome> {
  return new Promise((resolve, reject) => {
    let es: EventSourceLike;
    try {
      es = deps.openEvents(job.eventsUrl);
    } catch {
      reject(new Error('sse-failed'));
      return;
    }
    let last = 0;
    const progress = (phase: RefreshProgress['phase'], p: number | undefined) => {
      if (p !== undefined) last = Math.max(last, Math.min(1, Math.max(0, p)));
      onProgress({ phase, progress: p === undefined && last === 0 ? undefined : last, via: 'sse' });
    };
    es.addEventListener('queued', () => progress('queued', undefined));
    es.addEventListener('started', () => progress('running', undefined));
    es.addEventListener('progress', (ev) => progress('running', num(parseData(ev).progress)));
    es.addEventListener('done', (ev) => {
      es.close();
      const d = parseData(ev);
      resolve({ resultUrl: str(d.resultUrl), generatedAt: str(d.generatedAt) });
    });
    es.addEventListener('failed', (ev) => {
      es.close();
      reject(new RefreshFailedError(job.requestId, str(parseData(ev).error) ?? 'the refresh job failed'));
    });
    // Behind API Gateway (buffered responses) the stream ends with `poll`: switch to polling now.
    es.addEventListener('poll', () => {
      es.close();
      reject(new Error('sse-failed'));
    });
    es.onerror = () => {
      // EventSource would reconnect on its own; we switch to polling instead, which also covers
      // servers and proxies that do not stream at all.
      es.close();
      reject(new Error('sse-failed'));
    };
  });
}

async function viaPolling(
  job: { requestId: string; statusUrl: string }, deps: RefreshDeps, onProgress: (p: RefreshProgress) => void,
): Promise<RefreshOutcome> {
  let waitMs = POLL_FIRST_MS;
  for (let i = 0; i < POLL_MAX_TRIES; i++) {
    const s = await deps.status(job.statusUrl);
    if (s.status === 'done') return { resultUrl: s.resultUrl, generatedAt: s.generatedAt };
    if (s.status === 'failed') throw new RefreshFailedError(job.requestId, s.error ?? 'the refresh job failed');
    onProgress({ phase: s.status === 'queued' ? 'queued' : 'running', progress: num(s.progress), via: 'polling' });
    await deps.sleep(waitMs);
    waitMs = Math.min(POLL_MAX_MS, Math.round(waitMs * 1.5));
  }
  throw new RefreshFailedError(job.requestId, `no result after ${POLL_MAX_TRIES} status checks; the job may still finish`);
}

/**
 * Follow `job` until it is done.
 * @returns the job's `resultUrl` and `generatedAt` (either may be missing).
 * @throws {RefreshFailedError} when the job reports `failed` or polling gives up.
 * @throws {ApiError} when polling the status fails (network, 404 for a forgotten job).
 */
export async function followRefreshJob(
  job: { requestId: string; statusUrl: string; eventsUrl: string },
  deps: RefreshDeps,
  onProgress: (p: RefreshProgress) => void,
): Promise<RefreshOutcome> {
  try {
    return await viaEvents(job, deps, onProgress);
  } catch (err) {
    if (err instanceof RefreshFailedError) throw err;
    return viaPolling(job, deps, onProgress);
  }
}
