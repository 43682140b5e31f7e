/**
 * What the sampler needs from any sensor driver: initialise (probe + configure), read, close.
 * Every driver class in `sensors/` implements it.
 */
import type { Reading } from './reading.js';

/** A sensor the sampler can initialise, read and close. */
export interface SensorDriver {
  /** Sensor id from the config (`bme280-76`), used in series ids and logs. */
  readonly id: string;
  /** Canonical metric names this sensor may produce, in display order. */
  readonly metrics: readonly string[];
  /**
   * True when the driver retries failed transfers itself and recognises a chip reset on its own
   * (rewriting what the reset lost): the sampler then never re-initialises it just because reads
   * keep failing (an init is many transfers that must all succeed on a flaky bus).
   */
  readonly handlesFaults?: boolean;
  /**
   * Probe the chip and configure it. Called at start and again after repeated failures.
   * @throws {SensorError} (`WrongChipError` and `SensorSetupError` are permanent).
   */
  init(): Promise<void>;
  /**
   * One measurement. Valid values and the problems that kept other values out.
   * @throws {SensorError} when nothing could be read (bus error, device missing).
   */
  read(): Promise<Reading>;
  /** Release the bus/pin/watchers; idempotent. */
  close(): Promise<void>;
}
