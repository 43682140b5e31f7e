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

/** The driver for `config`; its `metrics` are the config's (see `metricsOf`). */
export function createSensor(config: SensorConfig, metrics: readonly string[], deps: SensorDeps): SensorDriver {
  const lazy = (make: () => Promise<SensorDriver>) => new Lazy(config.id, metrics, make);
  switch (config.type) {
    case 'bme280': case 'bmp280':
      return lazy(async () => new Bme280(config.id, await deps.i2cBus(config.bus), config.address, deps.sleep, { mode: config.mode, osrsT: config.osrsT, osrsP: config.osrsP, osrsH: config.osrsH, filter: config.filter, standbyMs: config.standbyMs }));
    case 'sht3x': return lazy(async () => new Sht3x(config.id, await deps.i2cBus(config.bus), config.address, deps.sleep, config.repeatability));
    case 'sht4x': return lazy(async () => new Sht4x(config.id, await deps.i2cBus(config.bus), config.address, deps.sleep, config.precision));
    case 'bh1750': return lazy(async () => new Bh1750(config.id, await deps.i2cBus(config.bus), config.address, deps.sleep, config.resolution, config.mtreg, config.continuous));
    case 'ds18b20': return new Ds18b20(config.id, deps.sysfs, deps.sleep, { device: config.device, devicesDir: config.w1Dir });
    case 'pulse':
      return lazy(async () => new PulseCounterSensor(config.id, deps.gpio, await deps.edgeSource(), { bcmPin: config.pin, edge: config.edge, debounceMs: config.debounceMs, countOn: config.countOn, metric: config.metric, factor: config.factor }, deps.state));
    case 'digital': return new DigitalInputSensor(config.id, deps.gpio, { bcmPin: config.pin, activeLow: config.activeLow });
    case 'simulated': return new SimulatedSensor(config.id, deps.clock, config.seed);
  }
}
