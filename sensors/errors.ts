/**
 * Typed errors of the sensor area. Every error carries the sensor id and context fields; each is
 * classified as transient (retry next tick) or permanent (configuration or wiring must change).
 */

/** Base of every sensor error. `isTransient`: worth retrying on the next tick. */
export class SensorError extends Error {
  readonly isTransient: boolean = true;
  /** Short machine code counted per sensor in status (`eio`, `crc_mismatch`, `wrong_chip`, …). */
  readonly code: string = 'error';
  constructor(readonly sensor: string, message: string, options?: ErrorOptions) {
    super(`${sensor}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** An I²C/1-Wire/GPIO transfer failed (EIO, EREMOTEIO = NACK, ETIMEDOUT, ENXIO, …). Transient. */
export class BusError extends SensorError {
  override readonly code: string;
  /** @param errno the system error code, e.g. `EREMOTEIO`. */
  constructor(sensor: string, readonly errno: string, readonly operation: string, options?: ErrorOptions) {
    super(sensor, `${operation} failed with ${errno}`, options);
    this.code = errno.toLowerCase();
  }
}

/** A Sensirion/Dallas checksum did not match. Transient. */
export class CrcMismatchError extends SensorError {
  override readonly code = 'crc_mismatch';
  constructor(sensor: string, readonly word: string, readonly expected: number, readonly actual: number) {
    super(sensor, `${word} CRC 0x${hex(actual)}, expected 0x${hex(expected)}`);
  }
}

/** The chip-id register held another value: wrong part or wrong address. Permanent. */
export class WrongChipError extends SensorError {
  override readonly isTransient = false;
  override readonly code = 'wrong_chip';
  constructor(sensor: string, readonly register: number, readonly expected: readonly number[], readonly actual: number) {
    super(sensor, `chip id register 0x${hex(register)} reads 0x${hex(actual)}, expected ${expected.map((e) => '0x' + hex(e)).join(' or ')}`);
  }
}

/** The device is not there right now (1-Wire file vanished, I²C address absent). Transient. */
export class SensorMissingError extends SensorError {
  override readonly code = 'missing';
}

/** Bytes or text that cannot be a frame of this chip (wrong length, unparsable). Transient on a bus. */
export class MalformedFrameError extends SensorError {
  override readonly code = 'malformed';
}

/** A pin or device that cannot be used as configured (EINVAL on export, no GPIO chip). Permanent. */
export class SensorSetupError extends SensorError {
  override readonly isTransient = false;
  override readonly code = 'setup';
}

/** The chip reset itself (its settings are back at power-on values); the driver re-initialised it. Transient. */
export class ChipResetError extends SensorError {
  override readonly code = 'chip_reset';
}

/** The measurement did not finish in the datasheet's maximum time (status bit still set). Transient. */
export class MeasurementTimeoutError extends SensorError {
  override readonly code = 'etimedout';
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Node system error codes that mean "the bus transfer failed", translated into `BusError`. */
export const BUS_ERRNOS = ['EIO', 'EREMOTEIO', 'ETIMEDOUT', 'ENXIO', 'EAGAIN', 'EBUSY', 'ENODEV'] as const;

/**
 * Translate a thrown value from a bus call into a `SensorError` (already-typed errors pass through).
 * @param operation what was attempted, e.g. `read 8 bytes at 0xF7`.
 */
export function toSensorError(sensor: string, operation: string, err: unknown): SensorError {
  if (err instanceof SensorError) return err;
  const errno = (err as { code?: unknown })?.code;
  if (typeof errno === 'string') return new BusError(sensor, errno, operation, { cause: err });
  return new BusError(sensor, 'EIO', operation, { cause: err });
}
