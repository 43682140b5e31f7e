/**
 * `sensorctl scan [--bus N]`: probe an I²C bus like `i2cdetect -y N` and name the known chips
 * (BME280/BMP280 by id register, SHT4x by serial, SHT3x by status register, BH1750 by address).
 * Exit 0 when the scan ran (even if empty), 1 when the bus cannot be opened, 2 for a bad option.
 */
import type { Command } from 'commander';
import { openI2cBus } from '../../hardware/i2c-bus-adapter.js';
import type { I2cBus } from '../../sensors/ports.js';
import { formatGrid, scanBus } from '../../sensors/scan.js';
import { EXIT_FAILURE, UsageError, globalOptions, output } from '../context.js';

/** What `sensorctl scan` needs from the outside (tests inject a fake bus). */
export interface ScanDeps {
  /** Open `/dev/i2c-<busNumber>`. */
  openBus(busNumber: number): Promise<I2cBus>;
}

export function register(program: Command, deps: ScanDeps = { openBus: openI2cBus }): void {
  program
    .command('scan')
    .description('probe an I2C bus like i2cdetect and identify known sensor chips')
    .option('--bus <n>', 'I2C bus number (/dev/i2c-N)', '1')
    .addHelpText('after', '\nExample:\n  sensorctl scan --bus 1\n  sensorctl scan --json')
    .action(async (opts: { bus: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      if (!/^\d{1,3}$/.test(opts.bus)) throw new UsageError(`--bus ${opts.bus}: expected a bus number like 1`);
      const n = Number(opts.bus);
      let bus: I2cBus;
      try {
        bus = await deps.openBus(n);
      } catch (err) {
        process.stderr.write(`sensorctl scan: ${(err as Error).message}\n`);
        process.exitCode = EXIT_FAILURE;
        return;
      }
      try {
        const entries = await scanBus(bus, (ms) => new Promise((r) => setTimeout(r, ms)));
        output(g, { bus: n, devices: entries.map((e) => ({ address: `0x${e.address.toString(16).padStart(2, '0')}`, chip: e.chip, detail: e.detail })) }, () => {
          const list = entries.map((e) => `0x${e.address.toString(16).padStart(2, '0')}  ${e.chip.padEnd(8)} ${e.detail}`);
          return [formatGrid(entries.map((e) => e.address)), '', list.length ? list.join('\n') : `no device answered on bus ${n}`].join('\n');
        });
      } finally {
        await bus.close();
      }
    });
}
