/**
 * The API core's `Scheduler` (api/ports.ts) on Node timers. Timers are unref'd: a pending heartbeat or
 * budget never keeps the process alive. (The sampler's timers: `node-monotonic-scheduler.ts`.)
 */
import type { Scheduler } from '../api/ports.js';

/** The Node `Scheduler`: `setTimeout`/`clearTimeout`, unref'd. */
export const nodeScheduler: Scheduler = {
  setTimer(delayMs, fn) {
    const timer = setTimeout(fn, delayMs);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
