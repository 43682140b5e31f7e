/**
 * POST /samples/refresh and GET /samples/refresh/{id}: queue a rebuild (deduplicated per
 * device/window) and report its state.
 */
import { ApiError, badParameter, echo } from './errors.js';
import type { ApiContext } from './context.js';
import { requireSamples, resolveDevice } from './devices.js';
import { planGranularity } from './granularity.js';
import { jsonResponse, readBodyText } from './http.js';
import { acceptedResponse, statusBody } from './jobs-view.js';
import { IGNORED_PARAM_PATTERN, REFRESH_PARAMS, parseSnapshotParams, singleValues } from './params.js';
import { JOB_ID_PATTERN } from './ports.js';

/** Largest accepted POST body, bytes. */
export const MAX_BODY_BYTES = 4096;

/** Name/value pairs of a JSON object body; values must be strings or finite numbers. */
function bodyPairs(text: string): Array<[string, string]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badParameter('body', 'body is not JSON; send an object like {"window":"1d","samples":100}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badParameter('body', 'body must be a JSON object like {"window":"1d","samples":100}');
  }
  return Object.entries(parsed).map(([name, value]) => {
    if (typeof value === 'string') return [name, value];
    if (typeof value === 'number' && Number.isFinite(value)) return [name, String(value)];
    throw badParameter(REFRESH_PARAMS.includes(name as never) ? name : 'body', `${echo(name)} must be a string or a number`);
  });
}

/** POST /samples/refresh → 202 with the (new or reused) job. */
export async function handleRefreshPost(req: Request, url: URL, ctx: ApiContext): Promise<Response> {
  const text = (await readBodyText(req, MAX_BODY_BYTES)).trim();
  const hasQuery = [...url.searchParams.keys()].some((name) => !IGNORED_PARAM_PATTERN.test(name));
  if (text && hasQuery) throw badParameter('body', 'give the parameters in the body or in the query, not both');
  const params = parseSnapshotParams(text ? bodyPairs(text) : url.searchParams, REFRESH_PARAMS);
  const device = await resolveDevice(ctx.devices, params.device);
  await requireSamples(ctx.devices, device);
  const { job } = await ctx.jobs.enqueue({ device, window: params.window, granularity: planGranularity(params.samples).source });
  return acceptedResponse(job, ctx.clock);
}

/**
 * Validate a job id from the path.
 * @throws {ApiError} 400 naming `requestId` when it is not a job id (path tricks included).
 */
export function parseJobId(segment: string): string {
  if (!JOB_ID_PATTERN.test(segment)) {
    throw badParameter('requestId', `${echo(segment)} is not a request id (a lowercase UUID v4 from POST /samples/refresh)`);
  }
  return segment;
}

/** GET /samples/refresh/{id}. */
export async function handleRefreshStatus(url: URL, ctx: ApiContext, requestId: string): Promise<Response> {
  singleValues(url.searchParams, []);
  const job = await ctx.jobs.get(requestId);
  if (!job) throw new ApiError(404, 'not_found', `refresh ${requestId} is unknown or expired`, 'requestId');
  return jsonResponse(200, statusBody(job, ctx.clock));
}
