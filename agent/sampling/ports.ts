/**
 * Ports of the sampler besides `SampleBuffer` (agent/buffer/ports.ts) and `Clock`/`Logger` (builder/ports.ts).
 * Adapters: `platform/node-monotonic-scheduler.ts` (Node timers, performance.now); a virtual scheduler in tests.
 */

/**
 * Timers on the monotonic clock (the sampler's; distinct from the API core's one-shot `Scheduler` in
 * api/ports.ts, which has no clock).
 */
export interface MonotonicScheduler {
  /** Monotonic time in ms (never jumps; unrelated to the wall clock). */
  monoMs(): number;
  /** Call `fn` once after `delayMs`; returns a function that cancels it. */
  schedule(delayMs: number, fn: () => void): () => void;
}
