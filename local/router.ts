/**
 * The local cloud's stand-in for the stack's CloudFront distribution: one `node:http` server on
 * 127.0.0.1 that sends each request to the origin the stack's cache behaviours name, in the stack's
 * order (`cloud/infra/sensor-stack.ts` `makeDistribution`, built from the same exported constants):
 * 1. `EVENTS_PATH_PATTERN` (`/samples/refresh/*\/events`) → the streaming API function (function URL,
 *    `lambdaStreamHandler`), its body written to the socket chunk by chunk;
 * 2. `/samples/refresh*`, `/samples/*` → the HTTP API function (API Gateway payload v2, `createHttpEntry`);
 * 3. the snapshot behaviours (`snapshotBehaviours()`, then `SNAPSHOT_PATH_PREFIXES`) → the snapshot
 *    bucket, key = path without its leading `/`, `versionId` forwarded (the cache policy's allow-list);
 * 4. the page's hashed assets (`PAGE_ASSET_PATH_PATTERNS`) and the default → the page bucket, `/` →
 *    `PAGE_ROOT_OBJECT`, `Cache-Control` replaced by `PAGE_CACHE_CONTROL` as the response headers policy does.
 * Compression as the behaviours' `compress: true` (all but the event stream): `edgeEncoding` below.
 * Not emulated: edge caching and TTLs, HTTPS redirects, origin access control signing, HTTP/2, the API stage's throttling and CORS
 * pre-flight handling by API Gateway (the API core answers OPTIONS itself). A missing object answers
 * 403, as S3 does to CloudFront's origin access control without `s3:ListBucket`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../builder/ports.js';
import type { ApiGatewayV2Event, ApiGatewayV2Result } from '../aws/lambda-http-api.js';
import type { HttpResponseStreamFrom } from '../aws/lambda-stream-api.js';
import { EVENTS_PATH_PATTERN, SNAPSHOT_PATH_PREFIXES } from '../cloud/infra/sensor-stack.js';
import { snapshotBehaviours } from '../cloud/infra/schedules.js';
import { PAGE_ASSET_PATH_PATTERNS, PAGE_CACHE_CONTROL, PAGE_ROOT_OBJECT } from '../cloud/infra/page.js';

/** Which origin a behaviour sends to. */
export type OriginName = 'stream' | 'api' | 'snapshots' | 'page';

/** One cache behaviour: a CloudFront path pattern and its origin; `cacheControl` replaces the origin's (page only). */
export interface Behaviour {
  pathPattern: string;
  origin: OriginName;
  cacheControl?: string;
}

/** The stack's behaviours in its evaluation order, then the default (`*` → page). */
export function distributionBehaviours(): Behaviour[] {
  return [
    { pathPattern: EVENTS_PATH_PATTERN, origin: 'stream' },
    { pathPattern: '/samples/refresh*', origin: 'api' },
    { pathPattern: '/samples/*', origin: 'api' },
    ...snapshotBehaviours().map((b) => ({ pathPattern: b.pathPattern, origin: 'snapshots' as const })),
    ...SNAPSHOT_PATH_PREFIXES.map((p) => ({ pathPattern: `${p}*`, origin: 'snapshots' as const })),
    ...PAGE_ASSET_PATH_PATTERNS.map((p) => ({ pathPattern: p, origin: 'page' as const, cacheControl: PAGE_CACHE_CONTROL.assets })),
    { pathPattern: '*', origin: 'page', cacheControl: PAGE_CACHE_CONTROL.page },
  ];
}

/** A CloudFront path pattern as a RegExp: `*` any characters (`/` included), `?` exactly one, case-sensitive, leading `/` optional. */
export function pathPatternRegExp(pattern: string): RegExp {
  const anchored = pattern.startsWith('/') || pattern.startsWith('*') ? pattern : `/${pattern}`;
  const body = anchored.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** The first behaviour whose pattern matches `path` (the default `*` always does). */
export function behaviourFor(path: string, behaviours: readonly Behaviour[]): Behaviour {
  return behaviours.find((b) => pathPatternRegExp(b.pathPattern).test(path)) ?? behaviours[behaviours.length - 1];
}

/** The origins the router calls: the two API functions (as the Lambda runtime would) and the two buckets. */
export interface RouterOrigins {
  /** The HTTP API function's handler (`createHttpEntry`). */
  api(event: ApiGatewayV2Event): Promise<ApiGatewayV2Result | unknown>;
  /** The streaming function's handler (`lambdaStreamHandler`), over `streamPrelude` as `HttpResponseStream.from`. */
  stream(event: ApiGatewayV2Event, responseStream: Writable): Promise<void>;
  snapshots: { client: S3Client; bucket: string };
  page: { client: S3Client; bucket: string };
}

/**
 * `awslambda.HttpResponseStream.from` for a Node response: writes status and headers at once (so the
 * client sees the stream open before the first event) and returns the response as the body stream.
 */
export const streamPrelude: HttpResponseStreamFrom = (stream, prelude) => {
  const res = stream as ServerResponse;
  res.writeHead(prelude.statusCode, prelude.headers);
  res.flushHeaders();
  return res;
};

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A viewer request as the payload v2 event API Gateway and function URLs send. */
async function eventOf(req: IncomingMessage, url: URL): Promise<ApiGatewayV2Event> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
  return {
    version: '2.0',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
    ...(body.byteLength > 0 ? { body: body.toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
    requestContext: { http: { method, path: url.pathname }, domainName: req.headers.host },
  };
}

/** Content types CloudFront compresses (a subset of its documented list: what the page, API and snapshots send). */
const COMPRESSIBLE_TYPES = /^(text\/(html|css|plain|javascript|xml|csv)|application\/(javascript|x-javascript|json|xml|manifest\+json)|image\/svg\+xml)\b/;

/**
 * The encoding CloudFront compresses a response with (`compress: true`, cache policy with gzip and
 * Brotli enabled): Brotli when the viewer accepts it, else gzip; `undefined` when the viewer accepts
 * neither, the origin already encoded it, the type is not compressible, or the size is outside
 * 1,000–10,000,000 bytes.
 */
export function edgeEncoding(acceptEncoding: string | undefined, contentType: string | undefined, contentEncoding: string | undefined, bytes: number): 'br' | 'gzip' | undefined {
  if (contentEncoding || !contentType || !COMPRESSIBLE_TYPES.test(contentType) || bytes < 1_000 || bytes > 10_000_000) return undefined;
  const accepted = new Set((acceptEncoding ?? '').split(',').map((e) => e.split(';')[0].trim().toLowerCase()));
  return accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : undefined;
}

/** Send `body` with `headers` (lower-case names), compressed as the edge would for `req`. */
function sendCompressed(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  const encoding = status === 200 ? edgeEncoding(req.headers['accept-encoding'], headers['content-type'], headers['content-encoding'], body.byteLength) : undefined;
  if (!encoding) {
    res.writeHead(status, headers);
    res.end(body);
    return;
  }
  const encoded = encoding === 'br' ? brotliCompressSync(body) : gzipSync(body);
  res.writeHead(status, { ...headers, 'content-encoding': encoding, 'content-length': String(encoded.byteLength) });
  res.end(encoded);
}

function sendResult(req: IncomingMessage, res: ServerResponse, result: ApiGatewayV2Result): void {
  const body = Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  sendCompressed(req, res, result.statusCode, headers, body);
}

const S3_HEADERS = [
  ['ContentType', 'content-type'], ['ContentEncoding', 'content-encoding'], ['ContentLength', 'content-length'], ['ETag', 'etag'],
  ['CacheControl', 'cache-control'], ['VersionId', 'x-amz-version-id'],
] as const;

/** GET/HEAD of one object through the behaviour; 304 on a matching If-None-Match, 403 when absent. */
async function fromBucket(req: IncomingMessage, res: ServerResponse, url: URL, origin: { client: S3Client; bucket: string }, behaviour: Behaviour): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(403, { 'content-type': 'text/plain' }).end(`${req.method} is not allowed on ${behaviour.pathPattern}\n`);
    return;
  }
  const key = behaviour.origin === 'page' && url.pathname === '/' ? PAGE_ROOT_OBJECT : decodeURIComponent(url.pathname.slice(1));
  const versionId = behaviour.origin === 'snapshots' ? url.searchParams.get('versionId') ?? undefined : undefined;
  try {
    const out = await origin.client.send(new GetObjectCommand({
      Bucket: origin.bucket, Key: key, VersionId: versionId, IfNoneMatch: req.headers['if-none-match'] || undefined,
    }));
    const headers: Record<string, string> = {};
    for (const [field, header] of S3_HEADERS) if (out[field] !== undefined) headers[header] = String(out[field]);
    if (out.LastModified) headers['last-modified'] = out.LastModified.toUTCString();
    if (behaviour.cacheControl) {
      headers['cache-control'] = behaviour.cacheControl;
      headers['x-content-type-options'] = 'nosniff';
    }
    if (behaviour.origin === 'snapshots' && req.headers.origin) headers['access-control-allow-origin'] = '*';
    if (req.method === 'HEAD' || !out.Body) {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of out.Body as Readable) chunks.push(chunk as Buffer);
    sendCompressed(req, res, 200, headers, Buffer.concat(chunks));
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 304) {
      res.writeHead(304).end();
      return;
    }
    const name = (err as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NoSuchVersion' || status === 404) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      return;
    }
    throw err;
  }
}

/** The running router. */
export interface Router {
  /** Base URL, `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Start the router on 127.0.0.1:`port` (0 = ephemeral). Each request is logged once when its
 * response ends: method, path, the origin it went to, status, duration.
 */
export async function startRouter(origins: RouterOrigins, log: Logger, port = 0): Promise<Router> {
  const behaviours = distributionBehaviours();
  const server = createServer((req, res) => {
    const startedMs = performance.now();
    const url = new URL(req.url ?? '/', 'http://local');
    const behaviour = behaviourFor(url.pathname, behaviours);
    res.on('close', () => {
      log.info(`${req.method} ${url.pathname}${url.search} → ${behaviour.origin} ${res.statusCode}`, { ms: Math.round(performance.now() - startedMs) });
    });
    const handle = async (): Promise<void> => {
      if (behaviour.origin === 'api') {
        const result = (await origins.api(await eventOf(req, url))) as ApiGatewayV2Result;
        return sendResult(req, res, result);
      }
      if (behaviour.origin === 'stream') {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(403, { 'content-type': 'text/plain' }).end(`${req.method} is not allowed on ${behaviour.pathPattern}\n`);
          return;
        }
        return origins.stream(await eventOf(req, url), res);
      }
      return fromBucket(req, res, url, behaviour.origin === 'page' ? origins.page : origins.snapshots, behaviour);
    };
    handle().catch((err: unknown) => {
      log.error(`${req.method} ${url.pathname}: the ${behaviour.origin} origin failed`, { error: (err as Error).message });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('502 Bad Gateway: the origin failed (see the local cloud log)\n');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
