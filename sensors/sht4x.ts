/**
 * Sensirion SHT4x humidity/temperature sensor (SHT40/41/45). Follows "Datasheet SHT4x", Version 6
 * (February 2023): §4.5 commands (Table 7), §4.6 conversion, §4.4 checksum (same CRC-8 as the SHT3x).
 * I²C address 0x44 (SHT4x-A), 0x45 (-B) or 0x46 (-C).
 */
import type { SensorDriver } from './driver.js';
import { toSensorError } from './errors.js';
import type { I2cBus, Sleep } from './ports.js';
import type { Problem, Reading } from './reading.js';
import { commandAndRead, crcProblem, splitFrame, tempCFromRaw } from './sensirion.js';

export const SHT4X_ADDRESS = 0x44;

/** Measure T & RH (Table 7), by precision. */
export const SHT4X_CMD_MEASURE = { high: 0xfd, medium: 0xf6, low: 0xe0 } as const;
export type Sht4xPrecision = keyof typeof SHT4X_CMD_MEASURE;
/** Maximum measurement duration (Table 4), ms. */
export const SHT4X_MEASURE_MAX_MS: Record<Sht4xPrecision, number> = { high: 8.3, medium: 4.5, low: 1.6 };
/** Read serial number (Table 7): 2 words, each with CRC. */
export const SHT4X_CMD_READ_SERIAL = 0x89;
/** Soft reset (Table 7); ready after 1 ms max. */
export const SHT4X_CMD_SOFT_RESET = 0x94;
export const SHT4X_SOFT_RESET_MS = 1;

/**
 * Decode one SHT4x frame; words are checked on their own (see `decodeSht3xFrame`).
 * @returns `tempC` = −45 + 175·S_T/65535 °C; `rhPct` = −6 + 125·S_RH/65535 %RH, cropped to 0…100 as
 *   §4.6 recommends.
 * @throws {MalformedFrameError} unless the frame has 6 bytes.
 */
export function decodeSht4xFrame(frame: Uint8Array, sensor = 'sht4x'): Reading {
  const { rawT, rawRh } = splitFrame(frame, sensor);
  const values: Record<string, number> = {};
  const problems: Problem[] = [];
  if (rawT.ok) values.tempC = tempCFromRaw(rawT.raw);
  else problems.push(crcProblem('tempC', 'temperature', rawT));
  if (rawRh.ok) values.rhPct = Math.min(100, Math.max(0, -6 + (125 * rawRh.raw) / 65535));
  else problems.push(crcProblem('rhPct', 'humidity', rawRh));
  return { values, problems };
}

/** SHT4x over `I2cBus`: `init()` soft-resets; `read()` runs one measurement (`tempC`, `rhPct`). @throws {SensorError} on bus faults. */
export class Sht4x implements SensorDriver {
  readonly metrics = ['tempC', 'rhPct'] as const;

  constructor(
    readonly id: string,
    private readonly bus: I2cBus,
    readonly address: number,
    private readonly sleep: Sleep,
    readonly precision: Sht4xPrecision = 'high',
  ) {}

  async init(): Promise<void> {
    const cmd = Buffer.of(SHT4X_CMD_SOFT_RESET);
    try {
      await this.bus.i2cWrite(this.address, 1, cmd);
    } catch (err) {
      throw toSensorError(this.id, 'soft reset 0x94', err);
    }
    await this.sleep(SHT4X_SOFT_RESET_MS);
  }

  async read(): Promise<Reading> {
    const frame = await commandAndRead(this.bus, this.address, Uint8Array.of(SHT4X_CMD_MEASURE[this.precision]), Math.ceil(SHT4X_MEASURE_MAX_MS[this.precision]), this.sleep, this.id);
    return decodeSht4xFrame(frame, this.id);
  }

  async close(): Promise<void> {}
}
