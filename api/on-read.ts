/**
 * On-read windows (`ApiOptions.onReadWindows`; the cloud's 1h window, `cloudRender: 'onRead'` in
 * builder/constants.ts): no builder publishes them, so `GET /samples/latest` and its meta render the
 * payload per request through the `FreshBuilder` port (in the cloud: the builder core on a DynamoDB
 * range read), NOT through the refresh-job queue (no message, no job write per read). One build per
 * device/window/granularity is shared by concurrent reads and reused for `ON_READ_REUSE_MS`; the
 * payload is served with the window's TTL (`X-Snapshot-Source: live`), so CloudFront absorbs the rest.
 * When the build fails, a stored copy (the Pi's `fallback/` one, or a canonical one a refresh wrote)
 * is served with a short max-age; without one the answer is 503 `unavailable` naming the cause (404
 * `not_built` for a device that has no samples).
 */
import { META_TTL_S, WINDOWS, devicePrefix, payloadVersionId, type Granularity, type Window } from '../builder/constants.js';
import { isoOf, jsonBytes, sha256Hex } from '../builder/codec.js';
import type { StoredObject } from '../builder/ports.js';
import { snapshotMetaOf, storedPayloadHeaders } from '../builder/publish.js';
import type { ApiContext, OnReadSnapshot } from './context.js';
import { ApiError } from './errors.js';
import { planGranularity, type GranularityPlan } from './granularity.js';
import { gzip } from './gzip.js';
import { metaResponse, serveSnapshot, servePayloadObject, storeFor } from './latest.js';
import type { SnapshotParams } from './params.js';
import { locateSnapshot, readVerifiedPayloadObject, type LocatedSnapshot } from './snapshots.js';

/** Cache max-age of a stored copy served because the on-read build failed, s: short, so the live payload returns soon. */
export const ON_READ_FALLBACK_MAX_AGE_S = 5;

/** Key prefix of on-read payload objects (never stored; names them in the API's computed-body cache). */
const ON_READ_KEY_PREFIX = 'on-read/';

/** True when `ctx` renders `window` on read. */
export function isOnRead(ctx: ApiContext, window: Window): boolean {
  return ctx.options.onReadWindows.includes(window);
}

/**
 * The payload of (`device`, `window`, `granularity`) as of now, built through `ctx.fresh` (shared and
 * reused ~1 s), gzip-encoded as a stored payload would be, with the meta a publish would write for it:
 * `versionId` from its generation time and the sha256 of its gzip bytes, `expiresAt` = generatedAt +
 * the window's TTL (when a reader should expect a newer one), `stagedKey` null (nothing is stored).
 * Rejects with the builder's error.
 */
function renderOnRead(ctx: ApiContext, device: string, window: Window, granularity: Granularity): Promise<OnReadSnapshot> {
  return ctx.onReadBuilds.get(`${device} ${window} ${granularity}`, async () => {
    const payload = await ctx.fresh.build({ device, window, granularity });
    const body = await gzip(jsonBytes(payload));
    const sha256 = await sha256Hex(body);
    const generatedMs = Date.parse(payload.generatedAt);
    const versionId = payloadVersionId(generatedMs, sha256);
    const key = `${window}/${granularity}/${versionId}`;
    const meta = {
      ...snapshotMetaOf({ deviceId: device, builder: 'lambda' }, payload, key, versionId, sha256, body.byteLength),
      expiresAt: isoOf(generatedMs + WINDOWS[window].ttlS * 1000),
      stagedKey: null,
    };
    const object: StoredObject = {
      key: ON_READ_KEY_PREFIX + devicePrefix(device) + key, body, headers: storedPayloadHeaders(window),
      etag: `"${versionId}"`, lastModifiedMs: generatedMs, bytes: body.byteLength,
    };
    return { object, meta };
  });
}

/** The message of a failed build, short. */
function causeOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The stored copy `/samples/latest` would serve (`locateSnapshot`: canonical unless stale or late, else the Pi's newer fallback); none, or the store failing too: `undefined`. */
async function storedCopy(req: Request, ctx: ApiContext, params: SnapshotParams, device: string, plan: GranularityPlan): Promise<{ snapshot: LocatedSnapshot; object: StoredObject } | undefined> {
  const store = storeFor(req, ctx);
  try {
    const snapshot = await locateSnapshot(store, device, params.window, plan.source, ctx.clock.nowMs());
    const object = snapshot && (await readVerifiedPayloadObject(snapshot));
    return snapshot && object ? { snapshot, object } : undefined;
  } catch {
    return undefined;
  }
}

/** What an on-read request serves: the payload rendered now, or a stored copy when it cannot be. */
type OnReadAnswer = { rendered: OnReadSnapshot } | { stored: { snapshot: LocatedSnapshot; object: StoredObject } };

/**
 * Render the window now; when the device has no samples (nothing to render from) or the build fails,
 * the stored copy instead.
 * @throws {ApiError} 404 `not_built` for a device without samples and no stored copy; 503
 *   `unavailable` naming the failure when the build failed and there is no stored copy.
 */
async function renderOrStored(req: Request, ctx: ApiContext, params: SnapshotParams, device: string, plan: GranularityPlan): Promise<OnReadAnswer> {
  if (!(await ctx.devices.withSamples()).includes(device)) {
    const stored = await storedCopy(req, ctx, params, device, plan);
    if (stored) return { stored };
    throw new ApiError(404, 'not_built', `device ${device} has no samples yet; its ${params.window} window is rendered on read from them`);
  }
  try {
    return { rendered: await renderOnRead(ctx, device, params.window, plan.source) };
  } catch (err) {
    const stored = await storedCopy(req, ctx, params, device, plan);
    if (stored) return { stored };
    throw new ApiError(503, 'unavailable', `the ${params.window} window of device ${device} is rendered on read, and rendering it failed: ${causeOf(err)}; no stored copy to serve instead. Try again shortly`, undefined, undefined, {
      'Retry-After': String(ON_READ_FALLBACK_MAX_AGE_S),
    });
  }
}

/**
 * `GET /samples/latest` of an on-read window (validated `params`, no `fresh`): 200 with the payload
 * rendered now (`Cache-Control: public, max-age=<window ttlS>`, `X-Snapshot-Source: live`, ETag of the
 * content, 304 on `If-None-Match`, gzip as negotiated, merged granularities as for stored ones); a
 * stored copy with `max-age=ON_READ_FALLBACK_MAX_AGE_S` when it cannot be rendered (`renderOrStored`).
 * A `versionId` is served only from a stored copy that holds it; any other is 404 `not_found`.
 */
export async function serveOnRead(req: Request, ctx: ApiContext, params: SnapshotParams, device: string): Promise<Response> {
  if (params.versionId !== undefined) return servePinnedOnRead(req, ctx, params, device);
  const plan = planGranularity(params.samples);
  const answer = await renderOrStored(req, ctx, params, device, plan);
  if ('stored' in answer) {
    const { snapshot, object } = answer.stored;
    return servePayloadObject(req, ctx, object, plan, { cacheControl: `public, max-age=${ON_READ_FALLBACK_MAX_AGE_S}`, source: snapshot.source, generatedAt: snapshot.meta.generatedAt! });
  }
  return servePayloadObject(req, ctx, answer.rendered.object, plan, {
    cacheControl: `public, max-age=${WINDOWS[params.window].ttlS}`,
    source: 'live',
    generatedAt: answer.rendered.meta.generatedAt!,
  });
}

async function servePinnedOnRead(req: Request, ctx: ApiContext, params: SnapshotParams, device: string): Promise<Response> {
  try {
    return await serveSnapshot(req, ctx, params, device);
  } catch (err) {
    if (!(err instanceof ApiError && (err.code === 'not_found' || err.code === 'not_built'))) throw err;
    throw new ApiError(404, 'not_found', `versionId ${params.versionId} is not a stored copy's: the ${params.window} window is rendered on read, and on-read windows are not versioned; ask without versionId`, 'versionId');
  }
}

/**
 * `GET /samples/latest/meta` of an on-read window: the meta of the payload `/samples/latest` serves
 * now (the same shared build: same `generatedAt` and `versionId`), `X-Snapshot-Source: live`, stale
 * false, `expiresAt` one TTL after `generatedAt`. When it cannot be rendered: the stored copy's meta
 * (short max-age), else 404 `not_built` (no samples) or 503 `unavailable` (`renderOrStored`).
 */
export async function serveOnReadMeta(req: Request, ctx: ApiContext, params: SnapshotParams, device: string): Promise<Response> {
  const answer = await renderOrStored(req, ctx, params, device, planGranularity(params.samples));
  if ('stored' in answer) return metaResponse(req, answer.stored.snapshot.meta, answer.stored.snapshot.source, `public, max-age=${ON_READ_FALLBACK_MAX_AGE_S}`);
  return metaResponse(req, answer.rendered.meta, 'live', `public, max-age=${META_TTL_S}`);
}
