/**
 * ROHM BH1750FVI ambient light sensor. Follows "BH1750FVI Datasheet", ROHM, Rev. D (2011.11): p.5
 * "Instruction Set Architecture", p.7 "Measurement sequence example", p.11 "Adjust measurement result
 * for influence of optical window" (MTreg). I²C address 0x23 (ADDR ≤ 0.3 VCC) or 0x5C (ADDR ≥ 0.7 VCC).
 * The chip has no id register.
 */
import type { SensorDriver } from './driver.js';
import { MalformedFrameError, SensorError, toSensorError } from './errors.js';
import type { I2cBus, Sleep } from './ports.js';
import type { Reading } from './reading.js';

export const BH1750_ADDRESS = 0x23;
export const BH1750_ADDRESS_ALT = 0x5c;

/** Opcodes (Instruction Set Architecture table). */
export const BH1750_POWER_DOWN = 0x00;
export const BH1750_POWER_ON = 0x01;
/** Reset clears the data register; only valid when powered on. */
export const BH1750_RESET = 0x07;
export const BH1750_CONTINUOUS = { h: 0x10, h2: 0x11, l: 0x13 } as const;
export const BH1750_ONE_TIME = { h: 0x20, h2: 0x21, l: 0x23 } as const;
export type Bh1750Resolution = keyof typeof BH1750_CONTINUOUS;

/** MTreg range and default (p.11): 0001_1111 … 1111_1110, default 0100_0101. */
export const MTREG_MIN = 31;
export const MTREG_MAX = 254;
export const MTREG_DEFAULT = 69;
/** Measurement time at MTreg = 69, max (Electrical characteristics): H/H2 180 ms, L 24 ms. Scales with MTreg/69. */
export const MEASURE_MAX_MS: Record<Bh1750Resolution, number> = { h: 180, h2: 180, l: 24 };
/** Measurement accuracy divisor (typ. 1.2) of the conversion "count / 1.2 = lx" (p.7). */
export const MEASUREMENT_ACCURACY = 1.2;

/** The MTreg value is not within 31…254. */
export class InvalidMtregError extends SensorError {
  override readonly isTransient = false;
  override readonly code = 'invalid_mtreg';
  constructor(sensor: string, readonly mtreg: number) {
    super(sensor, `MTreg ${mtreg}, expected an integer ${MTREG_MIN}–${MTREG_MAX}`);
  }
}

/**
 * The two opcodes that set MTreg (p.11): `01000_MT[7:5]` then `011_MT[4:0]`.
 * @throws {InvalidMtregError} outside 31…254.
 * @example mtregCommands(69) // [0x42, 0x65]
 */
export function mtregCommands(mtreg: number, sensor = 'bh1750'): [number, number] {
  if (!Number.isInteger(mtreg) || mtreg < MTREG_MIN || mtreg > MTREG_MAX) throw new InvalidMtregError(sensor, mtreg);
  return [0x40 | (mtreg >> 5), 0x60 | (mtreg & 0x1f)];
}

/**
 * Convert a 2-byte result (high byte first) to illuminance:
 * lx = raw / 1.2 × 69 / MTreg, halved in H-resolution mode 2 (0.5 lx per count).
 * @returns `illuminanceLux` in lx.
 * @throws {MalformedFrameError} unless 2 bytes; {InvalidMtregError} for a bad MTreg.
 * @example decodeBh1750(Uint8Array.of(0x83, 0x90), 'h', 69) // 28066.67 lx (datasheet p.7: 28067)
 */
export function decodeBh1750(bytes: Uint8Array, resolution: Bh1750Resolution, mtreg = MTREG_DEFAULT, sensor = 'bh1750'): Reading {
  if (bytes.length !== 2) throw new MalformedFrameError(sensor, `result of ${bytes.length} bytes, expected 2 (high byte, low byte)`);
  mtregCommands(mtreg, sensor);
  const raw = (bytes[0] << 8) | bytes[1];
  let lux = (raw / MEASUREMENT_ACCURACY) * (MTREG_DEFAULT / mtreg);
  if (resolution === 'h2') lux /= 2;
  return { values: { illuminanceLux: lux }, problems: [] };
}

/** BH1750 over `I2cBus`: `init()` powers on, resets and sets MTreg; `read()` returns `illuminanceLux`. @throws {SensorError} on bus faults. */
export class Bh1750 implements SensorDriver {
  readonly metrics = ['illuminanceLux'] as const;

  /**
   * @param continuous true: continuous mode set once at init, each read returns the latest result;
   *   false: a one-time measurement is triggered by every read (the chip powers down after it).
   */
  constructor(
    readonly id: string,
    private readonly bus: I2cBus,
    readonly address: number,
    private readonly sleep: Sleep,
    readonly resolution: Bh1750Resolution = 'h',
    readonly mtreg = MTREG_DEFAULT,
    readonly continuous = false,
  ) {
    mtregCommands(mtreg, id);
  }

  /** Maximum measurement time for this resolution and MTreg, ms. */
  get measurementTimeMs(): number {
    return Math.ceil((MEASURE_MAX_MS[this.resolution] * this.mtreg) / MTREG_DEFAULT);
  }

  async init(): Promise<void> {
    await this.send(BH1750_POWER_ON, 'power on');
    await this.send(BH1750_RESET, 'reset');
    const [hi, lo] = mtregCommands(this.mtreg, this.id);
    await this.send(hi, 'MTreg high bits');
    await this.send(lo, 'MTreg low bits');
    if (this.continuous) {
      await this.send(BH1750_CONTINUOUS[this.resolution], 'continuous mode');
      await this.sleep(this.measurementTimeMs);
    }
  }

  async read(): Promise<Reading> {
    if (!this.continuous) {
      await this.send(BH1750_ONE_TIME[this.resolution], 'one-time measurement');
      await this.sleep(this.measurementTimeMs);
    }
    const buffer = Buffer.alloc(2);
    let n: number;
    try {
      n = (await this.bus.i2cRead(this.address, 2, buffer)).bytesRead;
    } catch (err) {
      throw toSensorError(this.id, 'read result', err);
    }
    if (n !== 2) throw new SensorError(this.id, `read ${n} bytes, expected 2`);
    return decodeBh1750(new Uint8Array(buffer), this.resolution, this.mtreg, this.id);
  }

  async close(): Promise<void> {
    try {
      await this.bus.sendByte(this.address, BH1750_POWER_DOWN);
    } catch {
      /* best effort on shutdown */
    }
  }

  private async send(opcode: number, what: string): Promise<void> {
    try {
      await this.bus.sendByte(this.address, opcode);
    } catch (err) {
      throw toSensorError(this.id, `${what} (opcode 0x${opcode.toString(16).padStart(2, '0')})`, err);
    }
  }
}
