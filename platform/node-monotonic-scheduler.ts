/**
 * The sampler's and the job scheduler's `MonotonicScheduler` (agent/sampling/ports.ts) on Node timers
 * and `performance.now`. Timers keep the process alive (not unref'd): a running sampler is the
 * daemon's work. (The API core's one-shot, unref'd timers: `node-scheduler.ts`.)
 */
import { performance } from 'node:perf_hooks';
import type { MonotonicScheduler } from '../agent/sampling/ports.js';

/** Node's longest timer (2^31 − 1 ms, ~24.8 days); a longer `setTimeout` would fire after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** `monoMs` from `performance.now()`; `schedule` = `setTimeout` (chained past 24.8 days), cancelled by `clearTimeout`. */
export const nodeMonotonicScheduler: MonotonicScheduler = {
  monoMs: () => performance.now(),
  schedule(delayMs, fn) {
    const dueMs = performance.now() + delayMs;
    let timer: NodeJS.Timeout;
    const arm = (ms: number) => {
      timer = setTimeout(() => (ms < MAX_TIMER_MS ? fn() : arm(Math.max(0, dueMs - performance.now()))), Math.min(ms, MAX_TIMER_MS));
    };
    arm(Math.max(0, delayMs));
    return () => clearTimeout(timer);
  },
};
