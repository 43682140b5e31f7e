/**
 * How refresh jobs look on the wire: the 202 body, the status body and the URLs they name.
 */
import type { Clock } from '../builder/ports.js';
import type { JobState } from './ports.js';
import { jsonResponse } from './http.js';

/** `/samples/refresh/{id}`. */
export const statusUrlOf = (requestId: string): string => `/samples/refresh/${requestId}`;
/** `/samples/refresh/{id}/events`. */
export const eventsUrlOf = (requestId: string): string => `/samples/refresh/${requestId}/events`;

/**
 * Where a done job's result is served: `/samples/latest?window&samples&device`, plus `versionId` when the
 * job knows the version it published. A pinned version is served `immutable` and its URL is new to every
 * cache (CloudFront keys `/samples/latest` by its whole query and ignores a viewer's `no-cache`), so the
 * page never gets the edge's older copy of the plain URL. Without a known version (jobs that publish
 * nothing or do not record it), the plain URL.
 */
export function resultUrlOf(job: Pick<JobState, 'device' | 'window' | 'granularity' | 'versionId'>): string {
  const query = new URLSearchParams({ window: job.window, samples: String(job.granularity), device: job.device });
  if (job.versionId !== undefined) query.set('versionId', job.versionId);
  return `/samples/latest?${query}`;
}

/** The 202 answer naming a queued or running job. */
export function acceptedResponse(job: JobState, clock: Clock): Response {
  const body = {
    requestId: job.requestId,
    status: job.status,
    statusUrl: statusUrlOf(job.requestId),
    eventsUrl: eventsUrlOf(job.requestId),
    eta: new Date(job.etaMs).toISOString(),
    etaMs: Math.max(0, job.etaMs - clock.nowMs()),
  };
  return jsonResponse(202, body, { Location: body.statusUrl });
}

/** The status body of `GET /samples/refresh/{id}`. */
export function statusBody(job: JobState, clock: Clock): Record<string, unknown> {
  const body: Record<string, unknown> = {
    requestId: job.requestId,
    status: job.status,
    progress: job.progress,
    window: job.window,
    granularity: job.granularity,
    device: job.device,
    eventsUrl: eventsUrlOf(job.requestId),
    eta: new Date(job.etaMs).toISOString(),
    etaMs: Math.max(0, job.etaMs - clock.nowMs()),
  };
  if (job.status === 'done') body.resultUrl = resultUrlOf(job);
  if (job.generatedAt !== undefined) body.generatedAt = job.generatedAt;
  if (job.error !== undefined) body.error = job.error;
  if (job.data !== undefined) body.data = job.data;
  return body;
}

/** True for `done` and `failed`. */
export const isFinal = (job: Pick<JobState, 'status'>): boolean => job.status === 'done' || job.status === 'failed';
