/**
 * Build a driver from a validated `SensorConfig` over injected adapters (real ones from
 * `pi/sampler-runtime.ts`, fakes in tests). Pure wiring: no I/O until `init()`.
 */
import type { Clock } from '../builder/ports.js';
import { Bh1750 } from '../sensors/bh1750.js';
import { Bme280 } from '../sensors/bme280/bme280.js';
import type { SensorDriver } from '../sensors/driver.js';
import { Ds18b20 } from '../sensors/ds18b20.js';
import { SensorSetupError } from '../sensors/errors.js';
import { DigitalInputSensor, PulseCounterSensor } from '../sensors/gpio-inputs.js';
import type { EdgeSource } from '../sensors/gpio-ports.js';
import type { I2cBus, Sleep, SysfsReader } from '../sensors/ports.js';
import type { StateStore } from '../sensors/pulse-counter.js';
import type { SensorConfig } from '../agent/config/sensor-config.js';
import { Sht3x } from '../sensors/sht3x.js';
import { Sht4x } from '../sensors/sht4x.js';
import { SimulatedSensor } from '../sensors/simulated.js';
import type { SysfsGpio } from '../sensors/sysfs-gpio.js';

/** The adapters drivers are built over. */
export interface SensorDeps {
  /** The I²C bus `n`, opened once and shared by the sensors on it. */
  i2cBus(n: number): Promise<I2cBus>;
  sleep: Sleep;
  /** Reads 1-Wire files; paths given are absolute. */
  sysfs: SysfsReader;
  gpio: SysfsGpio;
  edgeSource(): Promise<EdgeSource>;
  /** Durable state (pulse counts). */
  state?: StateStore;
  /** Wall clock for the simulated sensor. */
  clock: Clock;
}

/** A driver whose bus/pin is acquired lazily in `init()`, so one absent bus fails only its sensors. */
class Lazy implements SensorDriver {
  private inner?: SensorDriver;
  constructor(readonly id: string, readonly metrics: readonly string[], private readonly make: () => Promise<SensorDriver>) {}
  async init(): Promise<void> {
    this.inner ??= await this.make();
    await this.inner.init();
  }
  async read() {
    if (!this.inner) throw new SensorSetupError(this.id, 'read before init');
    return this.inner.read();
  }
  async close(): Promise<void> {
    await this.inner?.close();
  }
}

/** The driver for `c`; its `metrics` are the config's (see `metricsOf`). */
export function createSensor(c: SensorConfig, metrics: readonly string[], deps: SensorDeps): SensorDriver {
  const lazy = (make: () => Promise<SensorDriver>) => new Lazy(c.id, metrics, make);
  switch (c.type) {
    case 'bme280': case 'bmp280':
      return lazy(async () => new Bme280(c.id, await deps.i2cBus(c.bus), c.address, deps.sleep, { mode: c.mode, osrsT: c.osrsT, osrsP: c.osrsP, osrsH: c.osrsH, filter: c.filter, standbyMs: c.standbyMs }));
    case 'sht3x': return lazy(async () => new Sht3x(c.id, await deps.i2cBus(c.bus), c.address, deps.sleep, c.repeatability));
    case 'sht4x': return lazy(async () => new Sht4x(c.id, await deps.i2cBus(c.bus), c.address, deps.sleep, c.precision));
    case 'bh1750': return lazy(async () => new Bh1750(c.id, await deps.i2cBus(c.bus), c.address, deps.sleep, c.resolution, c.mtreg, c.continuous));
    case 'ds18b20': return new Ds18b20(c.id, deps.sysfs, deps.sleep, { device: c.device, devicesDir: c.w1Dir });
    case 'pulse':
      return lazy(async () => new PulseCounterSensor(c.id, deps.gpio, await deps.edgeSource(), { bcmPin: c.pin, edge: c.edge, debounceMs: c.debounceMs, countOn: c.countOn, metric: c.metric, factor: c.factor }, deps.state));
    case 'digital': return new DigitalInputSensor(c.id, deps.gpio, { bcmPin: c.pin, activeLow: c.activeLow });
    case 'simulated': return new SimulatedSensor(c.id, deps.clock, c.seed);
  }
}
