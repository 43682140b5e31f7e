/**
 * The server the dashboard's browser tests talk to, behind one function: `start(options)`.
 *
 * Today this is a stand-in written for the tests (the real API in api/ is built in parallel): a
 * node:http server on 127.0.0.1 that serves web/dist and the routes of docs/api-contract.md from
 * snapshot files in the real layout (`<dataDir>/snapshots/<device>/latest_{w}_{g}.json` gzip +
 * `.meta.json`). It reads the files on every request, so tests change state by writing files, which
 * works the same against `sensorctl serve --data-dir`.
 *
 * `WEB_TEST_SERVER=sensorctl` runs the real `sensorctl serve` instead (from this checkout, or from
 * `WEB_TEST_SENSORCTL_ROOT`), over the same data dir, serving web/dist. `holdRefresh`/`releaseRefresh`,
 * `failNextRefresh` and `refreshClock` are stand-in conveniences; tests that need them skip without them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import {
  GRANULARITIES, WINDOWS, WINDOW_ALIASES, WINDOW_NAMES, devicePrefix, isWindow, metaKey, snapshotKey,
  type Granularity, type Window,
} from '../../builder/constants.js';
import type { Payload, SnapshotMeta } from '../../builder/types.js';
import { readSnapshot, writeSnapshot } from './web-fixture.js';

const ROOT = new URL('../../', import.meta.url).pathname;
export const WEB_DIST = join(ROOT, 'web', 'dist');

export interface WebServerOptions {
  /** Directory holding `snapshots/<device>/…`. */
  readonly dataDir: string;
  /** The device served when a request names none. */
  readonly deviceId: string;
  /** Stand-in only: refresh jobs wait in `running` until `releaseRefresh()` is called. */
  readonly holdRefresh?: boolean;
  /** Stand-in only: `generatedAt` (epoch ms) stamped by a refresh; default the real clock. */
  readonly refreshClock?: () => number;
}

export interface WebServer {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly url: string;
  /** Every request's method and path+query, in arrival order. */
  readonly requests: string[];
  close(): Promise<void>;
  /** Stand-in only: let held refresh jobs finish. */
  releaseRefresh?(): void;
  /** Stand-in only: make the next refresh job end `failed` with `message`. */
  failNextRefresh?(message: string): void;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml',
};
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const EXPOSED = 'Content-Encoding, ETag, Last-Modified, Last-Updated, X-Granularity, X-Snapshot-Source';

interface Job {
  id: string; window: Window; granularity: Granularity; device: string;
  status: 'queued' | 'running' | 'done' | 'failed'; progress: number;
  events: Array<{ id: number; event: string; data: unknown }>; listeners: Set<ServerResponse>;
  generatedAt?: string; error?: string;
}

class BadRequest extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly parameter?: string, readonly allowed?: unknown[]) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Access-Control-Allow-Origin': '*', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, e: BadRequest): void {
  sendJson(res, e.status, { error: { status: e.status, code: e.code, message: e.message, parameter: e.parameter, allowed: e.allowed } });
}

function parseView(q: URLSearchParams, defaultDevice: string, extra: string[] = []): { window: Window; granularity: Granularity; device: string } {
  const known = ['window', 'samples', 'device', 'fresh', 'versionId', ...Object.keys(WINDOW_ALIASES), ...extra];
  for (const k of new Set(q.keys())) {
    if (!known.includes(k)) throw new BadRequest(400, 'unknown_parameter', `${k} is not a parameter of this route`, k, known);
    if (q.getAll(k).length > 1) throw new BadRequest(400, 'repeated_parameter', `${k} is given more than once`, k);
  }
  let window: Window | undefined;
  const w = q.get('window');
  if (w !== null) {
    if (!isWindow(w)) throw new BadRequest(400, 'bad_parameter', `window=${w} is not allowed`, 'window', WINDOW_NAMES);
    window = w;
  }
  for (const [alias, map] of Object.entries(WINDOW_ALIASES)) {
    const v = q.get(alias);
    if (v === null) continue;
    if (window) throw new BadRequest(400, 'bad_parameter', 'give the window exactly once', alias);
    window = map[v];
    if (!window) throw new BadRequest(400, 'bad_parameter', `${alias}=${v} is not allowed`, alias, Object.keys(map));
  }
  if (!window) throw new BadRequest(400, 'bad_parameter', 'window is required', 'window', WINDOW_NAMES);
  const s = q.get('samples') ?? '500';
  const n = /^[0-9]+$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1 && n <= 500)) throw new BadRequest(400, 'bad_parameter', `samples=${s} is not an integer 1–500`, 'samples');
  const granularity = [...GRANULARITIES].reverse().find((g) => g <= n) ?? GRANULARITIES[0];
  return { window, granularity, device: q.get('device') ?? defaultDevice };
}

function snapshotPaths(dataDir: string, v: { window: Window; granularity: Granularity; device: string }) {
  const dir = join(dataDir, devicePrefix(v.device));
  return { payload: join(dir, snapshotKey(v.window, v.granularity)), meta: join(dir, metaKey(v.window, v.granularity)) };
}

function serveLatest(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, opts: WebServerOptions): void {
  const v = parseView(q, opts.deviceId);
  const paths = snapshotPaths(opts.dataDir, v);
  if (!existsSync(paths.payload) || !existsSync(paths.meta)) {
    throw new BadRequest(404, 'not_built', `snapshot ${snapshotKey(v.window, v.granularity)} of ${v.device} has not been built`);
  }
  const body = readFileSync(paths.payload);
  const meta = JSON.parse(readFileSync(paths.meta, 'utf8')) as SnapshotMeta;
  let decoded: Buffer;
  try {
    decoded = gunzipSync(body);
    JSON.parse(decoded.toString('utf8'));
  } catch {
    throw new BadRequest(500, 'internal', `stored snapshot ${snapshotKey(v.window, v.granularity)} is unreadable`);
  }
  const etag = `"${meta.sha256 ?? 'none'}"`;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8', Vary: 'Accept-Encoding',
    'Cache-Control': `public, max-age=${WINDOWS[v.window].ttlS}`, ETag: etag,
    'Last-Modified': new Date(meta.generatedAt ?? 0).toUTCString(), 'Last-Updated': meta.generatedAt ?? '',
    'X-Granularity': String(v.granularity), 'X-Snapshot-Source': 'canonical',
    'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': EXPOSED,
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzipOk = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  res.writeHead(200, gzipOk ? { ...headers, 'Content-Encoding': 'gzip' } : headers);
  res.end(gzipOk ? body : decoded);
}

function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): void {
  const rel = normalize(pathname === '/' ? '/index.html' : pathname).replace(/^(\.\.[/\\])+/, '');
  const file = join(WEB_DIST, rel);
  if (!file.startsWith(WEB_DIST) || !existsSync(file) || rel.endsWith('.gz')) {
    throw new BadRequest(404, 'not_found', `no such file ${pathname}`);
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  const gz = `${file}.gz`;
  const gzipOk = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && existsSync(gz);
  res.writeHead(200, {
    'Content-Type': type, 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding', ...(gzipOk ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(readFileSync(gzipOk ? gz : file));
}

/** Start the server on 127.0.0.1 with an ephemeral port: the stand-in, or `sensorctl serve` (see top). */
export function start(opts: WebServerOptions): Promise<WebServer> {
  return process.env.WEB_TEST_SERVER === 'sensorctl' ? startSensorctl(opts) : startStandIn(opts);
}

/** The real `sensorctl serve --data-dir <dataDir> --port 0 --static-dir web/dist`, device from a config file. */
async function startSensorctl(opts: WebServerOptions): Promise<WebServer> {
  const root = process.env.WEB_TEST_SENSORCTL_ROOT ?? ROOT;
  const config = join(opts.dataDir, 'sensorctl.json');
  writeFileSync(config, JSON.stringify({ deviceId: opts.deviceId }));
  const child = spawn(process.execPath, [
    '--import', 'tsx', join(root, 'cli', 'sensorctl.ts'), '--data-dir', opts.dataDir, '--config', config,
    'serve', '--host', '127.0.0.1', '--port', '0', '--static-dir', WEB_DIST,
  ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    const onData = (d: Buffer) => {
      log += d;
      const m = /http:\/\/127\.0\.0\.1:[0-9]+/.exec(log);
      if (m) resolve(m[0]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`sensorctl serve exited with ${code} before listening:\n${log}`)));
  });
  return {
    url,
    requests: [],
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

async function startStandIn(opts: WebServerOptions): Promise<WebServer> {
  const requests: string[] = [];
  const jobs = new Map<string, Job>();
  let held: Array<() => void> = [];
  let failNext: string | undefined;

  const emit = (job: Job, event: string, data: unknown) => {
    const e = { id: job.events.length + 1, event, data };
    job.events.push(e);
    for (const l of job.listeners) {
      l.write(`id: ${e.id}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
      if (event === 'done' || event === 'failed') l.end();
    }
  };
  const runJob = async (job: Job) => {
    await new Promise((r) => setTimeout(r, 20));
    job.status = 'running';
    emit(job, 'started', {});
    job.progress = 0.4;
    emit(job, 'progress', { progress: 0.4 });
    if (opts.holdRefresh) await new Promise<void>((r) => held.push(r));
    if (failNext !== undefined) {
      job.status = 'failed';
      job.error = failNext;
      failNext = undefined;
      emit(job, 'failed', { error: job.error });
      return;
    }
    try {
      const payload: Payload = readSnapshot(opts.dataDir, job.device, job.window, job.granularity);
      payload.generatedAt = new Date((opts.refreshClock ?? Date.now)()).toISOString();
      writeSnapshot(opts.dataDir, payload);
      job.generatedAt = payload.generatedAt;
    } catch (err) {
      // The stand-in rebuilds by re-stamping the stored payload; without one it cannot.
      job.status = 'failed';
      job.error = `rebuild failed: ${(err as Error).message}`;
      emit(job, 'failed', { error: job.error });
      return;
    }
    job.progress = 1;
    job.status = 'done';
    emit(job, 'progress', { progress: 1 });
    emit(job, 'done', { resultUrl: resultUrl(job), generatedAt: job.generatedAt });
  };
  const resultUrl = (j: Job) => `/samples/latest?window=${j.window}&samples=${j.granularity}&device=${j.device}`;

  const refresh = async (req: IncomingMessage, res: ServerResponse, q: URLSearchParams) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    for (const [k, v] of Object.entries(body)) q.set(k, String(v));
    const v = parseView(q, opts.deviceId);
    const running = [...jobs.values()].find((j) => j.device === v.device && j.window === v.window && (j.status === 'queued' || j.status === 'running'));
    const job: Job = running ?? { id: randomUUID(), ...v, status: 'queued', progress: 0, events: [], listeners: new Set() };
    if (!running) {
      jobs.set(job.id, job);
      emit(job, 'queued', {});
      void runJob(job);
    }
    sendJson(res, 202, {
      requestId: job.id, statusUrl: `/samples/refresh/${job.id}`, eventsUrl: `/samples/refresh/${job.id}/events`,
      eta: new Date(Date.now() + 2000).toISOString(), etaMs: 2000,
    });
  };

  const events = (req: IncomingMessage, res: ServerResponse, job: Job) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' });
    const after = Number(req.headers['last-event-id'] ?? 0);
    for (const e of job.events.filter((x) => x.id > after)) res.write(`id: ${e.id}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
    if (job.status === 'done' || job.status === 'failed') return void res.end();
    job.listeners.add(res);
    res.on('close', () => job.listeners.delete(res));
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const handle = async () => {
      const m = /^\/samples\/refresh\/([^/]+)(\/events)?$/.exec(url.pathname);
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type' });
        return void res.end();
      }
      if (url.pathname === '/samples/latest' && req.method === 'GET') return serveLatest(req, res, url.searchParams, opts);
      if (url.pathname === '/samples/latest/meta' && req.method === 'GET') {
        const p = snapshotPaths(opts.dataDir, parseView(url.searchParams, opts.deviceId));
        if (!existsSync(p.meta)) throw new BadRequest(404, 'not_built', 'this snapshot has not been built');
        return sendJson(res, 200, JSON.parse(readFileSync(p.meta, 'utf8')), { 'Cache-Control': 'max-age=10' });
      }
      if (url.pathname === '/samples/refresh' && req.method === 'POST') return refresh(req, res, url.searchParams);
      if (m) {
        if (!UUID_V4.test(m[1])) throw new BadRequest(400, 'bad_parameter', 'malformed request id', 'requestId');
        const job = jobs.get(m[1]);
        if (!job) throw new BadRequest(404, 'not_found', `no refresh job ${m[1]}`);
        if (m[2]) return events(req, res, job);
        return sendJson(res, 200, {
          requestId: job.id, status: job.status, progress: job.progress, window: job.window, granularity: job.granularity,
          device: job.device, ...(job.status === 'done' ? { resultUrl: resultUrl(job), generatedAt: job.generatedAt } : {}),
          ...(job.error ? { error: job.error } : {}),
        }, { 'Cache-Control': 'no-store' });
      }
      if (req.method === 'GET') return serveStatic(req, res, url.pathname);
      throw new BadRequest(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}`);
    };
    handle().catch((err: unknown) => {
      if (err instanceof BadRequest) return sendError(res, err);
      sendError(res, new BadRequest(500, 'internal', 'internal error'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    releaseRefresh() {
      const r = held;
      held = [];
      for (const f of r) f();
    },
    failNextRefresh(message: string) {
      failNext = message;
    },
    close() {
      for (const j of jobs.values()) for (const l of j.listeners) l.end();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
