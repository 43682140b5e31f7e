/** A `Scheduler` driven by hand, so API tests fire budget and heartbeat timers without waiting. */
import type { Scheduler, TimerHandle } from '../../api/ports.js';

interface PendingTimer {
  delayMs: number;
  fn: () => void;
}

export class ManualScheduler implements Scheduler {
  private readonly pending = new Set<PendingTimer>();
  private waiters: Array<() => void> = [];

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer = { delayMs, fn };
    this.pending.add(timer);
    for (const wake of this.waiters.splice(0)) wake();
    return { cancel: () => void this.pending.delete(timer) };
  }

  /** Number of armed timers with `delayMs`. */
  count(delayMs: number): number {
    return [...this.pending].filter((t) => t.delayMs === delayMs).length;
  }

  /** Resolves once a timer with `delayMs` is armed. */
  async waitFor(delayMs: number): Promise<void> {
    while (this.count(delayMs) === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Fire (and disarm) every armed timer with `delayMs`; returns how many fired. */
  fire(delayMs: number): number {
    const due = [...this.pending].filter((t) => t.delayMs === delayMs);
    for (const t of due) {
      this.pending.delete(t);
      t.fn();
    }
    return due.length;
  }
}
