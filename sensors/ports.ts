/**
 * Ports the drivers need. Adapters: `hardware/i2c-bus-adapter.ts` (the `i2c-bus` package),
 * `hardware/fs-sysfs-reader.ts` (node:fs), `hardware/onoff-edge-source.ts` (the `onoff` package);
 * `test/support/fake-i2c-bus.ts` and temp sysfs trees in tests.
 */

/**
 * The subset of `i2c-bus`'s `PromisifiedBus` the drivers use, same names and argument order, so the
 * real object satisfies it directly. Errors are Node system errors (`code` = `EREMOTEIO` for a NACK, …).
 */
export interface I2cBus {
  /** I²C block read of `length` (≤ 32) bytes starting at register `cmd`. */
  readI2cBlock(addr: number, cmd: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }>;
  /** SMBus read byte from register `cmd`. */
  readByte(addr: number, cmd: number): Promise<number>;
  /** SMBus write byte `byte` to register `cmd`. */
  writeByte(addr: number, cmd: number, byte: number): Promise<void>;
  /** SMBus send byte (a one-byte command without register). */
  sendByte(addr: number, byte: number): Promise<void>;
  /** Plain I²C write of `length` bytes (a Sensirion command). */
  i2cWrite(addr: number, length: number, buffer: Buffer): Promise<{ bytesWritten: number; buffer: Buffer }>;
  /** Plain I²C read of `length` bytes (a Sensirion or BH1750 result). */
  i2cRead(addr: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }>;
  /** Addresses that acknowledge, in [startAddr, endAddr] (default 0x03–0x77 like i2cdetect). */
  scan(startAddr?: number, endAddr?: number): Promise<number[]>;
  close(): Promise<void>;
}

/** Wait `ms` milliseconds (real timers in production, a virtual clock in tests). */
export type Sleep = (ms: number) => Promise<void>;

/** Read-only access to a sysfs-like tree; paths are relative to an injected root. */
export interface SysfsReader {
  /** File text; rejects with a `code: 'ENOENT'` error when it does not exist. */
  readText(path: string): Promise<string>;
  /** Directory entry names; rejects with `ENOENT` when absent. */
  list(path: string): Promise<string[]>;
}
