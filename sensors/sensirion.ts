/**
 * What Sensirion's SHT3x and SHT4x share: the CRC-8 on every 16-bit word and the 6-byte measurement
 * frame [T msb, T lsb, T crc, RH msb, RH lsb, RH crc]. SHT3x-DIS data sheet Version 5 (May 2018) §4.12
 * Table 20; SHT4x data sheet Version 6 (February 2023).
 */
import { MalformedFrameError, SensorError, toSensorError } from './errors.js';
import type { I2cBus } from './ports.js';
import type { Problem } from './reading.js';

/** CRC-8 parameters (SHT3x §4.12 Table 20): polynomial 0x31 (x⁸+x⁵+x⁴+1), init 0xFF, no reflection, no final XOR. */
export const CRC8_POLYNOMIAL = 0x31;
export const CRC8_INIT = 0xff;

/**
 * Sensirion CRC-8 over `bytes` (normally one 2-byte word, MSB first).
 * @example crc8(Uint8Array.of(0xbe, 0xef)) === 0x92 // data sheet example
 */
export function crc8(bytes: Uint8Array): number {
  let crc = CRC8_INIT;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ CRC8_POLYNOMIAL) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** One checked word of a frame: the 16-bit value, or the CRC problem that keeps it out. */
export type CheckedWord = { ok: true; raw: number } | { ok: false; expected: number; actual: number };

/** Verify a `[msb, lsb, crc]` triplet and return the big-endian word. */
export function checkWord(triplet: Uint8Array): CheckedWord {
  const expected = crc8(triplet.subarray(0, 2));
  if (expected !== triplet[2]) return { ok: false, expected, actual: triplet[2] };
  return { ok: true, raw: (triplet[0] << 8) | triplet[1] };
}

/** A measurement frame split into its two checked words (each may fail on its own). */
export interface SensirionFrame {
  rawT: CheckedWord;
  rawRh: CheckedWord;
}

/** @throws {MalformedFrameError} unless `frame` has 6 bytes. */
export function splitFrame(frame: Uint8Array, sensor: string): SensirionFrame {
  if (frame.length !== 6) throw new MalformedFrameError(sensor, `frame of ${frame.length} bytes, expected 6 (T msb, lsb, crc, RH msb, lsb, crc)`);
  return { rawT: checkWord(frame.subarray(0, 3)), rawRh: checkWord(frame.subarray(3, 6)) };
}

/** The problem to report for a word whose CRC failed. */
export function crcProblem(metric: string, word: string, crc: { expected: number; actual: number }): Problem {
  return { code: 'crc_mismatch', metric, message: `${word} word CRC 0x${crc.actual.toString(16).padStart(2, '0')}, expected 0x${crc.expected.toString(16).padStart(2, '0')}` };
}

/** T = −45 + 175 · S_T / (2¹⁶ − 1) °C (SHT3x §4.13, SHT4x §4.6). */
export const tempCFromRaw = (rawT: number): number => -45 + (175 * rawT) / 65535;

/** Send a command (1 or 2 bytes), wait `waitMs`, read the 6-byte frame. Bus errors become `SensorError`s. */
export async function commandAndRead(bus: I2cBus, address: number, command: Uint8Array, waitMs: number, sleep: (ms: number) => Promise<void>, sensor: string): Promise<Uint8Array> {
  const cmd = Buffer.from(command);
  try {
    await bus.i2cWrite(address, cmd.length, cmd);
  } catch (err) {
    throw toSensorError(sensor, `write command 0x${cmd.toString('hex')}`, err);
  }
  await sleep(waitMs);
  const buffer = Buffer.alloc(6);
  let bytesRead: number;
  try {
    bytesRead = (await bus.i2cRead(address, 6, buffer)).bytesRead;
  } catch (err) {
    throw toSensorError(sensor, 'read 6-byte frame', err);
  }
  if (bytesRead !== 6) throw new SensorError(sensor, `read ${bytesRead} bytes, expected 6`);
  return new Uint8Array(buffer);
}
