/**
 * `fresh=true`: compute the payload from the raw store within the budget (200, `no-store`), or
 * answer 202 with the refresh job when the budget runs out or a job for that device/window is
 * already queued or running. The job keeps going either way.
 */
import { ApiError } from './errors.js';
import type { ApiContext } from './context.js';
import { mergePayload, planGranularity, type ServedPayload } from './granularity.js';
import { acceptsGzip } from './http.js';
import { acceptedResponse, isFinal } from './jobs-view.js';
import { encodeComputed, payloadResponseHeaders, payloadResponse, serveSnapshot } from './latest.js';
import type { SnapshotParams } from './params.js';
import type { JobState } from './ports.js';

/**
 * Wait until job `requestId` ends or `budgetMs` passes.
 * @returns the final job state, or `undefined` when the budget ran out first.
 */
export function waitForJob(ctx: ApiContext, requestId: string, budgetMs: number): Promise<JobState | undefined> {
  return new Promise((resolve, reject) => {
    let isSettled = false;
    let unsubscribe: (() => void) | undefined;
    const settle = (job: JobState | undefined): void => {
      if (isSettled) return;
      isSettled = true;
      timer.cancel();
      unsubscribe?.();
      resolve(job);
    };
    const timer = ctx.scheduler.setTimer(budgetMs, () => settle(undefined));
    const onEvent = (event: { type: string }): void => {
      if (event.type === 'done' || event.type === 'failed') ctx.jobs.get(requestId).then(settle, reject);
    };
    ctx.jobs.subscribe(requestId, 0, onEvent).then((stop) => {
      if (isSettled) stop?.();
      else unsubscribe = stop;
    }, reject);
  });
}

/** Serve `fresh=true` for validated params. */
export async function serveFresh(req: Request, ctx: ApiContext, params: SnapshotParams, device: string): Promise<Response> {
  const plan = planGranularity(params.samples);
  const { job, isNew } = await ctx.jobs.enqueue({ device, window: params.window, granularity: plan.source }, { waitMs: ctx.options.freshBudgetMs });
  if (!isNew && !isFinal(job)) return acceptedResponse(job, ctx.clock);
  const ended = await waitForJob(ctx, job.requestId, ctx.options.freshBudgetMs);
  if (!ended) return acceptedResponse((await ctx.jobs.get(job.requestId)) ?? job, ctx.clock);
  if (ended.status !== 'done' || !ended.data) return serveStoredAfterFresh(req, ctx, params, device);
  const payload: ServedPayload = plan.mergeTo === undefined ? ended.data : mergePayload(ended.data, plan.mergeTo);
  const headers = payloadResponseHeaders({
    cacheControl: 'no-store',
    source: 'fresh',
    granularity: payload.granularity,
    generatedAt: payload.generatedAt,
  });
  return payloadResponse(await encodeComputed(payload, acceptsGzip(req.headers.get('accept-encoding'))), headers);
}

/** A failed fresh computation, or a job store that keeps no data: serve the stored snapshot. */
async function serveStoredAfterFresh(req: Request, ctx: ApiContext, params: SnapshotParams, device: string): Promise<Response> {
  try {
    const response = await serveSnapshot(req, ctx, { ...params, fresh: false }, device);
    response.headers.set('Cache-Control', 'no-store');
    return response;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'not_built') throw new ApiError(404, 'not_built', `${err.message}; the fresh computation failed too`);
    throw err;
  }
}
