/** `GpioFiles` (sensors/sysfs-gpio.ts) over node:fs: the kernel's GPIO sysfs files as they are on a Pi. */
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import type { GpioFiles } from '../sensors/sysfs-gpio.js';

export const nodeGpioFiles: GpioFiles = {
  readText: (path) => readFile(path, 'utf8'),
  writeText: (path, text) => writeFile(path, text),
  list: (path) => readdir(path),
  exists: (path) => existsSync(path),
};
