/** `SysfsReader` over node:fs, rooted at an injectable directory (default `/sys`). Adapter: no policy. */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SysfsReader } from '../sensors/ports.js';

/** A `SysfsReader` whose paths are joined to `root` (use `/` for absolute paths). */
export function fsSysfsReader(root = '/sys'): SysfsReader {
  return {
    readText: (path) => readFile(join(root, path), 'utf8'),
    list: (path) => readdir(join(root, path)),
  };
}
