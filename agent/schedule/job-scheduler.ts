/**
 * The daemon's periodic work (builds, retention, uploads, fallback checks) and daily jobs, on the
 * monotonic clock. Pure over two ports: the wall `Clock` (builder/ports.ts) and the
 * `MonotonicScheduler` (agent/sampling/ports.ts: monotonic ms + one-shot timers). Adapters:
 * `systemClock` + `nodeMonotonicScheduler` (platform/); `VirtualTime` in tests and the soak run.
 *
 * - `every(name, everyMs, run)`: runs at start + k × everyMs of monotonic time. A wall-clock step or
 *   a DST change does not move it. A slot that comes while the previous run is still going is
 *   skipped (logged, `onSkip`); slots missed while the process was stalled are not made up: the next
 *   one is computed arithmetically (no catch-up burst, no loop over missed slots).
 * - `dailyAt(name, 'HH:MM', run)`: runs once per local calendar date of `timeZone`, the first time
 *   the local clock shows HH:MM or later that date. On the day the clock springs forward over HH:MM
 *   it runs when the clock jumps past it; in a repeated hour it runs at the first HH:MM only. The
 *   local time is polled at most `checkEveryMs` apart (and exactly at the slot when it is nearer).
 * - Wall-clock steps (NTP after a stale boot, a manual `date -s`) are detected by comparing the wall
 *   and monotonic clocks at every wake (and every `checkEveryMs`); each step is logged in one line.
 *   After a step each daily job runs at its next slot: a slot jumped over is not made up; a step back
 *   of a day or less never runs a date twice; after a bigger step back (the clock was wrong in the
 *   future) daily jobs resume from the new date.
 */
import type { Clock, Logger } from '../../builder/ports.js';
import type { MonotonicScheduler } from '../sampling/ports.js';
import { addDays, localTimeIn, parseTimeOfDay, type LocalTime } from './local-time.js';

export interface JobSchedulerOptions {
  /** Wall clock: only for daily jobs and step detection. */
  clock: Clock;
  /** Monotonic time and timers: every job's cadence. */
  timers: MonotonicScheduler;
  log: Logger;
  /**
   * IANA zone of daily jobs (the Pi's local zone; `Intl.DateTimeFormat().resolvedOptions().timeZone`).
   * A name is checked at construction; a function (the process's local zone, `localTimeZone`) is
   * called when local time is first needed (a daily job, a clock step), so a scheduler without daily
   * jobs never loads ICU's calendar data (≈ 6 MB resident: issue 13's daemon RSS).
   */
  timeZone: string | (() => string);
  /** Longest time between two looks at the wall clock, ms (default 60 000). */
  checkEveryMs?: number;
  /** Wall minus monotonic elapsed time above this is a step, ms (default 1 000; NTP slews far less). */
  stepToleranceMs?: number;
}

/** One scheduled job. */
export interface ScheduledJob {
  readonly name: string;
  /** True while a run is in progress. */
  isBusy(): boolean;
  /** Run now unless a run is going (then the request is skipped like a slot); resolves false when skipped. */
  runNow(): Promise<boolean>;
  /** Completed or started runs, and slots skipped because a run was still going. */
  readonly counts: { runs: number; skipped: number };
  /** Stop this job alone; resolves when its run in progress has ended. */
  stop(): Promise<void>;
}

export interface JobOptions {
  /** Called when a slot is skipped because the previous run is still going. */
  onSkip?: () => void;
}

export interface EveryOptions extends JobOptions {
  /** Delay of the first run, ms (default `everyMs`). */
  firstDelayMs?: number;
}

type Run = () => Promise<unknown>;

interface Job extends ScheduledJob {
  cancel?: () => void;
  isStopped: boolean;
  inFlight?: Promise<void>;
  onStep?: (stepMs: number, local: LocalTime) => void;
}

const DEFAULT_CHECK_EVERY_MS = 60_000;
const DEFAULT_STEP_TOLERANCE_MS = 1_000;

export class JobScheduler {
  private readonly jobs: Job[] = [];
  private localTimeOf?: (tsMs: number) => LocalTime;
  private readonly checkEveryMs: number;
  private readonly toleranceMs: number;
  private last: { wallMs: number; monoMs: number };
  private cancelWatch?: () => void;
  private isStopped = false;

  constructor(private readonly options: JobSchedulerOptions) {
    if (typeof options.timeZone === 'string') this.localTimeOf = localTimeIn(options.timeZone);
    this.checkEveryMs = options.checkEveryMs ?? DEFAULT_CHECK_EVERY_MS;
    this.toleranceMs = options.stepToleranceMs ?? DEFAULT_STEP_TOLERANCE_MS;
    this.last = { wallMs: options.clock.nowMs(), monoMs: options.timers.monoMs() };
  }

  /**
   * Run `run` every `everyMs` of monotonic time, never overlapping itself.
   * @throws {RangeError} when `everyMs` is not a positive whole number of ms.
   */
  every(name: string, everyMs: number, run: Run, options: EveryOptions = {}): ScheduledJob {
    if (!Number.isInteger(everyMs) || everyMs <= 0) throw new RangeError(`${name}: interval ${everyMs} ms is not valid; expected a whole number of ms above 0`);
    const job = this.add(name, run, options);
    let dueMono = this.options.timers.monoMs() + (options.firstDelayMs ?? everyMs);
    const arm = () => {
      if (this.isStopped || job.isStopped) return;
      job.cancel = this.options.timers.schedule(Math.max(0, dueMono - this.options.timers.monoMs()), () => {
        this.observe();
        void job.runNow();
        const nowMono = this.options.timers.monoMs();
        // The next slot strictly after now: arithmetic, so a long stall costs no loop and no burst.
        dueMono += everyMs * (Math.floor(Math.max(0, nowMono - dueMono) / everyMs) + 1);
        arm();
      });
    };
    arm();
    return job;
  }

  /** Local time of `tsMs` in the scheduler's zone (the zone resolved on first use when given as a function). */
  private localTime(tsMs: number): LocalTime {
    this.localTimeOf ??= localTimeIn((this.options.timeZone as () => string)());
    return this.localTimeOf(tsMs);
  }

  /**
   * Run `run` once per local calendar date at `timeOfDay` (`HH:MM`, 24 h) in the scheduler's zone.
   * A job added after today's slot first runs tomorrow.
   * @throws {RangeError} when `timeOfDay` is not `HH:MM`.
   */
  dailyAt(name: string, timeOfDay: string, run: Run, options: JobOptions = {}): ScheduledJob {
    const slotMs = parseTimeOfDay(timeOfDay);
    const job = this.add(name, run, options);
    // The last local date this job is done for: a date whose slot has passed counts as done.
    const doneFor = (local: LocalTime) => (local.msOfDay >= slotMs ? local.date : addDays(local.date, -1));
    let doneThrough = doneFor(this.localTime(this.options.clock.nowMs()));
    job.onStep = (stepMs, local) => {
      if (stepMs > 0) doneThrough = maxDate(doneThrough, doneFor(local));
      else if (doneThrough > addDays(local.date, 1)) doneThrough = doneFor(local);
    };
    const poll = () => {
      if (this.isStopped || job.isStopped) return;
      this.observe();
      const local = this.localTime(this.options.clock.nowMs());
      if (local.date > doneThrough && local.msOfDay >= slotMs) {
        doneThrough = local.date;
        void job.runNow();
      }
      const untilSlotMs = local.msOfDay < slotMs ? slotMs - local.msOfDay : Infinity;
      job.cancel = this.options.timers.schedule(Math.min(this.checkEveryMs, untilSlotMs), poll);
    };
    poll();
    return job;
  }

  /** Stop every job and the clock watch; resolves when runs in progress have ended. */
  async stop(): Promise<void> {
    this.isStopped = true;
    this.cancelWatch?.();
    for (const job of this.jobs) job.cancel?.();
    await Promise.all(this.jobs.map((job) => job.inFlight));
  }

  private add(name: string, run: Run, options: JobOptions): Job {
    const log = this.options.log;
    const job: Job = {
      name,
      isStopped: false,
      counts: { runs: 0, skipped: 0 },
      stop: async () => {
        job.isStopped = true;
        job.cancel?.();
        await job.inFlight;
      },
      isBusy: () => job.inFlight !== undefined,
      runNow: async () => {
        if (job.inFlight) {
          job.counts.skipped++;
          log.warn(`${name}: previous run still going; tick skipped`);
          options.onSkip?.();
          return false;
        }
        job.counts.runs++;
        const done = (async () => run())()
          .then(() => undefined, (err: unknown) => log.error(`${name} failed`, { error: err as Error }))
          .finally(() => (job.inFlight = undefined));
        job.inFlight = done;
        await done;
        return true;
      },
    };
    this.jobs.push(job);
    if (!this.cancelWatch) this.watch();
    return job;
  }

  /** Look at the clocks every `checkEveryMs`, so steps are seen even when every job sleeps long. */
  private watch(): void {
    if (this.isStopped) return;
    this.cancelWatch = this.options.timers.schedule(this.checkEveryMs, () => {
      this.observe();
      this.watch();
    });
  }

  /** Compare wall and monotonic elapsed time since the last look; a difference is a step (one log line). */
  private observe(): void {
    const now = { wallMs: this.options.clock.nowMs(), monoMs: this.options.timers.monoMs() };
    const stepMs = now.wallMs - this.last.wallMs - (now.monoMs - this.last.monoMs);
    const before = this.last.wallMs + (now.monoMs - this.last.monoMs);
    this.last = now;
    if (Math.abs(stepMs) <= this.toleranceMs) return;
    this.options.log.warn(
      `wall clock stepped ${formatStep(stepMs)} (from about ${new Date(before).toISOString()} to ${new Date(now.wallMs).toISOString()}); ` +
        'periodic jobs keep their monotonic cadence, daily jobs resume at their next slot',
      { stepMs },
    );
    const local = this.localTime(now.wallMs);
    for (const job of this.jobs) job.onStep?.(stepMs, local);
  }
}

function maxDate(a: string, b: string): string {
  return a > b ? a : b;
}

/** `+14 d 0 h 0 min`, `-2 h 0 min`, `+3.5 s`: a step for the log. */
export function formatStep(stepMs: number): string {
  const sign = stepMs < 0 ? '-' : '+';
  const abs = Math.abs(stepMs);
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const totalMin = Math.round(abs / 60_000);
  const d = Math.floor(totalMin / 1440);
  const h = Math.floor((totalMin % 1440) / 60);
  const min = totalMin % 60;
  return `${sign}${d ? `${d} d ` : ''}${h} h ${min} min`;
}
