/**
 * A fake I²C bus for tests. It EMULATES — there is no real peer for an I²C bus in a test — the
 * `i2c-bus` PromisifiedBus methods the drivers use, and the register maps / command sets of:
 * - BME280/BMP280 (`FakeBme280`): id 0xD0, reset 0xE0 (and `powerOnReset()`, a brown-out: control
 *   registers and data back at power-on values, status.im_update set for one read), calibration 0x88–0xA1 and 0xE1–0xE7 (bytes
 *   given, e.g. from ../shared/vectors), ctrl_hum latched only by a ctrl_meas write, status.measuring
 *   set for a number of status reads after a forced trigger, data registers 0xF7–0xFE holding the
 *   skip values (80 00 00) until a measurement ran, skipped channels (osrs = 0) written as 0x80000 /
 *   0x8000, forced mode falling back to sleep after the conversion.
 * - SHT3x (`FakeSht3x`) and SHT4x (`FakeSht4x`): single-shot commands answered with 6-byte frames
 *   carrying correct CRC-8s (optionally corrupted), read NACKed when no measurement is pending,
 *   unknown commands NACKed, SHT3x status register and SHT4x serial number.
 * - BH1750 (`FakeBh1750`): opcodes power down/on/reset, continuous/one-time H/H2/L, the two MTreg
 *   opcodes; 2-byte result.
 * Faults: `failNext(addr, errno, n)` makes the next n transfers to addr throw a Node-style error
 * (EREMOTEIO = NACK, EIO, ETIMEDOUT, ENXIO); `flaky(addr, rate, random)` makes each transfer to addr
 * fail with probability `rate`, as EREMOTEIO or EIO (half each), drawn from a seeded `random` so a run
 * repeats exactly (a failed transfer has no effect on the chip); `absent` devices NACK everything and are not found
 * by scan; `stuck(addr, reg, bytes)` pins a register range to fixed bytes. Every transfer is
 * recorded in `log` for order assertions.
 */
import type { I2cBus } from '../../sensors/ports.js';
import { crc8 } from '../../sensors/sensirion.js';

export function busError(code: string, message = code): Error {
  return Object.assign(new Error(`${message}, ${code}`), { code, errno: code });
}

/** One emulated chip. Unsupported transfers NACK (EREMOTEIO). */
export interface FakeDevice {
  readReg?(reg: number): number;
  writeReg?(reg: number, byte: number): void;
  command?(bytes: Uint8Array): void;
  read?(length: number): Uint8Array;
}

export class FakeI2cBus implements I2cBus {
  readonly devices = new Map<number, FakeDevice>();
  readonly log: string[] = [];
  private readonly faults = new Map<number, { errno: string; remaining: number }>();
  private readonly stucks: Array<{ addr: number; reg: number; bytes: number[] }> = [];
  private readonly flakes = new Map<number, { rate: number; random: () => number }>();
  /** Transfers attempted and failed by `flaky`, per address. */
  readonly flakyCounts = new Map<number, { transfers: number; failed: number }>();
  readonly absent = new Set<number>();
  private pointer = new Map<number, number>();
  isClosed = false;

  add(addr: number, device: FakeDevice): this {
    this.devices.set(addr, device);
    return this;
  }
  /** The next `count` transfers to `addr` fail with `errno`. */
  failNext(addr: number, errno: string, count = 1): void {
    this.faults.set(addr, { errno, remaining: count });
  }
  /** Each transfer to `addr` fails with probability `rate` (0 stops it), as EREMOTEIO or EIO. */
  flaky(addr: number, rate: number, random: () => number): void {
    if (rate <= 0) this.flakes.delete(addr);
    else this.flakes.set(addr, { rate, random });
  }
  /** Registers `reg…` of `addr` read as `bytes` whatever the chip holds. */
  stuck(addr: number, reg: number, bytes: number[]): void {
    this.stucks.push({ addr, reg, bytes });
  }

  private device(addr: number, op: string): FakeDevice {
    this.log.push(op);
    const f = this.faults.get(addr);
    if (f && f.remaining > 0) {
      f.remaining--;
      throw busError(f.errno, `${op} on 0x${addr.toString(16)}`);
    }
    const flake = this.flakes.get(addr);
    if (flake) {
      const c = this.flakyCounts.get(addr) ?? { transfers: 0, failed: 0 };
      this.flakyCounts.set(addr, c);
      c.transfers++;
      const draw = flake.random();
      if (draw < flake.rate) {
        c.failed++;
        throw busError(draw < flake.rate / 2 ? 'EREMOTEIO' : 'EIO', `${op} on 0x${addr.toString(16)}`);
      }
    }
    const d = this.devices.get(addr);
    if (!d || this.absent.has(addr)) throw busError('EREMOTEIO', `no ACK from 0x${addr.toString(16)}`);
    return d;
  }
  private reg(addr: number, d: FakeDevice, reg: number): number {
    for (const s of this.stucks) if (s.addr === addr && reg >= s.reg && reg < s.reg + s.bytes.length) return s.bytes[reg - s.reg];
    if (!d.readReg) throw busError('EREMOTEIO', 'register read not supported');
    return d.readReg(reg) & 0xff;
  }

  async readI2cBlock(addr: number, cmd: number, length: number, buffer: Buffer) {
    const d = this.device(addr, `readI2cBlock 0x${cmd.toString(16)} ${length}`);
    for (let i = 0; i < length; i++) buffer[i] = this.reg(addr, d, cmd + i);
    return { bytesRead: length, buffer };
  }
  async readByte(addr: number, cmd: number) {
    const d = this.device(addr, `readByte 0x${cmd.toString(16)}`);
    return this.reg(addr, d, cmd);
  }
  async writeByte(addr: number, cmd: number, byte: number) {
    const d = this.device(addr, `writeByte 0x${cmd.toString(16)}=0x${byte.toString(16)}`);
    if (!d.writeReg) throw busError('EREMOTEIO', 'register write not supported');
    d.writeReg(cmd, byte);
  }
  async sendByte(addr: number, byte: number) {
    const d = this.device(addr, `sendByte 0x${byte.toString(16)}`);
    if (!d.command) throw busError('EREMOTEIO', 'command not supported');
    d.command(Uint8Array.of(byte));
  }
  async i2cWrite(addr: number, length: number, buffer: Buffer) {
    const bytes = new Uint8Array(buffer.subarray(0, length));
    const d = this.device(addr, `i2cWrite ${Buffer.from(bytes).toString('hex')}`);
    if (d.command) d.command(bytes);
    else if (length === 1) this.pointer.set(addr, bytes[0]);
    else if (d.writeReg) for (let i = 1; i < length; i += 2) d.writeReg(bytes[i - 1], bytes[i]);
    return { bytesWritten: length, buffer };
  }
  async i2cRead(addr: number, length: number, buffer: Buffer) {
    const d = this.device(addr, `i2cRead ${length}`);
    if (d.read) buffer.set(d.read(length).subarray(0, length));
    else {
      const p = this.pointer.get(addr) ?? 0;
      for (let i = 0; i < length; i++) buffer[i] = this.reg(addr, d, p + i);
    }
    return { bytesRead: length, buffer };
  }
  async scan(startAddr = 0x03, endAddr = 0x77) {
    this.log.push('scan');
    return [...this.devices.keys()].filter((a) => a >= startAddr && a <= endAddr && !this.absent.has(a)).sort((a, b) => a - b);
  }
  async close() {
    this.isClosed = true;
  }
}

/** A seeded pseudo-random generator in [0, 1) (mulberry32), so fault runs repeat exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** BME280 (chipId 0x60) or BMP280 (0x58) register file. Set `sample` to the 8 data bytes the next conversion produces. */
export class FakeBme280 implements FakeDevice {
  readonly regs = new Uint8Array(256);
  /** Data a conversion writes to 0xF7–0xFE (press msb…hum lsb), before skip masking. */
  sample: number[];
  /** Status reads that still show measuring = 1 after a forced trigger. */
  measuringReads = 1;
  private measuringLeft = 0;
  /** Status reads that still show im_update = 1 (NVM being copied) after a reset. */
  private imUpdateLeft = 0;
  private latchedCtrlHum = 0;
  conversions = 0;

  constructor(readonly chipId: number, calib00: number[], calib26: number[], sample: number[]) {
    this.regs.set(calib00, 0x88);
    if (chipId === 0x60) this.regs.set(calib26, 0xe1);
    this.regs[0xd0] = chipId;
    this.sample = sample;
    this.powerOnReset();
  }
  /** Power-on reset (a brown-out, or the soft reset 0xB6): registers back to their power-on values; calibration (NVM) stays. */
  powerOnReset(): void {
    this.regs.fill(0, 0xf2, 0xf6);
    this.regs.set([0x80, 0x00, 0x00, 0x80, 0x00, 0x00], 0xf7);
    if (this.chipId === 0x60) this.regs.set([0x80, 0x00], 0xfd);
    this.latchedCtrlHum = 0;
    this.measuringLeft = 0;
    this.imUpdateLeft = 1; // status.im_update is set while the NVM is copied to the image registers (§5.4.4)
  }
  readReg(reg: number): number {
    if (reg === 0xf3) {
      const measuring = this.measuringLeft > 0 ? 1 : 0;
      if (this.measuringLeft > 0 && --this.measuringLeft === 0) this.finishConversion();
      const imUpdate = this.imUpdateLeft > 0 ? 1 : 0;
      if (imUpdate) this.imUpdateLeft--;
      return (measuring << 3) | imUpdate;
    }
    if (this.chipId !== 0x60 && (reg === 0xf2 || reg >= 0xfd || (reg >= 0xe1 && reg <= 0xf0))) return 0;
    return this.regs[reg];
  }
  writeReg(reg: number, byte: number): void {
    if (reg === 0xe0) {
      if (byte === 0xb6) this.powerOnReset();
      return;
    }
    if (reg === 0xf2 || reg === 0xf5) this.regs[reg] = byte;
    if (reg === 0xf4) {
      this.regs[reg] = byte;
      this.latchedCtrlHum = this.regs[0xf2] & 0x07; // ctrl_hum becomes effective with ctrl_meas (§5.4.3)
      const mode = byte & 0x03;
      if (mode === 0b01 || mode === 0b10) {
        this.measuringLeft = this.measuringReads;
        if (this.measuringLeft === 0) this.finishConversion();
      } else if (mode === 0b11) this.finishConversion(false);
    }
  }
  private finishConversion(backToSleep = true): void {
    this.conversions++;
    const osrsT = (this.regs[0xf4] >> 5) & 7;
    const osrsP = (this.regs[0xf4] >> 2) & 7;
    const s = this.sample;
    this.regs.set(osrsP ? s.slice(0, 3) : [0x80, 0, 0], 0xf7);
    this.regs.set(osrsT ? s.slice(3, 6) : [0x80, 0, 0], 0xfa);
    if (this.chipId === 0x60) this.regs.set(this.latchedCtrlHum ? s.slice(6, 8) : [0x80, 0], 0xfd);
    if (backToSleep) this.regs[0xf4] &= ~0x03;
  }
}

const word = (raw: number): number[] => {
  const w = [raw >> 8, raw & 0xff];
  return [...w, crc8(Uint8Array.from(w))];
};

/** SHT3x: set `rawT`/`rawRh`; `corrupt` flips the CRC byte of a word in the next frames. */
export class FakeSht3x implements FakeDevice {
  rawT = 0x648b;
  rawRh = 0x5eb9;
  corrupt: 'none' | 'temperature' | 'humidity' = 'none';
  /** Exact frame to return instead (e.g. a recorded one). */
  frame?: number[];
  private pending?: number[];
  readonly commands: string[] = [];
  command(bytes: Uint8Array): void {
    const hex = Buffer.from(bytes).toString('hex');
    this.commands.push(hex);
    if (['2400', '240b', '2416'].includes(hex)) this.pending = this.frame ?? this.measurement();
    else if (hex === 'f32d') this.pending = word(0x0000);
    else if (hex !== '30a2') throw busError('EREMOTEIO', `command 0x${hex} not acknowledged`);
  }
  protected measurement(): number[] {
    const t = word(this.rawT);
    const h = word(this.rawRh);
    if (this.corrupt === 'temperature') t[2] ^= 0x01;
    if (this.corrupt === 'humidity') h[2] ^= 0x01;
    return [...t, ...h];
  }
  read(length: number): Uint8Array {
    const p = this.pending;
    if (!p) throw busError('EREMOTEIO', 'read header NACKed: no measurement pending');
    this.pending = undefined;
    return Uint8Array.from(p.slice(0, length));
  }
}

/** SHT4x: one-byte commands (0xFD/0xF6/0xE0 measure, 0x89 serial, 0x94 reset). */
export class FakeSht4x extends FakeSht3x {
  serial = 0x0c0ffee0;
  private pending4?: number[];
  override command(bytes: Uint8Array): void {
    const hex = Buffer.from(bytes).toString('hex');
    this.commands.push(hex);
    if (bytes.length !== 1) throw busError('EREMOTEIO', `command 0x${hex} not acknowledged`);
    if ([0xfd, 0xf6, 0xe0].includes(bytes[0])) this.pending4 = this.frame ?? this.measurement();
    else if (bytes[0] === 0x89) this.pending4 = [...word(this.serial >>> 16), ...word(this.serial & 0xffff)];
    else if (bytes[0] !== 0x94) throw busError('EREMOTEIO', `command 0x${hex} not acknowledged`);
  }
  override read(length: number): Uint8Array {
    const p = this.pending4;
    if (!p) throw busError('EREMOTEIO', 'read header NACKed: no measurement pending');
    this.pending4 = undefined;
    return Uint8Array.from(p.slice(0, length));
  }
}

/** BH1750: tracks power, mode and MTreg from the opcodes; `raw` is the count the next result holds. */
export class FakeBh1750 implements FakeDevice {
  raw = 0x8390;
  isPoweredOn = false;
  mode?: number;
  mtreg = 69;
  private mtHigh = 0x40 | (69 >> 5);
  measurements = 0;
  readonly opcodes: number[] = [];
  command(bytes: Uint8Array): void {
    const op = bytes[0];
    this.opcodes.push(op);
    if (op === 0x00) this.isPoweredOn = false;
    else if (op === 0x01) this.isPoweredOn = true;
    else if (op === 0x07) { if (!this.isPoweredOn) throw busError('EREMOTEIO', 'reset while powered down'); }
    else if ((op & 0xf8) === 0x40) this.mtHigh = op;
    else if ((op & 0xe0) === 0x60) this.mtreg = ((this.mtHigh & 0x07) << 5) | (op & 0x1f);
    else if ([0x10, 0x11, 0x13, 0x20, 0x21, 0x23].includes(op)) {
      this.mode = op;
      this.isPoweredOn = true;
      this.measurements++;
    } else throw busError('EREMOTEIO', `opcode 0x${op.toString(16)} not acknowledged`);
  }
  read(): Uint8Array {
    if (this.mode !== undefined && (this.mode & 0x20)) this.isPoweredOn = false; // one-time: power down after
    return Uint8Array.of(this.raw >> 8, this.raw & 0xff);
  }
}
