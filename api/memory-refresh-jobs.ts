/**
 * In-process refresh jobs for the Pi (`RefreshJobs`): one job per device/window at a time, run one
 * after another through the `FreshBuilder`, with the same states and events as the cloud's
 * SQS/DynamoDB jobs. Finished jobs are kept for `keepFinishedMs` (swept on access, no timers).
 */
import type { Clock } from '../builder/ports.js';
import { resultUrlOf } from './jobs-view.js';
import type { BuildRequest, FreshBuilder, JobEvent, JobEventType, JobState, RefreshJobs } from './ports.js';

/** What `MemoryRefreshJobs` needs; `builder` and `clock` are required. */
export interface MemoryRefreshJobsOptions {
  builder: FreshBuilder;
  clock: Clock;
  /** Job id factory; default `crypto.randomUUID()` (122 random bits). */
  newId?: () => string;
  /** ETA of a window's first job, ms (later ones use the last duration). Default 2000. */
  defaultEtaMs?: number;
  /** How long finished jobs stay readable, ms. Default 15 min. */
  keepFinishedMs?: number;
}

interface Entry {
  state: JobState;
  events: JobEvent[];
  listeners: Set<(event: JobEvent) => void>;
  finishedMs?: number;
}

/** Longest failure message kept, characters. */
const MAX_ERROR_CHARS = 200;

/**
 * `RefreshJobs` in process memory. Events are numbered 1, 2, 3, … per job; listeners get stored events
 * synchronously on `subscribe`, then live ones. A throwing listener is dropped, the job goes on.
 */
export class MemoryRefreshJobs implements RefreshJobs {
  private readonly entries = new Map<string, Entry>();
  private readonly active = new Map<string, string>();
  private readonly lastDurationMs = new Map<string, number>();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly options: MemoryRefreshJobsOptions) {}

  async enqueue(request: BuildRequest): Promise<{ job: JobState; isNew: boolean }> {
    this.sweep();
    const key = `${request.device}/${request.window}`;
    const activeId = this.active.get(key);
    if (activeId !== undefined) return { job: { ...this.entries.get(activeId)!.state }, isNew: false };
    const nowMs = this.options.clock.nowMs();
    const requestId = (this.options.newId ?? (() => crypto.randomUUID()))();
    const etaMs = nowMs + (this.lastDurationMs.get(request.window) ?? this.options.defaultEtaMs ?? 2000);
    const state: JobState = { ...request, requestId, status: 'queued', progress: 0, createdMs: nowMs, etaMs, lastEventId: 0 };
    const entry: Entry = { state, events: [], listeners: new Set() };
    this.entries.set(requestId, entry);
    this.active.set(key, requestId);
    this.emit(entry, 'queued', { window: request.window, granularity: request.granularity, device: request.device });
    this.tail = this.tail.then(() => this.run(entry, key));
    return { job: { ...state }, isNew: true };
  }

  async get(requestId: string): Promise<JobState | undefined> {
    this.sweep();
    const entry = this.entries.get(requestId);
    return entry && { ...entry.state };
  }

  async eventsAfter(requestId: string, afterId: number): Promise<JobEvent[] | undefined> {
    return this.entries.get(requestId)?.events.filter((e) => e.id > afterId);
  }

  async subscribe(requestId: string, afterId: number, listener: (event: JobEvent) => void): Promise<(() => void) | undefined> {
    const entry = this.entries.get(requestId);
    if (!entry) return undefined;
    for (const event of entry.events) if (event.id > afterId) listener(event);
    entry.listeners.add(listener);
    return () => entry.listeners.delete(listener);
  }

  /** Resolves when every job queued so far has ended (for tests and shutdown). */
  idle(): Promise<void> {
    return this.tail;
  }

  private emit(entry: Entry, type: JobEventType, data: Record<string, unknown>): void {
    const event: JobEvent = { id: entry.events.length + 1, type, data };
    entry.events.push(event);
    entry.state.lastEventId = event.id;
    for (const listener of [...entry.listeners]) {
      try {
        listener(event);
      } catch {
        entry.listeners.delete(listener); // a broken listener must not stop the job
      }
    }
  }

  private async run(entry: Entry, key: string): Promise<void> {
    const { state } = entry;
    const startedMs = this.options.clock.nowMs();
    state.status = 'running';
    this.emit(entry, 'started', {});
    try {
      const payload = await this.options.builder.build(
        { device: state.device, window: state.window, granularity: state.granularity },
        (fraction) => this.progress(entry, fraction),
      );
      Object.assign(state, { status: 'done', progress: 1, data: payload, generatedAt: payload.generatedAt });
      this.finish(entry, key, startedMs);
      this.emit(entry, 'done', { resultUrl: resultUrlOf(state), generatedAt: payload.generatedAt });
    } catch (err) {
      const message = err instanceof Error && err.message ? err.message : 'build failed';
      Object.assign(state, { status: 'failed', error: message.slice(0, MAX_ERROR_CHARS) });
      this.finish(entry, key, startedMs);
      this.emit(entry, 'failed', { error: state.error });
    }
  }

  private progress(entry: Entry, fraction: number): void {
    const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    if (entry.state.status !== 'running' || clamped <= entry.state.progress) return;
    entry.state.progress = clamped;
    this.emit(entry, 'progress', { progress: clamped });
  }

  private finish(entry: Entry, key: string, startedMs: number): void {
    const nowMs = this.options.clock.nowMs();
    entry.finishedMs = nowMs;
    this.active.delete(key);
    this.lastDurationMs.set(entry.state.window, nowMs - startedMs);
  }

  private sweep(): void {
    const oldestMs = this.options.clock.nowMs() - (this.options.keepFinishedMs ?? 15 * 60_000);
    for (const [id, entry] of this.entries) {
      if (entry.finishedMs !== undefined && entry.finishedMs < oldestMs) this.entries.delete(id);
    }
  }
}
