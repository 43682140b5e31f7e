/**
 * node-cron adapter for the daemon's periodic jobs (builds, retention, uploads): one cron task per
 * job, never overlapping itself (a tick while the previous run is still going is skipped and logged),
 * errors logged instead of crashing the process.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../builder/ports.js';

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * A 6-field cron expression (with seconds) firing every `intervalMs`, aligned to the clock.
 * Supported: whole seconds dividing 60, whole minutes dividing 60, whole hours dividing 24.
 * @throws {RangeError} for other intervals, naming what is allowed.
 * @example cronForIntervalMs(30_000) === '*\/30 * * * * *'
 */
export function cronForIntervalMs(intervalMs: number): string {
  const divides = (n: number, of: number) => Number.isInteger(n) && n >= 1 && of % n === 0;
  if (intervalMs < MINUTE_MS && divides(intervalMs / SECOND_MS, 60)) return `*/${intervalMs / SECOND_MS} * * * * *`;
  if (intervalMs < HOUR_MS && divides(intervalMs / MINUTE_MS, 60)) return `0 */${intervalMs / MINUTE_MS} * * * *`;
  if (divides(intervalMs / HOUR_MS, 24)) return `0 0 */${intervalMs / HOUR_MS} * * *`;
  throw new RangeError(
    `interval ${intervalMs} ms cannot be a clock-aligned schedule; expected whole seconds dividing 60, minutes dividing 60 or hours dividing 24`,
  );
}

export interface PeriodicJob {
  stop(): Promise<void>;
  /** True while a run is in progress. */
  isBusy(): boolean;
}

/**
 * Run `fn` on `expression` (node-cron syntax, seconds field allowed) without overlapping runs.
 * @param name shown in logs.
 */
export function schedulePeriodic(name: string, expression: string, fn: () => Promise<unknown>, log: Logger): PeriodicJob {
  const task: ScheduledTask = cron.schedule(
    expression,
    async () => {
      try {
        await fn();
      } catch (err) {
        log.error(`${name} failed`, { error: (err as Error).message });
      }
    },
    { name, noOverlap: true },
  );
  task.on('execution:overlap', () => log.warn(`${name}: previous run still going; this tick is skipped`));
  return {
    stop: async () => {
      await task.stop();
      await task.destroy();
    },
    isBusy: () => task.isBusy(),
  };
}
