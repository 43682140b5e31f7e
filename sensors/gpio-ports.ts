/** Ports of the GPIO drivers. Adapter: `hardware/onoff-edge-source.ts` (onoff + epoll); tests inject a scripted source. */

/** A watched input line. */
export interface EdgeWatch {
  /** Current level of the line. */
  readValue(): Promise<0 | 1>;
  /** Stop watching and release the line. */
  close(): Promise<void>;
}

/** Delivers edge interrupts of kernel GPIO lines with monotonic timestamps (ms). */
export interface EdgeSource {
  /** Monotonic time in ms, on the same base as the event times. */
  nowMs(): number;
  /** Watch kernel GPIO `gpio` (already exported, direction `in`) for `edge`. */
  watch(gpio: number, edge: 'rising' | 'falling' | 'both', onEdge: (tMs: number, value: 0 | 1) => void): Promise<EdgeWatch>;
}
