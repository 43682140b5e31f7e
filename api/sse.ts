/**
 * GET /samples/refresh/{id}/events: Server-Sent Events (HTML Living Standard §9.2). Each event has
 * an `id:` line (increasing per job), comment heartbeats keep proxies from closing the connection,
 * and `Last-Event-ID` resumes after the given id, so a reconnecting client never misses the final
 * `done`/`failed` event. After the final event the stream closes; a reconnect after it gets 204,
 * which tells `EventSource` to stop.
 */
import { ApiError, badParameter, echo } from './errors.js';
import type { ApiContext } from './context.js';
import { singleValues } from './params.js';
import { statusUrlOf } from './jobs-view.js';
import type { JobEvent, TimerHandle } from './ports.js';

const encoder = new TextEncoder();

/** Headers of every Server-Sent Events answer (no caching, no proxy buffering). */
export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no',
};

/** One event in wire format. */
export function formatEvent(event: JobEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

const isFinalEvent = (event: JobEvent): boolean => event.type === 'done' || event.type === 'failed';

/** `Last-Event-ID`: absent → 0, else a decimal integer below 10⁹. */
export function parseLastEventId(value: string | null): number {
  if (value === null || value === '') return 0;
  if (!/^[0-9]{1,9}$/.test(value)) throw badParameter('Last-Event-ID', `Last-Event-ID ${echo(value)} is not an event id (an integer)`);
  return Number(value);
}

/** GET /samples/refresh/{id}/events. */
export async function handleEvents(req: Request, url: URL, ctx: ApiContext, requestId: string): Promise<Response> {
  singleValues(url.searchParams, []);
  const afterId = parseLastEventId(req.headers.get('last-event-id'));
  const job = await ctx.jobs.get(requestId);
  if (!job) throw new ApiError(404, 'not_found', `refresh ${requestId} is unknown or expired`, 'requestId');
  const isOver = job.status === 'done' || job.status === 'failed';
  if (isOver && afterId >= job.lastEventId) return new Response(null, { status: 204, headers: { 'Cache-Control': 'no-store' } });
  if (ctx.options.sseMode === 'snapshot' || isOver) return snapshotEvents(ctx, requestId, afterId);
  return new Response(liveStream(ctx, requestId, afterId), { status: 200, headers: SSE_HEADERS });
}

/** The events so far, then a `poll` hint when the job is not over; for buffering runtimes. */
async function snapshotEvents(ctx: ApiContext, requestId: string, afterId: number): Promise<Response> {
  const events = (await ctx.jobs.eventsAfter(requestId, afterId)) ?? [];
  let text = `retry: ${ctx.options.sseRetryMs}\n\n` + events.map(formatEvent).join('');
  if (!events.some(isFinalEvent)) {
    text += `event: poll\ndata: ${JSON.stringify({ statusUrl: statusUrlOf(requestId), retryMs: ctx.options.sseRetryMs })}\n\n`;
  }
  return new Response(encoder.encode(text), { status: 200, headers: SSE_HEADERS });
}

/** A live stream: stored events after `afterId`, then new ones, heartbeats, close after the final event. */
function liveStream(ctx: ApiContext, requestId: string, afterId: number): ReadableStream<Uint8Array> {
  let heartbeat: TimerHandle | undefined;
  let unsubscribe: (() => void) | undefined;
  let isClosed = false;
  const stop = (): void => {
    isClosed = true;
    heartbeat?.cancel();
    unsubscribe?.();
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string): void => {
        if (!isClosed) controller.enqueue(encoder.encode(text));
      };
      const beat = (): void => {
        write(': hb\n\n');
        if (!isClosed) heartbeat = ctx.scheduler.setTimer(ctx.options.heartbeatMs, beat);
      };
      const onEvent = (event: JobEvent): void => {
        write(formatEvent(event));
        if (isFinalEvent(event) && !isClosed) {
          stop();
          controller.close();
        }
      };
      write(`retry: ${ctx.options.sseRetryMs}\n\n`);
      heartbeat = ctx.scheduler.setTimer(ctx.options.heartbeatMs, beat);
      return ctx.jobs.subscribe(requestId, afterId, onEvent).then((stopFn) => {
        if (isClosed) return stopFn?.();
        if (stopFn) return void (unsubscribe = stopFn);
        stop(); // the job expired in between
        controller.close();
      });
    },
    cancel: stop,
  });
}
