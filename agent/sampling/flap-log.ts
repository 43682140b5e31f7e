/**
 * Keeps a flapping sensor from flooding the journal: its state changes (failing, recovered,
 * offline) are logged as they happen while they are rare; a change (other than going offline) less than `windowMs` after the
 * previous logged one starts flapping: changes are then only counted, and each window one summary
 * line gives the counts (changes by kind, failed reads by error code) and the current state, until a
 * whole window passes without a change. So a sensor on a flaky bus writes one line a minute. Pure: monotonic times come in as arguments.
 */
import type { Logger } from '../../builder/ports.js';

export type ChangeKind = 'failing' | 'recovered' | 'offline';

/** Default window: one line a minute per sensor at most (after the first change). */
export const FLAP_WINDOW_MS = 60_000;

export class FlapLog {
  private lastLoggedMonoMs?: number;
  /** Set by a change held back; cleared by a whole window without change. */
  private isFlapping = false;
  private held: Record<ChangeKind, number> = { failing: 0, recovered: 0, offline: 0 };
  private errorsAtWindowStart: Record<string, number> = {};

  constructor(private readonly sensorId: string, private readonly log: Logger, private readonly windowMs = FLAP_WINDOW_MS) {}

  /**
   * A state change at `monoMs`: logged now (`level`, `message`, `fields`) unless one was logged less
   * than `windowMs` ago, then counted for the summary. `errorCounts`: the sensor's counts so far.
   */
  change(monoMs: number, kind: ChangeKind, level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>, errorCounts: Record<string, number>): void {
    const isSoon = this.lastLoggedMonoMs !== undefined && monoMs - this.lastLoggedMonoMs < this.windowMs;
    // Going offline (several failed reads in a row) is logged at once unless the sensor is flapping.
    if (this.isFlapping || (isSoon && kind !== 'offline')) {
      this.held[kind]++;
      this.isFlapping = true;
      return;
    }
    this.log[level](message, fields);
    this.startWindow(monoMs, errorCounts);
  }

  /** After each read: once the window has passed with changes counted, write the one summary line. */
  tick(monoMs: number, state: string, errorCounts: Record<string, number>): void {
    if (this.lastLoggedMonoMs === undefined || monoMs - this.lastLoggedMonoMs < this.windowMs) return;
    const changes = (Object.entries(this.held) as Array<[ChangeKind, number]>).filter(([, n]) => n > 0);
    if (!changes.length) {
      this.isFlapping = false; // a quiet window: the next change is logged as it happens
      return;
    }
    const errors = Object.entries(errorCounts)
      .map(([code, n]) => [code, n - (this.errorsAtWindowStart[code] ?? 0)] as const)
      .filter(([, n]) => n > 0);
    const seconds = Math.round((monoMs - this.lastLoggedMonoMs) / 1000);
    this.log.warn(
      `sensor flapping: ${changes.map(([kind, n]) => `${n} × ${kind}`).join(', ')} in ${seconds} s; ` +
        `failed reads ${errors.map(([code, n]) => `${code} ${n}`).join(', ') || 'none'}; now ${state}`,
      { sensor: this.sensorId },
    );
    this.startWindow(monoMs, errorCounts);
  }

  private startWindow(monoMs: number, errorCounts: Record<string, number>): void {
    this.lastLoggedMonoMs = monoMs;
    this.held = { failing: 0, recovered: 0, offline: 0 };
    this.errorsAtWindowStart = { ...errorCounts };
  }
}
