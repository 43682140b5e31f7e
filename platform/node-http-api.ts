/**
 * node:http adapter of the fetch-shaped API: `IncomingMessage` → `Request`, `Response` →
 * `ServerResponse`, bodies streamed (so Server-Sent Events flow as they are written). Paths outside
 * `/samples/` are served from a static directory (the built page) when one is given.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import { ApiError, errorBody } from '../api/errors.js';
import { JSON_TYPE, acceptsGzip, errorResponse, ifNoneMatchMatches } from '../api/http.js';
import type { FetchHandler } from '../api/create-api.js';
import { readStaticFile, staticCacheControl, staticValidators } from './static-files.js';

/** Options of the Node adapter. */
export interface NodeHttpApiOptions {
  /** Directory of the page (`web/dist`); absent: only the API. */
  staticDir?: string;
  /** Extra handlers by exact path (e.g. `/metrics`), tried before the page and the API. */
  routes?: Readonly<Record<string, FetchHandler>>;
  /** How long a client may take to send its headers / its whole request, ms (default `REQUEST_TIMEOUTS`). */
  timeouts?: { headersMs: number; requestMs: number };
}

/**
 * Node's defaults (60 s for headers, 300 s for the whole request, checked every 30 s) let a client that
 * trickles a byte every 10 s hold a connection for 310 s; a Pi has few to spare. These are checked every
 * second and answered 408. They bound only receiving the request: responses (SSE) may last.
 */
export const REQUEST_TIMEOUTS = { headersMs: 10_000, requestMs: 15_000 } as const;
/** How often node:http looks for requests over their timeouts, ms. */
const TIMEOUT_CHECK_EVERY_MS = 1_000;

function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const url = new URL('http://localhost' + (req.url?.startsWith('/') ? req.url : '/'));
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const body = hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined;
  return new Request(url, { method: req.method, headers, body, signal, duplex: 'half' } as RequestInit);
}

async function writeResponse(response: Response, res: ServerResponse, req?: IncomingMessage): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  // Answered before the request body was read (e.g. 413 on its Content-Length): do not read the rest.
  if (req && !req.complete) headers.connection = 'close';
  const isStream = headers['content-type']?.startsWith('text/event-stream');
  if (!response.body || !isStream) {
    const body = response.body ? new Uint8Array(await response.arrayBuffer()) : undefined;
    if (body) headers['content-length'] = String(body.byteLength);
    res.writeHead(response.status, headers).end(body);
    return;
  }
  res.writeHead(response.status, headers);
  res.flushHeaders();
  const reader = response.body.getReader();
  res.on('close', () => void reader.cancel().catch(() => undefined));
  for (let r = await reader.read(); !r.done; r = await reader.read()) res.write(r.value);
  res.end();
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const pathname = new URL('http://localhost' + (req.url ?? '/')).pathname;
  if (pathname.startsWith('/samples/') || pathname === '/samples') return false;
  const file = await readStaticFile(root, pathname, acceptsGzip(req.headers['accept-encoding'] ?? null));
  if (!file) return false;
  const { etag, lastModified } = staticValidators(file);
  const headers: Record<string, string> = { 'content-type': file.contentType, 'cache-control': staticCacheControl(file), vary: 'Accept-Encoding', etag, 'last-modified': lastModified };
  if (file.contentEncoding) headers['content-encoding'] = file.contentEncoding;
  const inm = req.headers['if-none-match'] ?? null;
  const ims = req.headers['if-modified-since'];
  const isFresh = inm !== null ? ifNoneMatchMatches(inm, etag) : ims !== undefined && Date.parse(ims) >= Math.floor(file.lastModifiedMs / 1000) * 1000;
  if (isFresh) {
    res.writeHead(304, headers).end();
    return true;
  }
  headers['content-length'] = String(file.body.byteLength);
  res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : file.body);
  return true;
}

/** A node:http request listener that serves `api` (and the static page). Never throws. */
export function nodeListener(api: FetchHandler, options: NodeHttpApiOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const root = options.staticDir === undefined ? undefined : realpathSync(options.staticDir);
  return (req, res) => {
    const aborter = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborter.abort(); // the client left before the answer was complete
    });
    const handle = async (): Promise<void> => {
      const route = options.routes?.[new URL('http://localhost' + (req.url ?? '/')).pathname];
      if (route === undefined && root !== undefined && (await serveStatic(root, req, res))) return;
      let request: Request;
      try {
        request = toRequest(req, aborter.signal);
      } catch {
        await writeResponse(errorResponse(new ApiError(400, 'bad_parameter', 'the request URL or headers cannot be parsed', 'url')), res);
        return;
      }
      await writeResponse(await (route ?? api)(request), res, req);
    };
    handle().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end('{"error":{"status":500,"code":"internal","message":"internal error"}}');
      else res.destroy();
    });
  };
}

/** Longest request line + headers node:http accepts (its default), bytes. */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * Answer a request node:http could not parse, with the API's JSON error body: 431 when the request
 * line and headers are too long (a 100 KB query string), 408 when it came too slowly
 * (`REQUEST_TIMEOUTS`), else 400. Then close the connection.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const error = err.code === 'HPE_HEADER_OVERFLOW'
    ? new ApiError(431, 'headers_too_large', `the request line and headers are longer than ${MAX_HEADER_BYTES} bytes; send a shorter query string`, 'url')
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new ApiError(408, 'request_timeout', 'the request (headers or body) was not received in time; send it at once', 'body')
      : new ApiError(400, 'bad_parameter', 'the request cannot be parsed as HTTP/1.1', 'url');
  const body = JSON.stringify(errorBody(error));
  const reason = error.status === 431 ? 'Request Header Fields Too Large' : error.status === 408 ? 'Request Timeout' : 'Bad Request';
  socket.end(`HTTP/1.1 ${error.status} ${reason}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`);
}

/** A listening server and how to stop it. */
export interface RunningServer {
  server: Server;
  /** e.g. `http://127.0.0.1:8080/`. */
  url: string;
  /** Stop accepting, end open streams (SSE), resolve when closed. */
  close(): Promise<void>;
}

/** Why a listen failed, in words an operator can act on (EADDRINUSE, EACCES, ENOTFOUND, EADDRNOTAVAIL). */
export function listenErrorMessage(err: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is in use (another sensorctl run/serve?); stop it or choose another --port`;
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose a --port ≥ 1024`;
    case 'ENOTFOUND':
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${host} is not an address of this machine; use e.g. 127.0.0.1 or 0.0.0.0 for --host`;
    default:
      return `cannot listen on ${where}: ${err.message}`;
  }
}

/**
 * Listen on `host:port` (port 0: any free port).
 * @throws {Error} with `listenErrorMessage` wording (the system error as `cause`) when the address cannot be used.
 */
export async function startNodeServer(api: FetchHandler, host: string, port: number, options: NodeHttpApiOptions = {}): Promise<RunningServer> {
  const timeouts = options.timeouts ?? REQUEST_TIMEOUTS;
  const server = createServer({
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_EVERY_MS, timeouts.headersMs),
  }, nodeListener(api, options));
  server.on('clientError', answerClientError);
  server.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(listenErrorMessage(err, host, port), { cause: err })));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}/`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
