/**
 * The sampler's `MonotonicScheduler` (agent/sampling/ports.ts) on Node timers and `performance.now`.
 * Timers keep the process alive (not unref'd): a running sampler is the daemon's work. (The API core's
 * one-shot, unref'd timers: `node-scheduler.ts`.)
 */
import { performance } from 'node:perf_hooks';
import type { MonotonicScheduler } from '../agent/sampling/ports.js';

/** `monoMs` from `performance.now()`; `schedule` = `setTimeout`, cancelled by `clearTimeout`. */
export const nodeMonotonicScheduler: MonotonicScheduler = {
  monoMs: () => performance.now(),
  schedule(delayMs, fn) {
    const timer = setTimeout(fn, delayMs);
    return () => clearTimeout(timer);
  },
};
