/**
 * GPIO drivers: a debounced pulse counter (rain gauge, anemometer) and a plain digital input
 * (door/reed switch). Pins are BCM numbers, mapped to kernel numbers from the sysfs chip list
 * (`gpio-numbering.ts`). A pin that cannot be set up throws `SensorSetupError` (permanent): the
 * sampler disables only that input.
 */
import type { SensorDriver } from './driver.js';
import { kernelGpioNumber } from './gpio-numbering.js';
import type { EdgeSource, EdgeWatch } from './gpio-ports.js';
import { PulseCounter, type StateStore } from './pulse-counter.js';
import type { Reading } from './reading.js';
import type { SysfsGpio } from './sysfs-gpio.js';

/** How a pulse count becomes a value. */
export interface PulseScaling {
  /** Metric stored: `pulses`, `rainMm` (count × factor) or `windKmh` (pulse rate in Hz × factor). */
  metric: 'pulses' | 'rainMm' | 'windKmh';
  /** e.g. 0.2794 mm per tip; 2.4 km/h per Hz. 1 for raw pulses. */
  factor: number;
}

/** Pin, edge and debounce of a pulse counter, and how its count is scaled. */
export interface PulseCounterSensorOptions extends PulseScaling {
  bcmPin: number;
  edge: 'rising' | 'falling' | 'both';
  debounceMs: number;
  /** Level that marks a pulse (1: closing contact pulls high). */
  countOn: 0 | 1;
}

/** Kernel GPIO number of the options' BCM pin, exported and set as input. */
async function setUpInput(gpio: SysfsGpio, id: string, bcmPin: number, edge: string): Promise<{ kernel: number; how: string }> {
  const kernel = kernelGpioNumber(bcmPin, await gpio.listChips(), id);
  const how = await gpio.export(kernel, id);
  await gpio.setDirection(kernel, 'in', id);
  if (edge !== 'none') await gpio.setEdge(kernel, edge as 'both', id);
  return { kernel, how };
}

/** A debounced pulse counter on a BCM pin; each `read()` takes the pulses since the previous one. */
export class PulseCounterSensor implements SensorDriver {
  private counter?: PulseCounter;
  private watch?: EdgeWatch;
  private lastTakeMs?: number;
  /** Kernel GPIO number in use, after init. */
  kernelGpio?: number;

  constructor(
    readonly id: string,
    private readonly gpio: SysfsGpio,
    private readonly edges: EdgeSource,
    readonly options: PulseCounterSensorOptions,
    private readonly state?: StateStore,
  ) {}

  get metrics(): readonly string[] {
    return [this.options.metric];
  }

  async init(): Promise<void> {
    await this.close();
    const { kernel } = await setUpInput(this.gpio, this.id, this.options.bcmPin, this.options.edge);
    this.kernelGpio = kernel;
    const initial = await this.gpio.readValue(kernel);
    const counter = new PulseCounter(this.id, { debounceMs: this.options.debounceMs, countOn: this.options.countOn, initialLevel: initial, mode: this.options.edge === 'both' ? 'level' : 'edge' }, this.state);
    this.watch = await this.edges.watch(kernel, this.options.edge, (t, v) => counter.onEdge(t, v));
    this.counter = counter;
    this.lastTakeMs = this.edges.nowMs();
  }

  /** Pulses since the previous read, scaled: count × factor, or for `windKmh` pulses/s × factor. */
  async read(): Promise<Reading> {
    if (!this.counter) await this.init();
    const now = this.edges.nowMs();
    const pulses = this.counter!.take(now);
    const elapsedS = (now - (this.lastTakeMs ?? now)) / 1000;
    this.lastTakeMs = now;
    const { metric, factor } = this.options;
    if (metric === 'windKmh') {
      if (elapsedS <= 0) return { values: {}, problems: [] };
      return { values: { windKmh: (pulses / elapsedS) * factor }, problems: [] };
    }
    return { values: { [metric]: pulses * factor }, problems: [] };
  }

  async close(): Promise<void> {
    await this.watch?.close();
    this.watch = undefined;
  }
}

/** A plain input pin. */
export interface DigitalInputOptions {
  bcmPin: number;
  /** Report 1 for a low level (switch to ground with pull-up). */
  activeLow: boolean;
}

/** A digital input sampled on each read as a 0/1 `state` series. */
export class DigitalInputSensor implements SensorDriver {
  readonly metrics = ['state'] as const;
  kernelGpio?: number;

  constructor(readonly id: string, private readonly gpio: SysfsGpio, readonly options: DigitalInputOptions) {}

  async init(): Promise<void> {
    this.kernelGpio = (await setUpInput(this.gpio, this.id, this.options.bcmPin, 'none')).kernel;
  }

  async read(): Promise<Reading> {
    if (this.kernelGpio === undefined) await this.init();
    const v = await this.gpio.readValue(this.kernelGpio!);
    return { values: { state: this.options.activeLow ? 1 - v : v }, problems: [] };
  }

  async close(): Promise<void> {}
}
