/**
 * Maxim (Analog Devices) DS18B20 1-Wire thermometer, read through the Linux w1-therm driver's sysfs
 * file `/sys/bus/w1/devices/28-XXXXXXXXXXXX/w1_slave`. Follows "DS18B20 Programmable Resolution 1-Wire
 * Digital Thermometer", 19-7487 Rev 6 (7/19): Figure 9 memory map, Table 1 temperature/data, Figure 10
 * configuration register, "Operation — Measuring Temperature" (power-on +85 °C), and the kernel's
 * Documentation/w1/slaves/w1_therm.rst for the file format:
 *
 * ```
 * 72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
 * 72 01 4b 46 7f ff 0e 10 57 t=23125
 * ```
 */
import type { SensorDriver } from './driver.js';
import { MalformedFrameError, SensorMissingError, SensorError } from './errors.js';
import type { SysfsReader, Sleep } from './ports.js';
import type { Problem, Reading } from './reading.js';

/** The kernel's default 1-Wire devices directory. */
export const W1_DEVICES_DIR = '/sys/bus/w1/devices';
/** DS18B20 family code: device directories are `28-<serial>`. */
export const DS18B20_FAMILY_PREFIX = '28-';
/** Temperature register power-on value 0x0550 = +85 °C, in m°C as the kernel prints it. */
export const POWER_ON_MILLI_C = 85_000;
/** Scratchpad byte 6 (reserved, "count remain" on older parts) reads 0x0C at power-on. */
export const POWER_ON_BYTE6 = 0x0c;
/** Configuration register values for 9/10/11/12-bit resolution (Figure 10, Table 2). */
export const CONFIG_BYTES = [0x1f, 0x3f, 0x5f, 0x7f] as const;
/** Maximum conversion time at 12 bits (Table 2, t_CONV): wait at least this long before a retry. */
export const CONVERSION_MAX_MS = 750;
/** Temperature register counts per °C: 1 LSB = 1/16 °C (Table 1; lower resolutions leave low bits undefined). */
export const COUNTS_PER_C = 16;
/** Measuring range −55…+125 °C, in m°C. */
export const MIN_MILLI_C = -55_000;
export const MAX_MILLI_C = 125_000;

/** One parsed `w1_slave` file. */
export interface W1SlaveText {
  /** The 9 scratchpad bytes of line 1. */
  scratchpad: Uint8Array;
  /** Kernel CRC verdict (`YES` / `NO`). */
  isCrcOk: boolean;
  /** CRC the kernel computed, from `crc=XX`. */
  crc: number;
  /** `t=` of line 2, m°C. */
  milliC: number;
}

const LINE1 = /^((?:[0-9a-f]{2} ){9}): crc=([0-9a-f]{2}) (YES|NO)$/i;
const LINE2 = /^((?:[0-9a-f]{2} ){9})t=(-?\d+)$/i;

/**
 * Parse the two lines of a `w1_slave` file.
 * @throws {MalformedFrameError} when a line is missing or does not have the kernel's format.
 */
export function parseW1Slave(text: string, sensor = 'ds18b20'): W1SlaveText {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  if (lines.length < 2) throw new MalformedFrameError(sensor, `w1_slave has ${lines.length} line(s), expected 2 (scratchpad + crc, then t=)`);
  const m1 = LINE1.exec(lines[0]);
  if (!m1) throw new MalformedFrameError(sensor, `line 1 ${JSON.stringify(lines[0])}: expected 9 hex bytes then ": crc=XX YES|NO"`);
  const m2 = LINE2.exec(lines[1]);
  if (!m2) throw new MalformedFrameError(sensor, `line 2 ${JSON.stringify(lines[1])}: expected 9 hex bytes then "t=<m°C>"`);
  const scratchpad = Uint8Array.from(m1[1].trim().split(' ').map((h) => parseInt(h, 16)));
  return { scratchpad, isCrcOk: m1[3].toUpperCase() === 'YES', crc: parseInt(m1[2], 16), milliC: Number(m2[2]) };
}

/** Dallas/Maxim CRC-8 (x⁸+x⁵+x⁴+1, LSB first, init 0) over `bytes` (data sheet "CRC Generation"). */
export function dallasCrc8(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    let b = byte;
    for (let i = 0; i < 8; i++) {
      const mix = (crc ^ b) & 0x01;
      crc >>= 1;
      if (mix) crc ^= 0x8c;
      b >>= 1;
    }
  }
  return crc;
}

/**
 * Temperature in m°C from scratchpad bytes 0 (LSB) and 1 (MSB), a two's-complement count of 1/16 °C
 * (Table 1), truncated toward zero exactly as the kernel computes `t=` (so odd counts match it).
 */
export function scratchpadMilliC(scratchpad: Uint8Array): number {
  const raw = ((scratchpad[1] << 8) | scratchpad[0]) << 16 >> 16; // sign-extend 16 bits
  return Math.trunc((raw * 1000) / COUNTS_PER_C);
}

/**
 * Whether the kernel's `t=` agrees with the scratchpad's temperature: equal, or equal to it read as
 * unsigned 16 bits (the kernel bug that prints −0.5 °C as t=4095500).
 */
export function isTConsistent(tMilliC: number, scratchpad: Uint8Array): boolean {
  const milliC = scratchpadMilliC(scratchpad);
  const unsigned = Math.trunc((((scratchpad[1] << 8) | scratchpad[0]) * 1000) / COUNTS_PER_C);
  return tMilliC === milliC || tMilliC === unsigned;
}

/** Context for the power-on check: the previous accepted reading, m°C. */
export interface Ds18b20Context {
  previousMilliC?: number;
  /** A genuine 85 °C is plausible when the previous reading is within this many m°C (default 5000). */
  plausibleDeltaMilliC?: number;
}

/**
 * Decide whether a `w1_slave` text holds a storable temperature. The temperature comes from the
 * CRC-checked scratchpad of line 1, never from `t=` alone: `t=` is only cross-checked (some kernels
 * print it unsigned, t=4086000 for −10 °C, which is accepted as −10 °C). Rejected: CRC `NO` (or a CRC
 * that does not match the scratchpad), a configuration byte other than 0x1F/0x3F/0x5F/0x7F (catches
 * the all-zero frame whose CRC is 0), a `t=` that matches the scratchpad neither signed nor unsigned
 * (`malformed`), a temperature outside −55…125 °C, and the 85 °C power-on value when byte 6 is 0x0C
 * unless the previous reading makes 85 °C plausible.
 * @returns `tempC` in °C (scratchpad count × 1/16 °C, truncated to m°C as the kernel does).
 * @throws {MalformedFrameError} when the text is not a w1_slave file.
 */
export function decodeW1Slave(text: string, context: Ds18b20Context = {}, sensor = 'ds18b20'): Reading {
  const f = parseW1Slave(text, sensor);
  const sp = f.scratchpad;
  const reject = (code: Problem['code'], message: string): Reading => ({ values: {}, problems: [{ code, metric: 'tempC', message }] });
  if (!f.isCrcOk) return reject('crc_mismatch', `kernel reports crc=${hex(f.crc)} NO (scratchpad CRC byte ${hex(sp[8])})`);
  const crc = dallasCrc8(sp.subarray(0, 8));
  if (crc !== sp[8]) return reject('crc_mismatch', `scratchpad CRC byte ${hex(sp[8])}, computed ${hex(crc)}`);
  if (!(CONFIG_BYTES as readonly number[]).includes(sp[4])) {
    return reject('invalid_config', `configuration byte ${hex(sp[4])}, expected 1f, 3f, 5f or 7f (not a DS18B20 conversion)`);
  }
  const milliC = scratchpadMilliC(sp);
  if (!isTConsistent(f.milliC, sp)) {
    return reject('malformed', `t=${f.milliC} disagrees with the scratchpad's ${milliC} m°C (bytes ${hex(sp[0])} ${hex(sp[1])})`);
  }
  if (milliC < MIN_MILLI_C || milliC > MAX_MILLI_C) return reject('out_of_range', `${milliC} m°C outside −55…125 °C`);
  if (milliC === POWER_ON_MILLI_C && sp[6] === POWER_ON_BYTE6) {
    const prev = context.previousMilliC;
    const delta = context.plausibleDeltaMilliC ?? 5000;
    if (prev === undefined || Math.abs(prev - POWER_ON_MILLI_C) > delta) {
      return reject('power_on_reset', `t=85000 with byte 6 = 0c is the power-on value (no conversion ran)${prev === undefined ? '' : `; previous reading ${prev / 1000} °C`}`);
    }
  }
  return { values: { tempC: milliC / 1000 }, problems: [] };
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Options of a DS18B20 sensor. */
export interface Ds18b20Options {
  /** Device directory name (`28-0316a2795aff`); absent: the first `28-*` entry found. */
  device?: string;
  /** Devices directory, relative to the reader's root (default `bus/w1/devices` under /sys). */
  devicesDir: string;
}

/**
 * DS18B20 driver over a `SysfsReader`. A vanished device (ENOENT) is a `SensorMissingError`; with no
 * fixed `device`, the directory is rescanned for `28-*` entries only (the bus master and other
 * families are ignored). A power-on value is re-read once after ≥ 750 ms before it is reported.
 */
export class Ds18b20 implements SensorDriver {
  readonly metrics = ['tempC'] as const;
  private device?: string;
  private previousMilliC?: number;

  constructor(readonly id: string, private readonly fs: SysfsReader, private readonly sleep: Sleep, readonly options: Ds18b20Options) {
    this.device = options.device;
  }

  /** The device directory currently read, once known. */
  get deviceName(): string | undefined {
    return this.device;
  }

  /** Device directory names of the DS18B20 family under `devicesDir`. */
  async scan(): Promise<string[]> {
    let names: string[];
    try {
      names = await this.fs.list(this.options.devicesDir);
    } catch (err) {
      throw new SensorMissingError(this.id, `1-Wire directory ${this.options.devicesDir} not readable (w1-gpio overlay loaded?)`, { cause: err });
    }
    return names.filter((n) => n.startsWith(DS18B20_FAMILY_PREFIX)).sort();
  }

  async init(): Promise<void> {
    if (this.options.device) return;
    const found = await this.scan();
    if (found.length === 0) throw new SensorMissingError(this.id, `no ${DS18B20_FAMILY_PREFIX}* device in ${this.options.devicesDir}`);
    this.device = found[0];
  }

  async read(): Promise<Reading> {
    if (!this.device) await this.init();
    let reading = await this.readOnce();
    if (reading.problems.some((p) => p.code === 'power_on_reset')) {
      await this.sleep(CONVERSION_MAX_MS);
      reading = await this.readOnce();
    }
    if (reading.values.tempC !== undefined) this.previousMilliC = Math.round(reading.values.tempC * 1000);
    return reading;
  }

  private async readOnce(): Promise<Reading> {
    const path = `${this.options.devicesDir}/${this.device}/w1_slave`;
    let text: string;
    try {
      text = await this.fs.readText(path);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (!this.options.device) this.device = undefined; // rescan next time
      if (code === 'ENOENT' || code === 'ENODEV') throw new SensorMissingError(this.id, `${path} is gone (${code})`, { cause: err });
      throw new SensorError(this.id, `reading ${path} failed: ${(err as Error).message}`, { cause: err });
    }
    return decodeW1Slave(text, { previousMilliC: this.previousMilliC }, this.id);
  }

  async close(): Promise<void> {}
}
