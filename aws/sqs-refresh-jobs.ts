/**
 * The cloud's `RefreshJobs`: state in the DynamoDB jobs table (`DynamoDbJobStore`: one live job per
 * device/window through a conditional-put lock, TTL `expiresAtS`), work on the SQS refresh queue
 * (SendMessage, body `{"requestId","deviceId","window","granularity"}`) consumed by the builder Lambda,
 * which moves the job running → progress → done/failed.
 *
 * `fresh=true` (`enqueue(…, { waitMs })`) of a window listed in `inlineWindows` is built in this
 * process through the `FreshBuilder` (a DynamoDB range read), so a small window answers 200 within the
 * budget; when the build has not ended `handoffMarginMs` before the caller's wait is over, the job is
 * handed to SQS (the caller then answers 202 and the builder Lambda finishes it). Jobs without a
 * waiting caller (`POST /samples/refresh`) always go to SQS: a Lambda container is frozen once it has
 * answered, so nothing may keep running in process after the response.
 *
 * Events are read from the job item; `subscribe` polls it every `pollMs` (and at once when an in-process
 * build ends). Payloads of in-process builds are kept in memory for `get` (a DynamoDB item is limited
 * to 400 KB); other containers see the job `done` with its `resultUrl`.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Window } from '../builder/constants.js';
import type { Clock, Logger } from '../builder/ports.js';
import type { Payload } from '../builder/types.js';
import { resultUrlOf } from '../api/jobs-view.js';
import type { BuildRequest, FreshBuilder, JobEvent, JobState, RefreshJobs, Scheduler, TimerHandle } from '../api/ports.js';
import type { DynamoDbJobStore } from './dynamodb-job-store.js';

/** SendMessage failed; the job was marked failed. */
export class RefreshQueueError extends Error {
  constructor(readonly queueUrl: string, readonly requestId: string, message: string, options?: ErrorOptions) {
    super(`${queueUrl} ${requestId}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** Body of a refresh-queue message (read by `cloud/lambda-events.ts`). */
export interface RefreshMessage {
  requestId: string;
  deviceId: string;
  window: Window;
  granularity: number;
}

export interface SqsRefreshJobsDeps {
  store: DynamoDbJobStore;
  sqs: SQSClient;
  queueUrl: string;
  clock: Clock;
  scheduler: Scheduler;
  log: Logger;
  /** Builds `fresh=true` requests of `inlineWindows` in process. */
  fresh?: FreshBuilder;
  /** Windows built in process when a caller waits (default none). */
  inlineWindows?: readonly Window[];
  /** Hand an in-process build to SQS this long before the caller stops waiting, ms (default a quarter of the wait, at most 700). */
  handoffMarginMs?: number;
  /** How often `subscribe` re-reads the job, ms (default 500). */
  pollMs?: number;
  /** Expected duration of an SQS job / an in-process one, ms (defaults 20 000 / 1500). */
  queuedEtaMs?: number;
  inlineEtaMs?: number;
  /** Job id factory; default `crypto.randomUUID()` (122 random bits). */
  newId?: () => string;
}

/** How long in-process payloads are kept for `get`, ms. */
const KEEP_DATA_MS = 15 * 60_000;

export class SqsRefreshJobs implements RefreshJobs {
  private readonly data = new Map<string, { atMs: number; payload: Payload }>();
  private readonly wakers = new Map<string, Set<() => void>>();

  constructor(private readonly deps: SqsRefreshJobsDeps) {}

  async enqueue(request: BuildRequest, options?: { waitMs?: number }): Promise<{ job: JobState; isNew: boolean }> {
    const d = this.deps;
    const nowMs = d.clock.nowMs();
    const waitMs = options?.waitMs ?? 0;
    const isInline = d.fresh !== undefined && waitMs > 0 && (d.inlineWindows ?? []).includes(request.window);
    const requestId = (d.newId ?? (() => crypto.randomUUID()))();
    const etaMs = nowMs + (isInline ? d.inlineEtaMs ?? 1500 : d.queuedEtaMs ?? 20_000);
    const created = await d.store.create(request, requestId, nowMs, etaMs);
    if (!created.isNew) return created;
    if (isInline) void this.runInline(created.job, waitMs - (d.handoffMarginMs ?? Math.min(700, Math.round(waitMs / 4))));
    else await this.send(created.job);
    return created;
  }

  async get(requestId: string): Promise<JobState | undefined> {
    const job = await this.deps.store.get(requestId, this.deps.clock.nowMs());
    const kept = this.data.get(requestId);
    return job && kept && job.status === 'done' ? { ...job, data: kept.payload } : job;
  }

  async eventsAfter(requestId: string, afterId: number): Promise<JobEvent[] | undefined> {
    const found = await this.deps.store.getWithEvents(requestId, this.deps.clock.nowMs());
    return found?.events.filter((e) => e.id > afterId);
  }

  async subscribe(requestId: string, afterId: number, listener: (event: JobEvent) => void): Promise<(() => void) | undefined> {
    const first = await this.deps.store.getWithEvents(requestId, this.deps.clock.nowMs());
    if (!first) return undefined;
    let lastId = afterId;
    let isStopped = false;
    let timer: TimerHandle | undefined;
    let isPolling = false;
    const deliver = (events: JobEvent[]): boolean => {
      for (const e of events) {
        if (isStopped || e.id <= lastId) continue;
        lastId = e.id;
        try {
          listener(e);
        } catch {
          return true; // a broken listener is dropped (as in-process jobs do); the job goes on
        }
      }
      return events.some((e) => e.type === 'done' || e.type === 'failed');
    };
    const wakers = this.wakers.get(requestId) ?? new Set();
    this.wakers.set(requestId, wakers);
    const stop = (): void => {
      isStopped = true;
      timer?.cancel();
      wakers.delete(poll);
      if (wakers.size === 0) this.wakers.delete(requestId);
    };
    const schedule = (): void => {
      if (!isStopped) timer = this.deps.scheduler.setTimer(this.deps.pollMs ?? 500, poll);
    };
    const poll = (): void => {
      if (isStopped || isPolling) return;
      isPolling = true;
      timer?.cancel();
      this.deps.store.getWithEvents(requestId, this.deps.clock.nowMs()).then(
        (found) => {
          isPolling = false;
          if (!found || deliver(found.events)) return stop();
          schedule();
        },
        (err: unknown) => {
          isPolling = false;
          this.deps.log.warn('job poll failed', { requestId, error: (err as Error).message });
          schedule();
        },
      );
    };
    wakers.add(poll);
    if (deliver(first.events)) stop();
    else schedule();
    return stop;
  }

  private wake(requestId: string): void {
    for (const poll of [...(this.wakers.get(requestId) ?? [])]) poll();
  }

  private async send(job: JobState): Promise<void> {
    const body: RefreshMessage = { requestId: job.requestId, deviceId: job.device, window: job.window, granularity: job.granularity };
    try {
      await this.deps.sqs.send(new SendMessageCommand({ QueueUrl: this.deps.queueUrl, MessageBody: JSON.stringify(body) }));
    } catch (err) {
      await this.deps.store.markFailed(job, 'the refresh queue is unavailable').catch(() => false);
      throw new RefreshQueueError(this.deps.queueUrl, job.requestId, `SendMessage failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Build in process until `deadlineMs` from now; past it, hand the job to SQS. Never rejects. */
  private async runInline(job: JobState, deadlineMs: number): Promise<void> {
    const d = this.deps;
    let isHandedOff = false;
    const handoff = d.scheduler.setTimer(Math.max(0, deadlineMs), () => {
      isHandedOff = true;
      this.send(job).catch((err: Error) => d.log.error('refresh handoff failed', { requestId: job.requestId, error: err.message }));
    });
    try {
      await d.store.markRunning(job.requestId);
      const payload = await d.fresh!.build(job, (fraction) => {
        if (!isHandedOff && fraction > 0 && fraction < 1) void d.store.markProgress(job.requestId, fraction).catch(() => false);
      });
      if (isHandedOff) return;
      handoff.cancel();
      this.keep(job.requestId, payload);
      await d.store.markDone(job, { generatedAt: payload.generatedAt, resultUrl: resultUrlOf(job) });
    } catch (err) {
      if (isHandedOff) return;
      handoff.cancel();
      await d.store.markFailed(job, (err as Error).message).catch((e: Error) => d.log.error('job state not saved', { requestId: job.requestId, error: e.message }));
    } finally {
      this.wake(job.requestId);
    }
  }

  private keep(requestId: string, payload: Payload): void {
    const nowMs = this.deps.clock.nowMs();
    for (const [id, entry] of this.data) if (nowMs - entry.atMs > KEEP_DATA_MS) this.data.delete(id);
    this.data.set(requestId, { atMs: nowMs, payload });
  }
}
