/**
 * The sampling policy: reads each sensor on its interval, stamps values when read (epoch ms, through
 * the clock guard), stores valid values only, and survives sensor faults. Pure over ports
 * (`SampleBuffer`, `Clock`, `MonotonicScheduler`, `Logger`, `SensorDriver`).
 *
 * Faults: a read that throws or yields no valid value stores nothing for that sample, counts per
 * sensor and per code, and is retried with backoff (1 s, 2 s, 4 s … up to max(interval, 60 s)).
 * After every `reinitAfter` consecutive failures the chip is re-initialised. The state moves
 * online → failing (first failure) → offline (`offlineAfter` failures) → online ("recovered") and is
 * logged once per change. A permanent error (wrong chip, bad pin) disables only that sensor.
 */
import type { Clock, Logger } from '../../builder/ports.js';
import type { SeriesInfo } from '../../builder/types.js';
import type { SensorDriver } from '../../sensors/driver.js';
import type { Reading } from '../../sensors/reading.js';
import { SensorError } from '../../sensors/errors.js';
import type { ClockGuard } from './clock-guard.js';
import type { SampleBuffer } from '../buffer/ports.js';
import type { MonotonicScheduler } from './ports.js';
import { CLOCK_STATE_KEY, publishSensorStatus, type SensorState, type SensorStatus } from './sensor-status.js';

export interface FailurePolicy {
  /** First retry delay after a failure, ms; doubles per consecutive failure. */
  retryBaseMs: number;
  /** Longest retry delay, ms (at least the sensor's interval). */
  maxBackoffMs: number;
  /** Re-initialise the chip after this many consecutive failures (and every as many after). */
  reinitAfter: number;
  /** Consecutive failures after which the sensor is `offline`. */
  offlineAfter: number;
}

export const DEFAULT_FAILURE_POLICY: FailurePolicy = { retryBaseMs: 1_000, maxBackoffMs: 60_000, reinitAfter: 3, offlineAfter: 5 };

export interface SampledSensor {
  driver: SensorDriver;
  type: string;
  intervalMs: number;
  /** metric → series (only these metrics are stored). */
  series: ReadonlyMap<string, SeriesInfo>;
}

export interface SamplerOptions {
  deviceId: string;
  buffer: SampleBuffer;
  clock: Clock;
  scheduler: MonotonicScheduler;
  log: Logger;
  guard: ClockGuard;
  sensors: readonly SampledSensor[];
  policy?: Partial<FailurePolicy>;
}

interface Slot {
  s: SampledSensor;
  status: SensorStatus;
  needsInit: boolean;
  cancel?: () => void;
  busy?: Promise<void>;
}

export class Sampler {
  private readonly slots: Slot[];
  private readonly policy: FailurePolicy;
  private running = false;

  constructor(private readonly o: SamplerOptions) {
    this.policy = { ...DEFAULT_FAILURE_POLICY, ...o.policy };
    const now = o.clock.nowMs();
    this.slots = o.sensors.map((s) => ({
      s,
      needsInit: true,
      status: { id: s.driver.id, type: s.type, state: 'starting', sinceMs: now, consecutiveFailures: 0, reads: 0, failedReads: 0, errorCounts: {}, reinits: 0 },
    }));
  }

  /** Declare every series and start each sensor's loop (first read right away). */
  start(): void {
    this.o.buffer.defineSeries(this.slots.flatMap((sl) => [...sl.s.series.values()]));
    this.running = true;
    for (const sl of this.slots) this.publish(sl), this.schedule(sl, 0);
  }

  /** Stop the loops, wait for reads in flight, close the drivers. */
  async stop(): Promise<void> {
    this.running = false;
    for (const sl of this.slots) sl.cancel?.();
    await Promise.all(this.slots.map((sl) => sl.busy));
    await Promise.all(this.slots.map((sl) => sl.s.driver.close().catch(() => undefined)));
  }

  /** True while a read is in flight (tests with virtual time wait for real I/O to finish). */
  get isBusy(): boolean {
    return this.slots.some((sl) => sl.busy !== undefined);
  }

  /** Current status of every sensor. */
  statuses(): SensorStatus[] {
    return this.slots.map((sl) => ({ ...sl.status, errorCounts: { ...sl.status.errorCounts } }));
  }

  private schedule(sl: Slot, delayMs: number): void {
    if (!this.running) return;
    sl.cancel = this.o.scheduler.schedule(delayMs, () => {
      sl.busy = this.cycle(sl).then((next) => {
        sl.busy = undefined;
        if (next !== undefined) this.schedule(sl, next);
      });
    });
  }

  /** One attempt; resolves the delay until the next one, or undefined when the sensor is disabled. */
  private async cycle(sl: Slot): Promise<number | undefined> {
    const { driver } = sl.s;
    const startMono = this.o.scheduler.monoMs();
    // The next regular read is one interval after this one started, so read time does not drift.
    const nextRegular = () => Math.max(0, startMono + sl.s.intervalMs - this.o.scheduler.monoMs());
    try {
      if (sl.needsInit) {
        if (sl.status.reads > 0 || sl.status.consecutiveFailures > 0) sl.status.reinits++;
        await driver.init();
        sl.needsInit = false;
      }
      const reading = await driver.read();
      sl.status.reads++;
      return this.store(sl, reading, this.o.clock.nowMs(), this.o.scheduler.monoMs()) ? nextRegular() : this.failed(sl, describe(reading), false);
    } catch (err) {
      if (!(err instanceof SensorError)) {
        // Not a sensor fault (buffer full, bug): count it, keep the daemon and the loop alive.
        this.count(sl, 'internal');
        this.o.log.error('sampling failed', { sensor: driver.id, error: err as Error });
        return this.failed(sl, (err as Error).message, false, true);
      }
      this.count(sl, err.code);
      sl.status.reads++;
      return this.failed(sl, err.message, !err.isTransient);
    }
  }

  /**
   * Store a reading's valid values (through the clock guard) and count its problems.
   * @returns false when the read counts as failed: problems and not one valid value.
   */
  private store(sl: Slot, reading: Reading, wallMs: number, monoMs: number): boolean {
    const values: Array<{ seriesId: string; value: number }> = [];
    for (const [metric, value] of Object.entries(reading.values)) {
      const series = sl.s.series.get(metric);
      if (series && value !== undefined && Number.isFinite(value)) values.push({ seriesId: series.seriesId, value });
    }
    for (const p of reading.problems) {
      this.count(sl, p.code);
      this.o.log.debug('value not stored', { sensor: sl.s.driver.id, metric: p.metric, problem: p.code, reason: p.message });
    }
    if (values.length === 0 && reading.problems.length > 0) return false;
    // No values and no problems: nothing measured yet (a rate's first interval), not a fault.
    const samples = this.o.guard.admit(wallMs, monoMs, values);
    if (samples.length) this.o.buffer.insert(this.o.deviceId, samples);
    this.publishClock();
    if (values.length) sl.status.lastOkMs = wallMs;
    this.succeeded(sl);
    return true;
  }

  private count(sl: Slot, code: string): void {
    sl.status.errorCounts[code] = (sl.status.errorCounts[code] ?? 0) + 1;
  }

  private succeeded(sl: Slot): void {
    const was = sl.status.state;
    const failures = sl.status.consecutiveFailures;
    sl.status.consecutiveFailures = 0;
    if (was !== 'online') {
      if (was === 'starting') this.o.log.info('sensor online', { sensor: sl.s.driver.id, type: sl.s.type });
      else this.o.log.info('sensor recovered', { sensor: sl.s.driver.id, after: `${failures} failed reads` });
      this.setState(sl, 'online');
    }
    this.publish(sl);
  }

  private failed(sl: Slot, message: string, isPermanent: boolean, isInternal = false): number | undefined {
    const st = sl.status;
    if (!isInternal) st.failedReads++;
    st.consecutiveFailures++;
    st.lastError = message;
    const id = sl.s.driver.id;
    if (isPermanent) {
      this.o.log.error('sensor disabled (permanent fault; fix wiring or config and restart)', { sensor: id, error: message });
      this.setState(sl, 'disabled');
      this.publish(sl);
      return undefined;
    }
    if (st.consecutiveFailures >= this.policy.offlineAfter && st.state !== 'offline') {
      this.o.log.error('sensor offline', { sensor: id, failures: st.consecutiveFailures, error: message });
      this.setState(sl, 'offline');
    } else if (st.state === 'online' || st.state === 'starting') {
      this.o.log.warn('sensor failing', { sensor: id, error: message });
      this.setState(sl, 'failing');
    }
    if (st.consecutiveFailures % this.policy.reinitAfter === 0) sl.needsInit = true;
    this.publish(sl);
    const cap = Math.max(sl.s.intervalMs, this.policy.maxBackoffMs);
    return Math.min(cap, this.policy.retryBaseMs * 2 ** Math.min(st.consecutiveFailures - 1, 30));
  }

  private setState(sl: Slot, state: SensorState): void {
    sl.status.state = state;
    sl.status.sinceMs = this.o.clock.nowMs();
  }

  private lastClockStatus?: string;

  /** Publish the clock guard's status when it changed (trusted, held, discarded). */
  private publishClock(): void {
    const status = JSON.stringify(this.o.guard.status());
    if (status === this.lastClockStatus) return;
    this.lastClockStatus = status;
    try {
      this.o.buffer.setState(CLOCK_STATE_KEY, status);
    } catch (err) {
      this.o.log.debug('could not publish clock status', { error: err as Error });
    }
  }

  private publish(sl: Slot): void {
    try {
      publishSensorStatus(this.o.buffer, sl.status, this.slots.map((x) => x.s.driver.id));
    } catch (err) {
      this.o.log.debug('could not publish sensor status', { sensor: sl.s.driver.id, error: err as Error });
    }
  }
}

/** Why a reading stored nothing, for logs and status. */
function describe(reading: Reading): string {
  return reading.problems.map((p) => p.message).join('; ') || 'no value';
}
