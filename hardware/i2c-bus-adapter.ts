/**
 * Opens `/dev/i2c-N` through the optional `i2c-bus` package, loaded lazily so the agent runs where
 * it is not installed (no I²C sensors configured, or not a Pi). Its `PromisifiedBus` satisfies
 * `I2cBus` as is; errors keep their Node `code` (EREMOTEIO, ETIMEDOUT, …) for `toSensorError`.
 */
import { access, constants } from 'node:fs/promises';
import { SensorSetupError } from '../sensors/errors.js';
import type { I2cBus } from '../sensors/ports.js';

/** @throws {SensorSetupError} when i2c-bus is missing or the bus device cannot be opened. */
export async function openI2cBus(busNumber: number): Promise<I2cBus> {
  let mod: { openPromisified(n: number): Promise<I2cBus> };
  try {
    const name = 'i2c-bus'; // a variable specifier: the package ships no types and is optional
    mod = (await import(name)) as unknown as typeof mod;
    mod = (mod as unknown as { default?: typeof mod }).default ?? mod;
  } catch (err) {
    throw new SensorSetupError(`i2c-${busNumber}`, `the optional package i2c-bus is not available (${(err as Error).message})`, { cause: err });
  }
  try {
    // i2c-bus opens the device file lazily per address (and its scan swallows errors), so check it here.
    await access(`/dev/i2c-${busNumber}`, constants.R_OK | constants.W_OK);
    return await mod.openPromisified(busNumber);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const hint = code === 'ENOENT' ? ' (enable I2C: raspi-config nonint do_i2c 0)' : code === 'EACCES' ? ' (add the user to group i2c)' : '';
    throw new SensorSetupError(`i2c-${busNumber}`, `cannot open /dev/i2c-${busNumber}: ${code ?? (err as Error).message}${hint}`, { cause: err });
  }
}
