/**
 * The legacy GPIO sysfs interface (`/sys/class/gpio`, root injectable): list chips, export a line
 * (reusing one that is already exported, e.g. by a killed process: EBUSY), set direction and edge,
 * read the value. Linux Documentation/ABI/obsolete/sysfs-gpio. Adapter: translates errno into
 * `SensorSetupError`; no policy.
 */
import { join } from 'node:path';
import { SensorSetupError } from './errors.js';
import type { GpioChip } from './gpio-numbering.js';

/** The kernel's GPIO sysfs directory. */
export const GPIO_SYSFS_ROOT = '/sys/class/gpio';
/** Values of `gpioN/edge`. */
export type GpioEdge = 'none' | 'rising' | 'falling' | 'both';

/** File operations the driver uses. Adapter: `hardware/node-gpio-files.ts` (node:fs); tests pass an emulation of the kernel's export behaviour. */
export interface GpioFiles {
  readText(path: string): Promise<string>;
  writeText(path: string, text: string): Promise<void>;
  list(path: string): Promise<string[]>;
  exists(path: string): boolean;
}

/** The GPIO sysfs directory at `root` (default /sys/class/gpio), through `GpioFiles`. */
export class SysfsGpio {
  constructor(readonly root: string, private readonly files: GpioFiles) {}

  /** Every `gpiochipN` with its base, ngpio and label. */
  async listChips(): Promise<GpioChip[]> {
    const names = (await this.files.list(this.root)).filter((n) => /^gpiochip\d+$/.test(n));
    const chips: GpioChip[] = [];
    for (const name of names) {
      const read = (f: string) => this.files.readText(join(this.root, name, f)).then((t) => t.trim());
      chips.push({ name, base: Number(await read('base')), ngpio: Number(await read('ngpio')), label: await read('label') });
    }
    return chips.sort((a, b) => a.base - b.base);
  }

  /** Directory of an exported line. */
  linePath(gpio: number): string {
    return join(this.root, `gpio${gpio}`);
  }

  /**
   * Export kernel GPIO `gpio`. Already exported (directory present, or EBUSY with the directory
   * present) → reused.
   * @returns `exported` or `reused`.
   * @throws {SensorSetupError} for EINVAL (not a valid line), EBUSY without a sysfs directory
   *   (claimed by a kernel driver), EACCES.
   */
  async export(gpio: number, sensor: string): Promise<'exported' | 'reused'> {
    if (this.files.exists(this.linePath(gpio))) return 'reused';
    try {
      await this.files.writeText(join(this.root, 'export'), String(gpio));
      return 'exported';
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'EIO';
      if (code === 'EBUSY' && this.files.exists(this.linePath(gpio))) return 'reused';
      const why: Record<string, string> = {
        EINVAL: 'not a valid GPIO number on this kernel (a BCM number written without the chip base?)',
        EBUSY: 'in use by a kernel driver (device-tree overlay?)',
        EACCES: 'permission denied (user not in group gpio?)',
      };
      throw new SensorSetupError(sensor, `export GPIO ${gpio}: ${code}, ${why[code] ?? (err as Error).message}`, { cause: err });
    }
  }

  async setDirection(gpio: number, direction: 'in' | 'out', sensor: string): Promise<void> {
    await this.write(gpio, 'direction', direction, sensor);
  }

  async setEdge(gpio: number, edge: GpioEdge, sensor: string): Promise<void> {
    await this.write(gpio, 'edge', edge, sensor);
  }

  /** Current level, 0 or 1. */
  async readValue(gpio: number): Promise<0 | 1> {
    const text = await this.files.readText(join(this.linePath(gpio), 'value'));
    return text.trim() === '1' ? 1 : 0;
  }

  private async write(gpio: number, file: string, value: string, sensor: string): Promise<void> {
    try {
      await this.files.writeText(join(this.linePath(gpio), file), value);
    } catch (err) {
      throw new SensorSetupError(sensor, `write ${value} to gpio${gpio}/${file}: ${(err as { code?: string }).code ?? (err as Error).message}`, { cause: err });
    }
  }
}
