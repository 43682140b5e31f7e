/**
 * Debounced pulse counting (rain-gauge tips, anemometer turns) from edge events. Pure: events carry
 * their own monotonic time in ms; the caller polls with `take(nowMs)`.
 *
 * Debounce with edge `both` (`mode: 'level'`, recommended): a level counts as real only after it has
 * been stable for `debounceMs` (any edge back to the previous level within the window cancels it); a
 * pulse is one accepted transition to the active level (`countOn`). With only rising or falling
 * interrupts (`mode: 'edge'`) the level cannot be followed, so an edge counts unless it comes within
 * `debounceMs` of the previous counted one (a lockout, which cannot reject bounce at release). The count since the last `take()` is persisted through `StateStore` at every
 * pulse, so a restart keeps what was counted (in the daemon the write is held for the next sample
 * commit, `storage.commitEveryMs`, and stored in the same transaction as the samples it was taken into).
 */

/** Durable key/value state; `SampleBuffer` satisfies it. */
export interface StateStore {
  getState(key: string): string | undefined;
  setState(key: string, value: string): void;
}

/** Debounce settings of one input. */
export interface PulseCounterOptions {
  /** Debounce window per input, ms (> the contact's bounce, < half the fastest pulse period). */
  debounceMs: number;
  /** Level that marks a pulse: 1 counts rising transitions, 0 falling. */
  countOn: 0 | 1;
  /** Level at start (read from the pin's value file). */
  initialLevel: 0 | 1;
  /** `level` for edge `both` (default), `edge` for rising- or falling-only interrupts. */
  mode?: 'level' | 'edge';
}

/** State key of a counter's pulses not yet taken. */
export const pulseStateKey = (sensorId: string): string => `pulses:${sensorId}`;

/** Counts debounced pulses of one input; see the file header for the debounce rule. */
export class PulseCounter {
  private level: 0 | 1;
  private pending?: { level: 0 | 1; sinceMs: number };
  private untaken: number;
  private lastEdgeCountMs?: number;

  constructor(readonly sensorId: string, private readonly options: PulseCounterOptions, private readonly state?: StateStore) {
    this.level = options.initialLevel;
    const saved = state?.getState(pulseStateKey(sensorId));
    const n = saved === undefined ? 0 : Number(JSON.parse(saved).untaken);
    this.untaken = Number.isInteger(n) && n > 0 ? n : 0;
  }

  /** The debounced level. */
  get debouncedLevel(): 0 | 1 {
    return this.level;
  }

  /** Pulses counted and not yet taken (pending transitions not included). */
  get untakenPulses(): number {
    return this.untaken;
  }

  /** One edge interrupt: the pin read `value` at monotonic time `tMs`. */
  onEdge(tMs: number, value: 0 | 1): void {
    if (this.options.mode === 'edge') {
      if (this.lastEdgeCountMs !== undefined && tMs - this.lastEdgeCountMs < this.options.debounceMs) return;
      this.lastEdgeCountMs = tMs;
      this.untaken++;
      this.persist();
      return;
    }
    this.settle(tMs);
    if (value === this.level) this.pending = undefined;
    else if (!this.pending) this.pending = { level: value, sinceMs: tMs };
  }

  /** Accept a pending level that has been stable for the debounce window by `nowMs`. */
  private settle(nowMs: number): void {
    const p = this.pending;
    if (!p || nowMs - p.sinceMs < this.options.debounceMs) return;
    this.pending = undefined;
    this.level = p.level;
    if (p.level === this.options.countOn) {
      this.untaken++;
      this.persist();
    }
  }

  /** Pulses since the previous `take()` (counting a transition that has become stable by `nowMs`). */
  take(nowMs: number): number {
    this.settle(nowMs);
    const n = this.untaken;
    this.untaken = 0;
    this.persist();
    return n;
  }

  private persist(): void {
    this.state?.setState(pulseStateKey(this.sensorId), JSON.stringify({ untaken: this.untaken }));
  }
}
