/**
 * The sampling policy: reads each sensor on its interval, stamps values when read (epoch ms, through
 * the clock guard), stores valid values only, and survives sensor faults. Pure over ports
 * (`SampleBuffer`, `Clock`, `MonotonicScheduler`, `Logger`, `SensorDriver`).
 *
 * Faults: a read that throws or yields no valid value stores nothing for that sample, counts per
 * sensor and per code, and is retried with backoff (1 s, 2 s, 4 s … up to max(interval, 60 s)).
 * After every `reinitAfter` consecutive failures the chip is re-initialised, unless its driver
 * `handlesFaults` (retries transfers and recognises a chip reset itself, as the BME280's does). The
 * state moves online → failing (first failure) → offline (`offlineAfter` failures) → online
 * ("recovered") and is logged once per change; a flapping sensor writes one summary line a minute
 * with counts (`flap-log.ts`). A permanent error (wrong chip, bad pin) disables only that sensor,
 * which is then retried (fresh init) on a slow backoff of minutes, so a re-plugged sensor comes back.
 * `progress()` tells the watchdog whether sampling works (`liveness.ts`).
 */
import type { Clock, Logger } from '../../builder/ports.js';
import type { SeriesInfo } from '../../builder/types.js';
import type { SensorDriver } from '../../sensors/driver.js';
import type { Reading } from '../../sensors/reading.js';
import { SensorError } from '../../sensors/errors.js';
import type { ClockGuard } from './clock-guard.js';
import type { SampleBuffer } from '../buffer/ports.js';
import { StorageFullError } from '../buffer/errors.js';
import type { MonotonicScheduler } from './ports.js';
import type { SamplerProgress } from './liveness.js';
import { FlapLog, type ChangeKind } from './flap-log.js';
import { CLOCK_STATE_KEY, publishSensorStatus, type SensorState, type SensorStatus } from './sensor-status.js';

export interface FailurePolicy {
  /** First retry delay after a failure, ms; doubles per consecutive failure. */
  retryBaseMs: number;
  /** Longest retry delay, ms (at least the sensor's interval). */
  maxBackoffMs: number;
  /** Re-initialise the chip after this many consecutive failures (and every as many after), unless its driver `handlesFaults`. */
  reinitAfter: number;
  /** Consecutive failures after which the sensor is `offline`. */
  offlineAfter: number;
  /** First retry (a fresh init) of a sensor disabled by a permanent fault, ms; doubles per failed retry. */
  disabledRetryBaseMs: number;
  /** Longest delay between retries of a disabled sensor, ms. */
  disabledRetryMaxMs: number;
}

export const DEFAULT_FAILURE_POLICY: FailurePolicy = {
  retryBaseMs: 1_000, maxBackoffMs: 60_000, reinitAfter: 3, offlineAfter: 5, disabledRetryBaseMs: 120_000, disabledRetryMaxMs: 1_800_000,
};

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
  sensor: SampledSensor;
  status: SensorStatus;
  needsInit: boolean;
  /** Failed retries since the sensor was disabled (its slow backoff). */
  disabledRetries: number;
  cancel?: () => void;
  busy?: Promise<void>;
  /** Monotonic start of the read in flight. */
  readStartedMonoMs?: number;
  flaps: FlapLog;
  /** Monotonic time the status was last written to the buffer. */
  publishedMonoMs?: number;
}

/**
 * Most often an unchanged online status is written after successful reads, ms: each write is a
 * transaction of its own (a WAL frame on the SD card); a state change or a failure is written at once.
 */
export const STATUS_WRITE_EVERY_MS = 60_000;

export class Sampler {
  private readonly slots: Slot[];
  private readonly policy: FailurePolicy;
  private running = false;
  private startedMonoMs = 0;
  private lastAdmittedMonoMs?: number;

  constructor(private readonly options: SamplerOptions) {
    this.policy = { ...DEFAULT_FAILURE_POLICY, ...options.policy };
    const now = options.clock.nowMs();
    this.slots = options.sensors.map((sensor) => ({
      sensor,
      needsInit: true,
      disabledRetries: 0,
      flaps: new FlapLog(sensor.driver.id, options.log),
      status: { id: sensor.driver.id, type: sensor.type, state: 'starting', sinceMs: now, consecutiveFailures: 0, reads: 0, failedReads: 0, errorCounts: {}, reinits: 0 },
    }));
  }

  /** Declare every series and start each sensor's loop (first read right away). */
  start(): void {
    this.options.buffer.defineSeries(this.slots.flatMap((slot) => [...slot.sensor.series.values()]));
    this.running = true;
    this.startedMonoMs = this.options.scheduler.monoMs();
    for (const slot of this.slots) this.publish(slot), this.schedule(slot, 0);
  }

  /**
   * Stop the loops, wait for reads in flight, store (or count and log as discarded) what the clock
   * guard still holds, close the drivers.
   */
  async stop(): Promise<void> {
    this.running = false;
    for (const slot of this.slots) slot.cancel?.();
    await Promise.all(this.slots.map((slot) => slot.busy));
    this.drainGuard();
    await Promise.all(this.slots.map((slot) => slot.sensor.driver.close().catch(() => undefined)));
  }

  /** True while a read is in flight (tests with virtual time wait for real I/O to finish). */
  get isBusy(): boolean {
    return this.slots.some((slot) => slot.busy !== undefined);
  }

  /** What sampling achieved lately, for the watchdog (`samplingLiveness`). */
  progress(): SamplerProgress {
    const inFlight = this.slots.map((s) => s.readStartedMonoMs).filter((ms): ms is number => ms !== undefined);
    return {
      startedMonoMs: this.startedMonoMs,
      nowMonoMs: this.options.scheduler.monoMs(),
      lastAdmittedMonoMs: this.lastAdmittedMonoMs,
      oldestReadInFlightMonoMs: inFlight.length ? Math.min(...inFlight) : undefined,
      sensors: this.slots.map((s) => ({ id: s.sensor.driver.id, state: s.status.state })),
      seriesCount: this.slots.reduce((n, s) => n + s.sensor.series.size, 0),
      heldSamples: this.options.guard.status().held,
    };
  }

  /** Current status of every sensor. */
  statuses(): SensorStatus[] {
    return this.slots.map((slot) => ({ ...slot.status, errorCounts: { ...slot.status.errorCounts } }));
  }

  private schedule(slot: Slot, delayMs: number): void {
    if (!this.running) return;
    slot.cancel = this.options.scheduler.schedule(delayMs, () => {
      slot.readStartedMonoMs = this.options.scheduler.monoMs();
      slot.busy = this.cycle(slot).then((next) => {
        slot.busy = undefined;
        slot.readStartedMonoMs = undefined;
        slot.flaps.tick(this.options.scheduler.monoMs(), slot.status.state, slot.status.errorCounts);
        if (next !== undefined) this.schedule(slot, next);
      });
    });
  }

  /** One attempt; resolves the delay until the next one, or undefined when the sensor is disabled. */
  private async cycle(slot: Slot): Promise<number | undefined> {
    const { driver } = slot.sensor;
    const startMono = this.options.scheduler.monoMs();
    // The next regular read is one interval after this one started, so read time does not drift.
    const nextRegular = () => Math.max(0, startMono + slot.sensor.intervalMs - this.options.scheduler.monoMs());
    try {
      if (slot.needsInit) {
        if (slot.status.reads > 0 || slot.status.consecutiveFailures > 0) slot.status.reinits++;
        await driver.init();
        slot.needsInit = false;
      }
      const reading = await driver.read();
      slot.status.reads++;
      return this.store(slot, reading, this.options.clock.nowMs(), this.options.scheduler.monoMs()) ? nextRegular() : this.failed(slot, describe(reading), false);
    } catch (err) {
      if (err instanceof StorageFullError) {
        // The reading was good, the disk is full: lost with cause `disk-full`, the sensor's state
        // untouched, and the next regular read (one interval on) stores again once there is space.
        slot.status.reads++;
        this.count(slot, 'disk-full');
        this.diskFull(err);
        return nextRegular();
      }
      if (!(err instanceof SensorError)) {
        // Not a sensor fault (buffer full, bug): count it, keep the daemon and the loop alive.
        this.count(slot, 'internal');
        this.options.log.error('sampling failed', { sensor: driver.id, error: err as Error });
        return this.failed(slot, (err as Error).message, false, true);
      }
      this.count(slot, err.code);
      slot.status.reads++;
      return this.failed(slot, err.message, !err.isTransient);
    }
  }

  /**
   * Store a reading's valid values (through the clock guard) and count its problems.
   * @returns false when the read counts as failed: problems and not one valid value.
   */
  private store(slot: Slot, reading: Reading, wallMs: number, monoMs: number): boolean {
    const values: Array<{ seriesId: string; value: number }> = [];
    for (const [metric, value] of Object.entries(reading.values)) {
      const series = slot.sensor.series.get(metric);
      if (series && value !== undefined && Number.isFinite(value)) values.push({ seriesId: series.seriesId, value });
    }
    for (const p of reading.problems) {
      this.count(slot, p.code);
      this.options.log.debug('value not stored', { sensor: slot.sensor.driver.id, metric: p.metric, problem: p.code, reason: p.message });
    }
    if (values.length === 0 && reading.problems.length > 0) return false;
    // No values and no problems: nothing measured yet (a rate's first interval), not a fault.
    const samples = this.options.guard.admit(wallMs, monoMs, values);
    if (samples.length) this.options.buffer.insert(this.options.deviceId, samples);
    this.publishClock();
    if (this.storageFull && samples.length) {
      this.options.log.info('storage writable again: samples are stored', { path: this.storageFull.path, lostReadings: this.storageFull.lostReadings });
      this.storageFull = undefined;
    }
    if (values.length) {
      slot.status.lastOkMs = wallMs;
      this.lastAdmittedMonoMs = this.options.scheduler.monoMs();
    }
    this.succeeded(slot);
    return true;
  }

  /** Set while the disk is full: where, and readings lost since (logged once on entry, once on recovery). */
  private storageFull?: { path: string; lostReadings: number };

  /** Disk-full state: one error line when it starts (`disk full at <path>, N bytes free`), counting after. */
  private diskFull(err: StorageFullError): void {
    if (!this.storageFull) {
      this.storageFull = { path: err.path, lostReadings: 0 };
      this.options.log.error(err.message, { path: err.path, freeBytes: err.freeBytes, cause: 'disk-full', effect: 'readings are counted as lost until space returns' });
    }
    this.storageFull.lostReadings++;
  }

  /** `disk full at <path>, N bytes free` while the last store failed for space; undefined otherwise. */
  storageState(): { path: string; lostReadings: number } | undefined {
    return this.storageFull && { ...this.storageFull };
  }

  private count(slot: Slot, code: string): void {
    slot.status.errorCounts[code] = (slot.status.errorCounts[code] ?? 0) + 1;
  }

  private succeeded(slot: Slot): void {
    const was = slot.status.state;
    const failures = slot.status.consecutiveFailures;
    slot.status.consecutiveFailures = 0;
    if (was !== 'online') {
      if (was === 'starting') this.options.log.info('sensor online', { sensor: slot.sensor.driver.id, type: slot.sensor.type });
      else this.logChange(slot, 'recovered', 'info', 'sensor recovered', { sensor: slot.sensor.driver.id, after: `${failures} failed reads` });
      this.setState(slot, 'online');
      this.publish(slot);
      return;
    }
    const sinceMs = this.options.scheduler.monoMs() - (slot.publishedMonoMs ?? -Infinity);
    if (sinceMs >= STATUS_WRITE_EVERY_MS) this.publish(slot);
  }

  private failed(slot: Slot, message: string, isPermanent: boolean, isInternal = false): number | undefined {
    const st = slot.status;
    if (!isInternal) st.failedReads++;
    st.consecutiveFailures++;
    st.lastError = message;
    const id = slot.sensor.driver.id;
    if (isPermanent || st.state === 'disabled') return this.disabled(slot, message);
    if (st.consecutiveFailures >= this.policy.offlineAfter && st.state !== 'offline') {
      this.logChange(slot, 'offline', 'error', 'sensor offline', { sensor: id, failures: st.consecutiveFailures, error: message });
      this.setState(slot, 'offline');
    } else if (st.state === 'online' || st.state === 'starting') {
      this.logChange(slot, 'failing', 'warn', 'sensor failing', { sensor: id, error: message });
      this.setState(slot, 'failing');
    }
    // A driver that handles bus faults itself is re-initialised only on a permanent fault's retry.
    if (!slot.sensor.driver.handlesFaults && st.consecutiveFailures % this.policy.reinitAfter === 0) slot.needsInit = true;
    this.publish(slot);
    const cap = Math.max(slot.sensor.intervalMs, this.policy.maxBackoffMs);
    return Math.min(cap, this.policy.retryBaseMs * 2 ** Math.min(st.consecutiveFailures - 1, 30));
  }

  /**
   * A permanent fault (wrong chip, unusable pin): the sensor is `disabled` and retried with a fresh
   * init on a slow backoff (2, 4, 8 … 30 min), so a re-plugged or rewired sensor comes back on its
   * own. Logged once when disabled; the retries are quiet until one succeeds ("sensor recovered").
   */
  private disabled(slot: Slot, message: string): number {
    const { disabledRetryBaseMs, disabledRetryMaxMs } = this.policy;
    if (slot.status.state !== 'disabled') {
      slot.disabledRetries = 0;
      this.options.log.error(`sensor disabled (permanent fault; fix wiring or config): retried every ${disabledRetryBaseMs / 60_000}–${disabledRetryMaxMs / 60_000} min`, { sensor: slot.sensor.driver.id, error: message });
      this.setState(slot, 'disabled');
    } else slot.disabledRetries++;
    slot.needsInit = true;
    this.publish(slot);
    return Math.min(disabledRetryMaxMs, disabledRetryBaseMs * 2 ** Math.min(slot.disabledRetries, 30));
  }

  /** A state change for the log, through the sensor's flap limiter (one summary line a minute when flapping). */
  private logChange(slot: Slot, kind: ChangeKind, level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>): void {
    slot.flaps.change(this.options.scheduler.monoMs(), kind, level, message, fields, slot.status.errorCounts);
  }

  private setState(slot: Slot, state: SensorState): void {
    slot.status.state = state;
    slot.status.sinceMs = this.options.clock.nowMs();
  }

  private drainGuard(): void {
    try {
      const samples = this.options.guard.drain(this.options.clock.nowMs(), this.options.scheduler.monoMs());
      if (samples.length) this.options.buffer.insert(this.options.deviceId, samples);
      this.publishClock();
    } catch (err) {
      this.options.log.error('could not store the samples held while the clock was untrusted', { error: err as Error });
    }
  }

  private lastClockStatus?: string;

  /** Publish the clock guard's status when it changed (trusted, held, discarded). */
  private publishClock(): void {
    const status = JSON.stringify(this.options.guard.status());
    if (status === this.lastClockStatus) return;
    this.lastClockStatus = status;
    try {
      this.options.buffer.setState(CLOCK_STATE_KEY, status);
    } catch (err) {
      this.options.log.debug('could not publish clock status', { error: err as Error });
    }
  }

  private publish(slot: Slot): void {
    slot.publishedMonoMs = this.options.scheduler.monoMs();
    try {
      publishSensorStatus(this.options.buffer, slot.status, this.slots.map((other) => other.sensor.driver.id));
    } catch (err) {
      this.options.log.debug('could not publish sensor status', { sensor: slot.sensor.driver.id, error: err as Error });
    }
  }
}

/** Why a reading stored nothing, for logs and status. */
function describe(reading: Reading): string {
  return reading.problems.map((p) => p.message).join('; ') || 'no value';
}
