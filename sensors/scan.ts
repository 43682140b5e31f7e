/**
 * `sensorctl scan` core: list the addresses that acknowledge (like `i2cdetect`, 0x03–0x77) and
 * identify known chips by their id registers or id commands. Only addresses a known chip can have
 * are probed beyond the scan, and only with reads or that chip's harmless id command.
 */
import { CHIP_ID_BME280, CHIP_ID_BMP280, REG_ID } from './bme280/registers.js';
import { BH1750_POWER_DOWN } from './bh1750.js';
import type { I2cBus, Sleep } from './ports.js';
import { checkWord } from './sensirion.js';
import { SHT3X_CMD_READ_STATUS } from './sht3x.js';
import { SHT4X_CMD_READ_SERIAL } from './sht4x.js';

/** One device found by `scanBus`. */
export interface ScanEntry {
  address: number;
  /** `bme280`, `bmp280`, `sht3x`, `sht4x`, `bh1750?` (no id register), or `unknown`. */
  chip: string;
  detail: string;
}

const hex = (n: number) => '0x' + n.toString(16).padStart(2, '0');

async function identify(bus: I2cBus, addr: number, sleep: Sleep): Promise<Omit<ScanEntry, 'address'>> {
  if (addr === 0x76 || addr === 0x77) {
    try {
      const id = await bus.readByte(addr, REG_ID);
      if (id === CHIP_ID_BME280) return { chip: 'bme280', detail: `id register 0xD0 = ${hex(id)}` };
      if (id === CHIP_ID_BMP280) return { chip: 'bmp280', detail: `id register 0xD0 = ${hex(id)}` };
      return { chip: 'unknown', detail: `id register 0xD0 = ${hex(id)} (0x61 would be a BME680)` };
    } catch (err) {
      return { chip: 'unknown', detail: `id register not readable (${(err as { code?: string }).code ?? err})` };
    }
  }
  if (addr >= 0x44 && addr <= 0x46) {
    try {
      await bus.i2cWrite(addr, 1, Buffer.of(SHT4X_CMD_READ_SERIAL));
      await sleep(1);
      const b = Buffer.alloc(6);
      await bus.i2cRead(addr, 6, b);
      const hi = checkWord(b.subarray(0, 3));
      const lo = checkWord(b.subarray(3, 6));
      if (hi.ok && lo.ok) return { chip: 'sht4x', detail: `serial number 0x${((hi.raw << 16) | lo.raw).toString(16).padStart(8, '0')}` };
    } catch {
      /* not an SHT4x */
    }
    try {
      await bus.i2cWrite(addr, 2, Buffer.from(SHT3X_CMD_READ_STATUS));
      await sleep(1);
      const b = Buffer.alloc(3);
      await bus.i2cRead(addr, 3, b);
      const st = checkWord(b);
      if (st.ok) return { chip: 'sht3x', detail: `status register 0x${st.raw.toString(16).padStart(4, '0')} (CRC ok)` };
    } catch {
      /* not an SHT3x */
    }
    return { chip: 'unknown', detail: 'answers at a Sensirion address but neither SHT4x serial nor SHT3x status has a valid CRC' };
  }
  if (addr === 0x23 || addr === 0x5c) {
    try {
      await bus.sendByte(addr, BH1750_POWER_DOWN);
      return { chip: 'bh1750?', detail: 'BH1750 address, power-down opcode acknowledged (the chip has no id register)' };
    } catch {
      return { chip: 'unknown', detail: 'BH1750 address, but the power-down opcode was not acknowledged' };
    }
  }
  return { chip: 'unknown', detail: 'no known sensor uses this address' };
}

/** Scan `bus` (0x03–0x77) and identify each responding device. */
export async function scanBus(bus: I2cBus, sleep: Sleep): Promise<ScanEntry[]> {
  const found = await bus.scan(0x03, 0x77);
  const out: ScanEntry[] = [];
  for (const address of found) out.push({ address, ...(await identify(bus, address, sleep)) });
  return out;
}

/** The `i2cdetect`-style grid: `--` nothing, `76` a device. */
export function formatGrid(addresses: readonly number[]): string {
  const lines = ['     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f'];
  for (let row = 0; row < 0x80; row += 16) {
    let line = `${row.toString(16).padStart(2, '0')}:`;
    for (let col = 0; col < 16; col++) {
      const a = row + col;
      line += a < 0x03 || a > 0x77 ? '   ' : addresses.includes(a) ? ` ${a.toString(16).padStart(2, '0')}` : ' --';
    }
    lines.push(line.trimEnd());
  }
  return lines.join('\n');
}
