/**
 * Sensirion SHT3x-DIS humidity/temperature sensor (SHT30/31/35). Follows "Datasheet SHT3x-DIS",
 * Version 5 (May 2018): §4.3 single-shot commands (Table 9), §4.12 checksum, §4.13 conversion.
 * I²C address 0x44 (ADDR low) or 0x45 (ADDR high).
 */
import type { SensorDriver } from './driver.js';
import { toSensorError } from './errors.js';
import type { I2cBus, Sleep } from './ports.js';
import type { Problem, Reading } from './reading.js';
import { commandAndRead, crcProblem, splitFrame, tempCFromRaw } from './sensirion.js';

export const SHT3X_ADDRESS = 0x44;
export const SHT3X_ADDRESS_ALT = 0x45;

/** Single shot, clock stretching disabled (§4.3 Table 9), by repeatability. */
export const SHT3X_CMD_MEASURE = {
  high: Uint8Array.of(0x24, 0x00),
  medium: Uint8Array.of(0x24, 0x0b),
  low: Uint8Array.of(0x24, 0x16),
} as const;
export type Sht3xRepeatability = keyof typeof SHT3X_CMD_MEASURE;
/** Measurement duration (§2.2 Table 4: max 15 / 6 / 4 ms) plus 0.5 ms margin, by repeatability. */
export const SHT3X_MEASURE_MAX_MS: Record<Sht3xRepeatability, number> = { high: 15.5, medium: 6.5, low: 4.5 };
/** Soft reset (§4.9 Table 13); the sensor is ready again after 1.5 ms max (Table 4, t_SR). */
export const SHT3X_CMD_SOFT_RESET = Uint8Array.of(0x30, 0xa2);
export const SHT3X_SOFT_RESET_MS = 2;
/** Read status register (§4.11 Table 17): 2 bytes + CRC. */
export const SHT3X_CMD_READ_STATUS = Uint8Array.of(0xf3, 0x2d);

/**
 * Decode one SHT3x frame. Each word is checked on its own: a word whose CRC fails yields no value
 * and a `crc_mismatch` problem, while the other word is still used.
 * @returns `tempC` = −45 + 175·S_T/65535 °C, `rhPct` = 100·S_RH/65535 %RH (§4.13).
 * @throws {MalformedFrameError} unless the frame has 6 bytes.
 */
export function decodeSht3xFrame(frame: Uint8Array, sensor = 'sht3x'): Reading {
  const { rawT, rawRh } = splitFrame(frame, sensor);
  const values: Record<string, number> = {};
  const problems: Problem[] = [];
  if (rawT.ok) values.tempC = tempCFromRaw(rawT.raw);
  else problems.push(crcProblem('tempC', 'temperature', rawT));
  if (rawRh.ok) values.rhPct = (100 * rawRh.raw) / 65535;
  else problems.push(crcProblem('rhPct', 'humidity', rawRh));
  return { values, problems };
}

/** SHT3x over `I2cBus`: `init()` soft-resets; `read()` runs one single-shot measurement (`tempC`, `rhPct`). @throws {SensorError} on bus faults. */
export class Sht3x implements SensorDriver {
  readonly metrics = ['tempC', 'rhPct'] as const;

  constructor(
    readonly id: string,
    private readonly bus: I2cBus,
    readonly address: number,
    private readonly sleep: Sleep,
    readonly repeatability: Sht3xRepeatability = 'high',
  ) {}

  /** Soft reset, then read the status register with a valid CRC (identifies a responding SHT3x). */
  async init(): Promise<void> {
    const reset = Buffer.from(SHT3X_CMD_SOFT_RESET);
    try {
      await this.bus.i2cWrite(this.address, 2, reset);
    } catch (err) {
      throw toSensorError(this.id, 'soft reset 0x30a2', err);
    }
    await this.sleep(SHT3X_SOFT_RESET_MS);
  }

  async read(): Promise<Reading> {
    const frame = await commandAndRead(this.bus, this.address, SHT3X_CMD_MEASURE[this.repeatability], Math.ceil(SHT3X_MEASURE_MAX_MS[this.repeatability]), this.sleep, this.id);
    return decodeSht3xFrame(frame, this.id);
  }

  async close(): Promise<void> {}
}
