/**
 * Virtual time for sampler tests: a `MonotonicScheduler` (monotonic clock + timers) and a wall `Clock` whose
 * offset from the monotonic clock can be stepped (NTP) — so a simulated hour runs in milliseconds
 * with no real waiting.
 */
import type { Clock } from '../../builder/ports.js';
import type { MonotonicScheduler } from '../../agent/sampling/ports.js';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualTime implements MonotonicScheduler, Clock {
  mono = 0;
  /** wall = mono + offset. */
  offsetMs: number;
  private timers: Array<{ at: number; seq: number; fn: () => void }> = [];
  private seq = 0;

  constructor(wallStartMs: number) {
    this.offsetMs = wallStartMs;
  }
  monoMs(): number {
    return this.mono;
  }
  nowMs(): number {
    return this.mono + this.offsetMs;
  }
  /** Step the wall clock to `wallMs` (as NTP would), keeping the monotonic clock. */
  stepWallTo(wallMs: number): void {
    this.offsetMs = wallMs - this.mono;
  }
  /** A blocked event loop: monotonic (and wall) time passes, timers due meanwhile fire late on the next `advance`. */
  stall(ms: number): void {
    this.mono += ms;
  }
  schedule(delayMs: number, fn: () => void): () => void {
    const t = { at: this.mono + Math.max(0, delayMs), seq: this.seq++, fn };
    this.timers.push(t);
    return () => {
      this.timers = this.timers.filter((x) => x !== t);
    };
  }
  /**
   * Run every timer due up to `mono + ms`, in order, letting async work settle after each. With
   * `isBusy`, work doing real I/O (files) is awaited until it finishes or waits on a virtual timer.
   */
  async advance(ms: number, isBusy?: () => boolean): Promise<void> {
    const end = this.mono + ms;
    await flush();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.mono = Math.max(this.mono, next.at); // a timer due during a stall fires late, never back in time
      next.fn();
      for (let i = 0; i < 5; i++) await flush();
      // Real file I/O in progress: poll on every turn of the event loop at first (a file read or a
      // small build ends within a few turns; a 1 ms timer per poll made most of a soak's real time),
      // then every real millisecond, for 2 s at most.
      for (let i = 0; isBusy?.() && i < 2200 && !this.timers.some((t) => t.at <= this.mono); i++) {
        await (i < 200 ? flush() : new Promise((resolve) => setTimeout(resolve, 1)));
      }
    }
    this.mono = end;
  }
  get pending(): number {
    return this.timers.length;
  }
}
