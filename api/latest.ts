/**
 * GET /samples/latest and GET /samples/latest/meta: choose device, granularity and copy, then answer
 * with CDN-friendly headers (docs/api-contract.md).
 */
import { META_TTL_S, WINDOWS } from '../builder/constants.js';
import type { StoredObject } from '../builder/ports.js';
import type { SnapshotMeta } from '../builder/types.js';
import { ApiError, echo } from './errors.js';
import { mergePayload, planGranularity, type GranularityPlan, type ServedPayload } from './granularity.js';
import { gunzip, gzip } from './gzip.js';
import { JSON_TYPE, acceptsGzip, httpDate, ifNoneMatchMatches, jsonResponse, opaqueTag } from './http.js';
import type { SnapshotParams } from './params.js';
import { MAX_COMPUTED_BODIES, type ApiContext } from './context.js';
import type { SnapshotStore } from './ports.js';
import { decodePayload, isGzipObject, locateSnapshot, readVerifiedPayloadObject, type LocatedSnapshot, type SnapshotSource } from './snapshots.js';

/** Cache-Control of a pinned version: it never changes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const encoder = new TextEncoder();

/** Body bytes and headers of one served payload. */
export interface Representation {
  body: Uint8Array;
  isGzip: boolean;
}

/**
 * Encode a computed payload (merged or fresh) for the client: gzip when accepted.
 */
export async function encodeComputed(payload: ServedPayload, wantsGzip: boolean): Promise<Representation> {
  const json = encoder.encode(JSON.stringify(payload));
  return wantsGzip ? { body: await gzip(json), isGzip: true } : { body: json, isGzip: false };
}

async function computeRepresentation(object: StoredObject, plan: GranularityPlan, wantsGzip: boolean): Promise<Representation> {
  if (plan.mergeTo !== undefined) return encodeComputed(mergePayload(await decodePayload(object), plan.mergeTo), wantsGzip);
  return { body: await gunzip(object.body), isGzip: false };
}

/** The body to send: the stored bytes when they fit, else a computed body (cached by key and ETag). */
function representationOf(ctx: ApiContext, object: StoredObject, plan: GranularityPlan, wantsGzip: boolean, etag: string): Promise<Representation> {
  const isStoredGzip = isGzipObject(object);
  if (plan.mergeTo === undefined && (wantsGzip || !isStoredGzip)) return Promise.resolve({ body: object.body, isGzip: isStoredGzip });
  const cacheKey = `${object.key} ${etag}`;
  const cached = ctx.computedBodies.get(cacheKey);
  if (cached) return cached;
  const computed = computeRepresentation(object, plan, wantsGzip);
  ctx.computedBodies.set(cacheKey, computed);
  computed.catch(() => ctx.computedBodies.delete(cacheKey));
  if (ctx.computedBodies.size > MAX_COMPUTED_BODIES) ctx.computedBodies.delete(ctx.computedBodies.keys().next().value!);
  return computed;
}

/** HTTP response headers every payload answer carries (200 and 304); not the stored object's headers. */
export function payloadResponseHeaders(fields: { cacheControl: string; source: SnapshotSource; granularity: number; generatedAt: string }): Record<string, string> {
  return {
    'Cache-Control': fields.cacheControl,
    Vary: 'Accept-Encoding',
    'Last-Updated': fields.generatedAt,
    'X-Granularity': String(fields.granularity),
    'X-Snapshot-Source': fields.source,
  };
}

/** A 200 payload response from a representation. */
export function payloadResponse(rep: Representation, headers: Record<string, string>): Response {
  const encoding: Record<string, string> = rep.isGzip ? { 'Content-Encoding': 'gzip' } : {};
  return new Response(rep.body as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'Content-Type': JSON_TYPE, ...encoding, ...headers } });
}

function etagOf(object: StoredObject, plan: GranularityPlan, isGzip: boolean): string {
  const merged = plan.mergeTo === undefined ? '' : `-g${plan.mergeTo}`;
  return `"${opaqueTag(object.etag)}${merged}${isGzip ? '' : '-identity'}"`;
}

function notBuilt(params: SnapshotParams, device: string, plan: GranularityPlan): ApiError {
  return new ApiError(404, 'not_built', `snapshot ${params.window}/${plan.source} of device ${device} was never built`);
}

/**
 * True when the request asks caches to revalidate (RFC 9111 §5.2.1: `Cache-Control: no-cache` or
 * `max-age=0`; a browser sends `max-age=0` for `fetch(…, { cache: 'no-cache' })` and on a reload).
 */
export function asksRevalidation(req: Request): boolean {
  return /(^|,)\s*(no-cache|max-age\s*=\s*0+)\s*(,|$)/i.test(req.headers.get('cache-control') ?? '');
}

/** The store to read for `req`: past the API's read cache when the request asks for revalidation. */
export function storeFor(req: Request, ctx: ApiContext): SnapshotStore {
  return asksRevalidation(req) ? ctx.store.revalidating ?? ctx.store : ctx.store;
}

async function findSnapshot(store: SnapshotStore, ctx: ApiContext, params: SnapshotParams, device: string, plan: GranularityPlan): Promise<LocatedSnapshot> {
  const snapshot = await locateSnapshot(store, device, params.window, plan.source, ctx.clock.nowMs());
  if (!snapshot) throw notBuilt(params, device, plan);
  return snapshot;
}

/**
 * A pinned `versionId`: the canonical copy's version, else the Pi's fallback copy's (a page that pinned
 * the fallback the API served keeps reading it). 404 `not_found` when neither copy holds it.
 */
async function findPinned(store: SnapshotStore, ctx: ApiContext, params: SnapshotParams, device: string, plan: GranularityPlan, versionId: string): Promise<{ snapshot: LocatedSnapshot; object: StoredObject }> {
  let isAnyBuilt = false;
  for (const copies of ['canonical', 'fallback'] as const) {
    const snapshot = await locateSnapshot(store, device, params.window, plan.source, ctx.clock.nowMs(), copies);
    if (!snapshot) continue;
    isAnyBuilt = true;
    const object = await readVerifiedPayloadObject(snapshot, versionId);
    if (object) return { snapshot, object };
  }
  if (!isAnyBuilt) throw notBuilt(params, device, plan);
  throw new ApiError(404, 'not_found', `versionId ${echo(versionId)} is not the current build of this snapshot (a window keeps only its latest; read without versionId)`, 'versionId');
}

async function findObject(store: SnapshotStore, ctx: ApiContext, params: SnapshotParams, device: string, plan: GranularityPlan): Promise<{ snapshot: LocatedSnapshot; object: StoredObject }> {
  if (params.versionId !== undefined) return findPinned(store, ctx, params, device, plan, params.versionId);
  const snapshot = await findSnapshot(store, ctx, params, device, plan);
  const object = await readVerifiedPayloadObject(snapshot);
  if (!object) throw new ApiError(404, 'not_built', `snapshot ${params.window}/${plan.source} of device ${device} is missing`);
  return { snapshot, object };
}

/** Serve the stored snapshot for validated `params` (no `fresh`). */
export async function serveSnapshot(req: Request, ctx: ApiContext, params: SnapshotParams, device: string): Promise<Response> {
  const plan = planGranularity(params.samples);
  const { snapshot, object } = await findObject(storeFor(req, ctx), ctx, params, device, plan);
  return servePayloadObject(req, ctx, object, plan, {
    cacheControl: params.versionId !== undefined ? IMMUTABLE : `public, max-age=${WINDOWS[params.window].ttlS}`,
    source: snapshot.source,
    generatedAt: snapshot.meta.generatedAt!,
  });
}

/**
 * Answer one payload object (a stored one, or one rendered on read in the same shape) for `plan`:
 * the contract's headers, an ETag of the object's ETag (and merge and encoding), 304 on a matching
 * `If-None-Match`, else the stored bytes or a computed (merged/decoded, cached) body as negotiated.
 */
export async function servePayloadObject(
  req: Request, ctx: ApiContext, object: StoredObject, plan: GranularityPlan,
  fields: { cacheControl: string; source: SnapshotSource; generatedAt: string },
): Promise<Response> {
  const wantsGzip = acceptsGzip(req.headers.get('accept-encoding'));
  const servesGzip = wantsGzip && (plan.mergeTo !== undefined || isGzipObject(object));
  const etag = etagOf(object, plan, servesGzip);
  const headers = {
    ...payloadResponseHeaders({ ...fields, granularity: plan.mergeTo ?? plan.source }),
    ETag: etag,
    'Last-Modified': httpDate(object.lastModifiedMs),
  };
  if (ifNoneMatchMatches(req.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
  return payloadResponse(await representationOf(ctx, object, plan, wantsGzip, etag), headers);
}

/** 32-bit FNV-1a of `text`, hex: a cheap validator for small JSON bodies (not a security hash). */
function fnv1aHex(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * GET /samples/latest/meta for a stored window: the meta of the snapshot `/samples/latest` would
 * serve, with an ETag of its content, so a page that follows the snapshots revalidates it for a 304
 * of a few hundred bytes.
 */
export async function serveMeta(req: Request, ctx: ApiContext, params: SnapshotParams, device: string): Promise<Response> {
  const plan = planGranularity(params.samples);
  const snapshot = await findSnapshot(storeFor(req, ctx), ctx, params, device, plan);
  return metaResponse(req, snapshot.meta, snapshot.source, `public, max-age=${META_TTL_S}`);
}

/** A meta answer (200, or 304 on a matching `If-None-Match`) with the contract's headers. */
export function metaResponse(req: Request, meta: SnapshotMeta, source: SnapshotSource, cacheControl: string): Response {
  const headers = {
    'Cache-Control': cacheControl,
    'X-Granularity': String(meta.granularity),
    'X-Snapshot-Source': source,
    'Last-Updated': meta.generatedAt!,
    ETag: `"m-${fnv1aHex(`${source} ${JSON.stringify(meta)}`)}"`,
  };
  if (ifNoneMatchMatches(req.headers.get('if-none-match'), headers.ETag)) return new Response(null, { status: 304, headers });
  return jsonResponse(200, meta, headers);
}
