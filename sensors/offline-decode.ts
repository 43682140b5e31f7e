/**
 * Offline decoding for `sensorctl decode`: turns what a user pastes (an `i2cdump` listing, register
 * bytes, a Sensirion frame, a BH1750 count, a `w1_slave` text) into the values the agent would store,
 * or the reason each one would not be stored. Pure; the CLI command reads files and prints.
 */
import { decodeBh1750, MTREG_MAX, MTREG_MIN, type Bh1750Resolution } from './bh1750.js';
import { decodeCalibration } from './bme280/calibration.js';
import { decodeMeasurement, decodeRawData } from './bme280/decode.js';
import {
  CALIB_00_LENGTH, CALIB_26_LENGTH, CHIP_ID_BME280, CHIP_ID_BMP280, CTRL_MEAS_MODE, CTRL_MEAS_OSRS_P, CTRL_MEAS_OSRS_T,
  REG_CALIB_00, REG_CALIB_26, REG_CTRL_HUM, REG_CTRL_MEAS, REG_DATA, REG_ID, field, oversamplingOf,
} from './bme280/registers.js';
import { decodeW1Slave } from './ds18b20.js';
import { SensorError } from './errors.js';
import type { Problem, Reading } from './reading.js';
import { decodeSht3xFrame } from './sht3x.js';
import { decodeSht4xFrame } from './sht4x.js';

/** Chips `sensorctl decode` knows. */
export const DECODE_CHIPS = ['bme280', 'bmp280', 'sht3x', 'sht4x', 'bh1750', 'ds18b20'] as const;
export type DecodeChip = (typeof DECODE_CHIPS)[number];

/** The canonical values each chip reports (all keys appear in `--json`, null when not storable). */
export const CHIP_METRICS: Record<DecodeChip, readonly string[]> = {
  bme280: ['tempC', 'pressurePa', 'rhPct'], bmp280: ['tempC', 'pressurePa'], sht3x: ['tempC', 'rhPct'], sht4x: ['tempC', 'rhPct'],
  bh1750: ['illuminanceLux'], ds18b20: ['tempC'],
};

/** Input that cannot be decoded at all (wrong length, not hex, missing registers): exit 2. */
export class DecodeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeInputError';
  }
}

/** What `sensorctl decode` prints: every metric of the chip (null when not storable), problems and notes. */
export interface DecodeReport {
  chip: DecodeChip;
  /** metric → value, or null when it must not be stored. */
  values: Record<string, number | null>;
  problems: Problem[];
  /** What else the input says (chip id, mode, oversampling). */
  notes: string[];
}

/** Parse hex bytes written as `64 8B C7`, `648bc7`, `0x64,0x8b` … @throws {DecodeInputError} */
export function parseHexBytes(text: string, what: string): Uint8Array {
  const tokens = text.trim().split(/[\s,:;]+/).filter(Boolean).map((t) => t.replace(/^0x/i, ''));
  const joined = tokens.every((t) => t.length <= 2) ? tokens.map((t) => t.padStart(2, '0')).join('') : tokens.join('');
  if (!joined || !/^[0-9a-f]+$/i.test(joined) || joined.length % 2) throw new DecodeInputError(`${what} ${JSON.stringify(text)}: expected hex bytes like "64 8B C7"`);
  return Uint8Array.from(Buffer.from(joined, 'hex'));
}

/**
 * Parse the text `i2cdump -y 1 0x76` prints: a header row, then rows `80: 6c 6e … ` of 16 bytes
 * (`XX` for unreadable) followed by an ASCII column.
 * @returns register → byte for every readable byte.
 * @throws {DecodeInputError} when no dump row is found.
 */
export function parseI2cdump(text: string): Map<number, number> {
  const regs = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = /^\s*([0-9a-f]{1,2})0:\s+((?:(?:[0-9a-f]{2}|XX)\s+){15}(?:[0-9a-f]{2}|XX))/i.exec(line);
    if (!m) continue;
    const row = parseInt(m[1], 16) * 16;
    m[2].trim().split(/\s+/).forEach((tok, i) => {
      if (tok.toUpperCase() !== 'XX') regs.set(row + i, parseInt(tok, 16));
    });
  }
  if (regs.size === 0) throw new DecodeInputError('no i2cdump rows found (expected lines like "80: 6c 6e 77 66 …")');
  return regs;
}

/** Parse repeated `--reg ADDR=HEXBYTES` into register → byte. @throws {DecodeInputError} */
export function parseRegArgs(args: readonly string[]): Map<number, number> {
  const regs = new Map<number, number>();
  for (const arg of args) {
    const m = /^(0x[0-9a-f]{1,2}|\d{1,3})=(.+)$/i.exec(arg.trim());
    if (!m) throw new DecodeInputError(`--reg ${JSON.stringify(arg)}: expected ADDR=HEXBYTES, e.g. 0xF7=8000008000008000`);
    const start = m[1].toLowerCase().startsWith('0x') ? parseInt(m[1], 16) : Number(m[1]);
    const bytes = parseHexBytes(m[2], `--reg ${m[1]}`);
    if (start + bytes.length > 256) throw new DecodeInputError(`--reg ${m[1]}: ${bytes.length} bytes run past register 0xFF`);
    bytes.forEach((b, i) => regs.set(start + i, b));
  }
  return regs;
}

const hex2 = (n: number) => '0x' + n.toString(16).toUpperCase().padStart(2, '0');

function take(regs: Map<number, number>, start: number, length: number, what: string): Uint8Array {
  const missing: number[] = [];
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const b = regs.get(start + i);
    if (b === undefined) missing.push(start + i);
    else out[i] = b;
  }
  if (missing.length) throw new DecodeInputError(`${what} needs registers ${hex2(start)}–${hex2(start + length - 1)}; missing ${missing.map(hex2).join(' ')}`);
  return out;
}

function report(chip: DecodeChip, r: Reading, notes: string[] = []): DecodeReport {
  const values: Record<string, number | null> = {};
  for (const m of CHIP_METRICS[chip]) values[m] = r.values[m] ?? null;
  return { chip, values, problems: [...r.problems], notes };
}

/** Decode BME280/BMP280 register bytes (calibration, data; id and control registers when present). */
export function decodeBmeRegisters(chip: 'bme280' | 'bmp280', regs: Map<number, number>): DecodeReport {
  const notes: string[] = [];
  const id = regs.get(REG_ID);
  let kind = chip;
  if (id !== undefined) {
    if (id === CHIP_ID_BME280) kind = 'bme280';
    else if (id === CHIP_ID_BMP280) kind = 'bmp280';
    else throw new DecodeInputError(`chip id (0xD0) is ${hex2(id)}: not a BME280 (0x60) or BMP280 (0x58)`);
    notes.push(`chip id ${hex2(id)}: ${kind.toUpperCase()}`);
  }
  const ctrlMeas = regs.get(REG_CTRL_MEAS);
  if (ctrlMeas !== undefined) {
    const mode = ['sleep', 'forced', 'forced', 'normal'][field(ctrlMeas, CTRL_MEAS_MODE)];
    const t = oversamplingOf(field(ctrlMeas, CTRL_MEAS_OSRS_T));
    const p = oversamplingOf(field(ctrlMeas, CTRL_MEAS_OSRS_P));
    notes.push(`ctrl_meas ${hex2(ctrlMeas)}: mode ${mode}, osrs_t ×${t}${t ? '' : ' (temperature skipped)'}, osrs_p ×${p}${p ? '' : ' (pressure skipped)'}`);
  }
  const ctrlHum = regs.get(REG_CTRL_HUM);
  if (ctrlHum !== undefined && kind === 'bme280') {
    const h = oversamplingOf(ctrlHum & 0x07);
    notes.push(`ctrl_hum ${hex2(ctrlHum)}: osrs_h ×${h}${h ? '' : ' (humidity skipped)'}`);
  }
  const calib00 = take(regs, REG_CALIB_00, CALIB_00_LENGTH, 'the calibration');
  const calib26 = kind === 'bme280' ? take(regs, REG_CALIB_26, CALIB_26_LENGTH, 'the humidity calibration') : undefined;
  const data = take(regs, REG_DATA, kind === 'bme280' ? 8 : 6, 'the measurement');
  const r = decodeMeasurement(decodeRawData(data), decodeCalibration(calib00, calib26));
  return report(kind, r, notes);
}

/** Decode a 6-byte SHT3x/SHT4x frame. */
export function decodeShtFrame(chip: 'sht3x' | 'sht4x', frame: Uint8Array): DecodeReport {
  if (frame.length !== 6) throw new DecodeInputError(`--frame has ${frame.length} bytes, expected 6 (T msb, T lsb, T crc, RH msb, RH lsb, RH crc)`);
  return report(chip, chip === 'sht3x' ? decodeSht3xFrame(frame) : decodeSht4xFrame(frame));
}

/** Decode a 2-byte BH1750 result. */
export function decodeBh1750Raw(bytes: Uint8Array, mode: string, mtreg: number): DecodeReport {
  if (bytes.length !== 2) throw new DecodeInputError(`--raw has ${bytes.length} bytes, expected 2 (high byte, low byte)`);
  if (!['h', 'h2', 'l'].includes(mode)) throw new DecodeInputError(`--mode ${mode}: expected h, h2 or l`);
  if (!Number.isInteger(mtreg) || mtreg < MTREG_MIN || mtreg > MTREG_MAX) throw new DecodeInputError(`--mtreg ${mtreg}: expected an integer ${MTREG_MIN}–${MTREG_MAX}`);
  return report('bh1750', decodeBh1750(bytes, mode as Bh1750Resolution, mtreg), [`raw count ${(bytes[0] << 8) | bytes[1]}, mode ${mode.toUpperCase()}, MTreg ${mtreg}`]);
}

/** Decode the text of a `w1_slave` file. */
export function decodeW1Text(text: string): DecodeReport {
  try {
    return report('ds18b20', decodeW1Slave(text));
  } catch (err) {
    if (err instanceof SensorError) throw new DecodeInputError(err.message.replace(/^ds18b20: /, ''));
    throw err;
  }
}
