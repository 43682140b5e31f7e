/**
 * Composition of the sampler for `sensorctl run`: builds the real adapters (i2c-bus, onoff, sysfs,
 * Node timers), one driver per configured sensor (a simulated one when none are configured, which
 * the log says), the clock guard seeded with the newest stored sample, and starts the loops.
 *
 * @example
 * const sampler = await startSampler({ deviceId: config.deviceId, sensors: config.sensors, buffer, log });
 * // … on SIGTERM:
 * await sampler.stop();
 */
import { systemClock } from '../platform/system-clock.js';
import type { Clock, Logger } from '../builder/ports.js';
import { createSensor, type SensorDeps } from './create-sensor.js';
import { fsSysfsReader } from '../hardware/fs-sysfs-reader.js';
import { openI2cBus } from '../hardware/i2c-bus-adapter.js';
import { createOnoffEdgeSource } from '../hardware/onoff-edge-source.js';
import type { EdgeSource } from '../sensors/gpio-ports.js';
import type { I2cBus } from '../sensors/ports.js';
import { metricsOf, seriesOf, type SensorConfig } from '../agent/config/sensor-config.js';
import { GPIO_SYSFS_ROOT, SysfsGpio } from '../sensors/sysfs-gpio.js';
import { nodeGpioFiles } from '../hardware/node-gpio-files.js';
import { BUILD_DATE_MS } from '../agent/sampling/build-info.js';
import { ClockGuard } from '../agent/sampling/clock-guard.js';
import type { SampleBuffer } from '../agent/buffer/ports.js';
import { Sampler, type FailurePolicy, type SampledSensor } from '../agent/sampling/sampler.js';
import type { MonotonicScheduler } from '../agent/sampling/ports.js';
import { nodeMonotonicScheduler } from '../platform/node-monotonic-scheduler.js';


/** The sensor used when the config declares none. */
export const DEFAULT_SIMULATED: SensorConfig = { type: 'simulated', id: 'sim', intervalMs: 10_000, series: {}, seed: 1, metrics: ['tempC', 'rhPct', 'pressurePa'] };

export interface StartSamplerOptions {
  deviceId: string;
  /** From `Config.sensors`; empty → one simulated sensor. */
  sensors: readonly SensorConfig[];
  buffer: SampleBuffer;
  log: Logger;
  clock?: Clock;
  scheduler?: MonotonicScheduler;
  /** Overrides of the real adapters (tests, `--gpio-root`). */
  deps?: Partial<SensorDeps>;
  /** Optional NTP-sync signal for the clock guard. */
  isClockSynchronized?: () => boolean;
  buildDateMs?: number;
  policy?: Partial<FailurePolicy>;
}

export interface RunningSampler {
  sampler: Sampler;
  guard: ClockGuard;
  /** Stop sampling, close drivers and the I²C buses opened here. */
  stop(): Promise<void>;
}

/** Build and start the sampler. Never throws for a sensor fault: those show in status. */
export async function startSampler(options: StartSamplerOptions): Promise<RunningSampler> {
  const clock = options.clock ?? systemClock;
  const scheduler = options.scheduler ?? nodeMonotonicScheduler;
  let configs = options.sensors;
  if (configs.length === 0) {
    options.log.info('no sensors configured: sampling a simulated sensor (add a "sensors" array to the config file)', { sensor: DEFAULT_SIMULATED.id });
    configs = [DEFAULT_SIMULATED];
  }
  const buses = new Map<number, Promise<I2cBus>>();
  let edges: Promise<EdgeSource> | undefined;
  const deps: SensorDeps = {
    i2cBus: (busNumber) => {
      let bus = buses.get(busNumber);
      if (!bus) {
        bus = openI2cBus(busNumber);
        bus.catch(() => buses.delete(busNumber)); // retried at the next init
        buses.set(busNumber, bus);
      }
      return bus;
    },
    sleep: (ms) => new Promise((resolve) => scheduler.schedule(ms, () => resolve())),
    sysfs: fsSysfsReader('/'),
    gpio: new SysfsGpio(GPIO_SYSFS_ROOT, nodeGpioFiles),
    edgeSource: () => (edges ??= createOnoffEdgeSource()),
    state: options.buffer,
    clock,
    ...options.deps,
  };
  const sensors: SampledSensor[] = configs.map((config) => {
    const series = seriesOf(config, options.deviceId);
    return {
      driver: createSensor(config, metricsOf(config), deps),
      type: config.type,
      intervalMs: config.intervalMs,
      series: new Map(series.map((s) => [s.metric, s])),
    };
  });
  const guard = new ClockGuard({
    buildDateMs: options.buildDateMs ?? BUILD_DATE_MS,
    newestStoredMs: options.buffer.newestTsMs(options.deviceId),
    isSynchronized: options.isClockSynchronized,
    log: options.log,
  });
  const sampler = new Sampler({ deviceId: options.deviceId, buffer: options.buffer, clock, scheduler, log: options.log, guard, sensors, policy: options.policy });
  sampler.start();
  return {
    sampler,
    guard,
    async stop() {
      await sampler.stop();
      for (const bus of buses.values()) await bus.then((b) => b.close()).catch(() => undefined);
    },
  };
}
