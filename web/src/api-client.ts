/**
 * The page's side of the HTTP API (docs/api-contract.md): latest snapshot, its meta, refresh jobs.
 * `fetch` is injected, so tests can pass a fake. Errors become `ApiError` with the server's words.
 */
import type { Payload, RangePayload, SnapshotMeta } from '../../builder/types.js';
import { resolveApiUrl } from './page-config.js';
import type { ViewState } from './view-state.js';

/** Where the snapshot came from (`X-Snapshot-Source`); `undefined` when the header is missing. */
export type SnapshotSource = 'canonical' | 'fallback' | 'fresh' | 'live';

/** A failed API call: HTTP status (0 = no response), the contract's error code, and a sentence for people. */
export class ApiError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly code: string,
    message: string,
    readonly parameter?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface SnapshotResponse {
  readonly payload: Payload;
  /** `Last-Updated` header (ISO), when the server sent it. */
  readonly lastUpdated: string | undefined;
  readonly source: SnapshotSource | undefined;
  /** The URL fetched. */
  readonly url: string;
}

/** `POST /samples/refresh` → 202 body. */
export interface RefreshJob {
  readonly requestId: string;
  readonly statusUrl: string;
  readonly eventsUrl: string;
  readonly eta?: string;
  readonly etaMs?: number;
}

/** `GET /samples/refresh/{id}` body. */
export interface RefreshStatus {
  readonly requestId: string;
  readonly status: 'queued' | 'running' | 'done' | 'failed';
  readonly progress?: number;
  readonly resultUrl?: string;
  readonly generatedAt?: string;
  readonly error?: string;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * `/samples/latest` for `state`, pinned to `versionId` when given: a pinned URL names one immutable
 * payload, so no cache on the way (the browser's, CloudFront's for the window's TTL) can answer it
 * with an older copy, as it may for the plain URL after a new build.
 */
export function latestPath(state: ViewState, versionId?: string | null): string {
  const p = new URLSearchParams(query(state));
  if (versionId) p.set('versionId', versionId);
  return `/samples/latest?${p.toString()}`;
}

function query(state: ViewState): string {
  const p = new URLSearchParams({ window: state.window, samples: String(state.samples) });
  if (state.device !== undefined) p.set('device', state.device);
  return p.toString();
}

async function errorFrom(url: string, res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = `${res.status} ${res.statusText || 'error'}`;
  let parameter: string | undefined;
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown; parameter?: unknown } | string };
    const e = body.error;
    if (typeof e === 'string') message = e;
    else if (e && typeof e === 'object') {
      if (typeof e.code === 'string') code = e.code;
      if (typeof e.message === 'string') message = e.message;
      if (typeof e.parameter === 'string') parameter = e.parameter;
    }
  } catch {
    // Not JSON (a proxy's HTML error page): keep the status line.
  }
  const who = res.status >= 500 ? 'The server failed' : 'The server refused the request';
  return new ApiError(url, res.status, code, `${who} (HTTP ${res.status}): ${message}`, parameter);
}

/** A client bound to one API base URL. */
export class ApiClient {
  constructor(readonly apiBase: string, private readonly fetchFn: FetchLike) {}

  /** Absolute URL for a path or URL the API returned. */
  url(pathOrUrl: string): string {
    return resolveApiUrl(this.apiBase, pathOrUrl);
  }

  private async call(url: string, init?: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchFn(url, init);
    } catch (cause) {
      throw new ApiError(url, 0, 'network', `No readable answer from the API at ${new URL(url).origin} (network error, blocked by CORS, or a corrupt response).`, undefined, { cause });
    }
    if (!res.ok) throw await errorFrom(url, res);
    return res;
  }

  private async json<T>(url: string, res: Response): Promise<T> {
    try {
      return (await res.json()) as T;
    } catch (cause) {
      throw new ApiError(url, res.status, 'bad_body', `The server sent an unreadable response (HTTP ${res.status}, not JSON).`, undefined, { cause });
    }
  }

  /**
   * `GET /samples/latest` for `state`, or `resultUrl` after a refresh.
   * @param revalidate bypass the browser's HTTP cache (after a refresh the cached copy is old).
   * @throws {ApiError} on network failure, 4xx/5xx, a body that is not a payload.
   */
  async latest(state: ViewState, opts: { resultUrl?: string; revalidate?: boolean } = {}): Promise<SnapshotResponse> {
    const url = opts.resultUrl ? this.url(opts.resultUrl) : this.url(latestPath(state));
    const res = await this.call(url, { cache: opts.revalidate ? 'no-cache' : 'default' });
    const payload = await this.json<Payload>(url, res);
    if (!payload || typeof payload !== 'object' || !Array.isArray(payload.series)) {
      throw new ApiError(url, res.status, 'bad_body', 'The server sent a response that is not a snapshot payload.');
    }
    const source = res.headers.get('X-Snapshot-Source');
    return {
      payload,
      lastUpdated: res.headers.get('Last-Updated') ?? undefined,
      source: source === 'canonical' || source === 'fallback' || source === 'fresh' || source === 'live' ? source : undefined,
      url,
    };
  }

  /** `GET /samples/latest/meta` for `state`. @throws {ApiError} as `latest`. */
  async meta(state: ViewState, opts: { revalidate?: boolean } = {}): Promise<SnapshotMeta> {
    const url = this.url(`/samples/latest/meta?${query(state)}`);
    const res = await this.call(url, { cache: opts.revalidate ? 'no-cache' : 'default' });
    return this.json<SnapshotMeta>(url, res);
  }

  /** `GET /samples/range`: samples of `[fromMs, toMs]` downsampled to `columns` pixel columns. @throws {ApiError} as `latest`. */
  async range(state: ViewState, fromMs: number, toMs: number, columns: number): Promise<RangePayload> {
    const p = new URLSearchParams({ from: String(Math.floor(fromMs)), to: String(Math.ceil(toMs)), samples: String(Math.max(1, Math.min(4000, Math.round(columns)))) });
    if (state.device !== undefined) p.set('device', state.device);
    const url = this.url(`/samples/range?${p.toString()}`);
    const res = await this.call(url);
    const body = await this.json<RangePayload>(url, res);
    if (!body || !Array.isArray(body.series)) throw new ApiError(url, res.status, 'bad_body', 'The server sent a response that is not a range payload.');
    return body;
  }

  /** `GET /samples/devices`: the devices with samples and the API's default. @throws {ApiError} as `latest`. */
  async devices(): Promise<{ devices: string[]; defaultDevice: string | undefined }> {
    const url = this.url('/samples/devices');
    const res = await this.call(url);
    const body = await this.json<{ devices?: Array<{ id?: unknown }>; defaultDevice?: unknown }>(url, res);
    const devices = Array.isArray(body?.devices) ? body.devices.map((d) => d?.id).filter((id): id is string => typeof id === 'string') : [];
    return { devices, defaultDevice: typeof body?.defaultDevice === 'string' ? body.defaultDevice : undefined };
  }

  /** `POST /samples/refresh` → the job (202). @throws {ApiError} as `latest`. */
  async refresh(state: ViewState): Promise<RefreshJob> {
    const url = this.url('/samples/refresh');
    const body: Record<string, unknown> = { window: state.window, samples: state.samples };
    if (state.device !== undefined) body.device = state.device;
    const res = await this.call(url, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), cache: 'no-store',
    });
    const job = await this.json<RefreshJob>(url, res);
    if (typeof job?.statusUrl !== 'string' || typeof job.eventsUrl !== 'string') {
      throw new ApiError(url, res.status, 'bad_body', 'The server accepted the refresh but sent no statusUrl/eventsUrl.');
    }
    return job;
  }

  /** `GET statusUrl`. @throws {ApiError} as `latest`. */
  async status(statusUrl: string): Promise<RefreshStatus> {
    const url = this.url(statusUrl);
    const res = await this.call(url, { cache: 'no-store' });
    return this.json<RefreshStatus>(url, res);
  }
}
