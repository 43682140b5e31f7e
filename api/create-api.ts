/**
 * The samples API core: one fetch-shaped function over ports, served by node:http on the Pi
 * (`platform/node-http-api.ts`) and by API Gateway + Lambda in the cloud (`aws/lambda-http-api.ts`).
 * Routes and bodies: docs/api-contract.md.
 */
import type { ApiContext } from './context.js';
import { contextOf } from './context.js';
import { addCorsHeaders, preflightResponse } from './cors.js';
import { handleDevices, requireSamples, resolveDevice } from './devices.js';
import { ApiError, INTERNAL_ERROR } from './errors.js';
import { serveFresh } from './fresh.js';
import { errorResponse } from './http.js';
import { serveMeta, serveSnapshot } from './latest.js';
import { isOnRead, serveOnRead, serveOnReadMeta } from './on-read.js';
import { LATEST_PARAMS, META_PARAMS, parseSnapshotParams } from './params.js';
import type { ApiDeps } from './ports.js';
import { handleRefreshPost, handleRefreshStatus, parseJobId } from './refresh.js';
import { handleRange } from './range.js';
import { handleEvents } from './sse.js';
import { handleBuildEvents } from './build-feed.js';

/** A fetch-shaped request handler: the API core's one shape, served by every HTTP adapter (node:http, Lambda). */
export type FetchHandler = (req: Request) => Promise<Response>;

interface Route {
  methods: readonly string[];
  handle: (req: Request, url: URL, ctx: ApiContext) => Promise<Response>;
}

/** GET /samples/latest. */
async function handleLatest(req: Request, url: URL, ctx: ApiContext): Promise<Response> {
  const params = parseSnapshotParams(url.searchParams, LATEST_PARAMS);
  const device = await resolveDevice(ctx.devices, params.device);
  if (params.fresh) await requireSamples(ctx.devices, device);
  if (params.fresh) return serveFresh(req, ctx, params, device);
  return isOnRead(ctx, params.window) ? serveOnRead(req, ctx, params, device) : serveSnapshot(req, ctx, params, device);
}

/** GET /samples/latest/meta. */
async function handleMeta(req: Request, url: URL, ctx: ApiContext): Promise<Response> {
  const params = parseSnapshotParams(url.searchParams, META_PARAMS);
  const device = await resolveDevice(ctx.devices, params.device);
  return isOnRead(ctx, params.window) ? serveOnReadMeta(req, ctx, params, device) : serveMeta(req, ctx, params, device);
}

/** The route of `pathname`, or `undefined` (404). */
function routeOf(pathname: string): Route | undefined {
  if (pathname === '/samples/latest') return { methods: ['GET', 'HEAD'], handle: handleLatest };
  if (pathname === '/samples/range') return { methods: ['GET', 'HEAD'], handle: handleRange };
  if (pathname === '/samples/devices') return { methods: ['GET', 'HEAD'], handle: handleDevices };
  if (pathname === '/samples/latest/meta') return { methods: ['GET', 'HEAD'], handle: handleMeta };
  if (pathname === '/samples/refresh') return { methods: ['POST'], handle: handleRefreshPost };
  if (pathname === '/samples/builds') return { methods: ['GET'], handle: handleBuildEvents };
  const match = /^\/samples\/refresh\/([^/]*)(\/events)?$/.exec(pathname);
  if (!match) return undefined;
  if (match[2]) return { methods: ['GET'], handle: (req, url, ctx) => handleEvents(req, url, ctx, parseJobId(match[1])) };
  return { methods: ['GET', 'HEAD'], handle: (_req, url, ctx) => handleRefreshStatus(url, ctx, parseJobId(match[1])) };
}

async function dispatch(req: Request, ctx: ApiContext): Promise<Response> {
  const url = new URL(req.url);
  const route = routeOf(url.pathname);
  if (!route) throw new ApiError(404, 'not_found', `no route ${req.method} ${url.pathname.slice(0, 64)}`);
  if (req.method === 'OPTIONS') return preflightResponse(route.methods);
  if (!route.methods.includes(req.method)) {
    const allow = [...route.methods, 'OPTIONS'];
    throw new ApiError(405, 'method_not_allowed', `${req.method.slice(0, 16)} is not allowed here`, undefined, allow, { Allow: allow.join(', ') });
  }
  const response = await route.handle(req, url, ctx);
  if (req.method !== 'HEAD') return response;
  // HEAD: the GET answer's headers, with the length of the body it would send (RFC 9110 §9.3.2).
  const headers = new Headers(response.headers);
  if (response.body && !headers.get('content-type')?.startsWith('text/event-stream')) {
    headers.set('Content-Length', String((await response.arrayBuffer()).byteLength));
  } else {
    await response.body?.cancel();
  }
  return new Response(null, { status: response.status, headers });
}

/**
 * Build the API.
 * @returns a handler that never rejects: bad input answers 4xx with the contract's error body,
 *   anything unexpected answers 500 `{error:{code:'internal'}}` with no details.
 */
export function createApi(deps: ApiDeps): FetchHandler {
  const ctx = contextOf(deps);
  return async (req) => {
    let response: Response;
    try {
      response = await dispatch(req, ctx);
    } catch (err) {
      response = errorResponse(err instanceof ApiError ? err : INTERNAL_ERROR);
    }
    addCorsHeaders(response.headers, req.headers.get('origin'), ctx.options.corsOrigins);
    return response;
  };
}
