/**
 * node:http adapter of the fetch-shaped API: `IncomingMessage` → `Request`, `Response` →
 * `ServerResponse`, bodies streamed (so Server-Sent Events flow as they are written). Paths outside
 * `/samples/` are served from a static directory (the built page) when one is given.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { realpathSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ApiError } from '../api/errors.js';
import { acceptsGzip, errorResponse } from '../api/http.js';
import type { FetchHandler } from '../api/create-api.js';
import { readStaticFile } from './static-files.js';

/** Options of the Node adapter. */
export interface NodeHttpApiOptions {
  /** Directory of the page (`web/dist`); absent: only the API. */
  staticDir?: string;
  /** Extra handlers by exact path (e.g. `/metrics`), tried before the page and the API. */
  routes?: Readonly<Record<string, FetchHandler>>;
}

function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const url = new URL('http://localhost' + (req.url?.startsWith('/') ? req.url : '/'));
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const body = hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined;
  return new Request(url, { method: req.method, headers, body, signal, duplex: 'half' } as RequestInit);
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
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
  const headers: Record<string, string> = { 'content-type': file.contentType, 'content-length': String(file.body.byteLength), 'cache-control': 'no-cache', vary: 'Accept-Encoding' };
  if (file.contentEncoding) headers['content-encoding'] = file.contentEncoding;
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
      await writeResponse(await (route ?? api)(request), res);
    };
    handle().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end('{"error":{"status":500,"code":"internal","message":"internal error"}}');
      else res.destroy();
    });
  };
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
  const server = createServer(nodeListener(api, options));
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
