/**
 * BCM pin number → kernel (sysfs) GPIO number. Since Linux 6.6, Raspberry Pi OS kernels number the
 * SoC's GPIO chip from 512 up (gpiochip512), and the Pi 5's header pins are on the RP1 chip
 * (`pinctrl-rp1`, base 571 on current kernels), so the number written to `/sys/class/gpio/export`
 * is `base + BCM` of the chip with the right `label` — never the BCM number itself.
 * Source: Linux Documentation/ABI/obsolete/sysfs-gpio ("gpiochipN/base, label, ngpio"); Raspberry Pi
 * kernel 6.6 release notes. Pure.
 */
import { SensorSetupError } from './errors.js';

/** One `/sys/class/gpio/gpiochipN` directory. */
export interface GpioChip {
  /** Directory name, e.g. `gpiochip512`. */
  name: string;
  /** First GPIO number of the chip (`base` file). */
  base: number;
  /** Number of lines (`ngpio` file). */
  ngpio: number;
  /** Driver label (`label` file), e.g. `pinctrl-bcm2711`. */
  label: string;
}

/**
 * Labels of the chip that carries the 40-pin header, in order of preference: the Pi 5's RP1 first
 * (the Pi 5 also has a `pinctrl-bcm2712` chip whose lines are not on the header), then the SoC
 * controllers of the Pi 4 (BCM2711) and Pi 0–3 (BCM2835 driver).
 */
export const HEADER_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

/**
 * The chip carrying the header pins.
 * @throws {SensorSetupError} when none of `HEADER_CHIP_LABELS` is present.
 */
export function headerChip(chips: readonly GpioChip[], sensor: string): GpioChip {
  for (const label of HEADER_CHIP_LABELS) {
    const chip = chips.find((c) => c.label === label);
    if (chip) return chip;
  }
  const seen = chips.map((c) => `${c.name} (${c.label}, base ${c.base})`).join(', ') || 'none';
  throw new SensorSetupError(sensor, `no Raspberry Pi header GPIO chip (labels ${HEADER_CHIP_LABELS.join(', ')}); found ${seen}`);
}

/**
 * Kernel GPIO number of BCM pin `bcm`: `base + bcm` of the header chip.
 * @throws {SensorSetupError} when `bcm` is not a line of that chip (0 … ngpio − 1).
 * @example kernelGpioNumber(17, [{ name: 'gpiochip512', base: 512, ngpio: 58, label: 'pinctrl-bcm2711' }]) // 529
 */
export function kernelGpioNumber(bcm: number, chips: readonly GpioChip[], sensor = 'gpio'): number {
  const chip = headerChip(chips, sensor);
  if (!Number.isInteger(bcm) || bcm < 0 || bcm >= chip.ngpio) {
    throw new SensorSetupError(sensor, `BCM pin ${bcm} is not a line of ${chip.name} (${chip.label}: 0–${chip.ngpio - 1})`);
  }
  return chip.base + bcm;
}
