/**
 * A temp-directory GPIO sysfs tree (`gpiochipN/{base,label,ngpio}`, `export`, `gpioN/{value,
 * direction,edge}`) and an EMULATION of what the kernel does on writes to `export` (no real peer
 * exists in a test): the number must be a line of some chip (else EINVAL), an exported line gives
 * EBUSY, a line claimed by a kernel driver gives EBUSY without a directory; a successful export
 * creates the line's directory. Plus `FakeEdgeSource`, which replays scripted edge interrupts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { EdgeSource, EdgeWatch } from '../../sensors/gpio-ports.js';
import type { GpioFiles } from '../../sensors/sysfs-gpio.js';

const err = (code: string, msg: string) => Object.assign(new Error(`${code}: ${msg}`), { code });

export class FakeSysfsGpio {
  readonly root: string;
  /** Lines held by a kernel driver: export gives EBUSY and no directory appears. */
  readonly claimed = new Set<number>();
  readonly exports: number[] = [];

  constructor(chips: Array<{ base: number; ngpio: number; label: string }>) {
    this.root = mkdtempSync(join(tmpdir(), 'gpio-'));
    writeFileSync(join(this.root, 'export'), '');
    writeFileSync(join(this.root, 'unexport'), '');
    for (const c of chips) {
      const d = join(this.root, `gpiochip${c.base}`);
      mkdirSync(d);
      writeFileSync(join(d, 'base'), `${c.base}\n`);
      writeFileSync(join(d, 'ngpio'), `${c.ngpio}\n`);
      writeFileSync(join(d, 'label'), `${c.label}\n`);
    }
  }

  /** A line already exported (e.g. by a process that was killed). */
  preExport(gpio: number, value: 0 | 1 = 0): void {
    const d = join(this.root, `gpio${gpio}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'value'), `${value}\n`);
    writeFileSync(join(d, 'direction'), 'out\n');
    writeFileSync(join(d, 'edge'), 'none\n');
  }

  private isLine(gpio: number): boolean {
    return readdirSync(this.root).filter((n) => n.startsWith('gpiochip')).some((n) => {
      const base = Number(readFileSync(join(this.root, n, 'base'), 'utf8'));
      const ngpio = Number(readFileSync(join(this.root, n, 'ngpio'), 'utf8'));
      return gpio >= base && gpio < base + ngpio;
    });
  }

  readonly files: GpioFiles = {
    readText: async (p) => readFileSync(p, 'utf8'),
    list: async (p) => readdirSync(p),
    exists: (p) => existsSync(p),
    writeText: async (p, text) => {
      if (p === join(this.root, 'export')) {
        const n = Number(text.trim());
        this.exports.push(n);
        if (!Number.isInteger(n) || !this.isLine(n)) throw err('EINVAL', `export ${text}`);
        if (this.claimed.has(n) || existsSync(join(this.root, `gpio${n}`))) throw err('EBUSY', `export ${text}`);
        this.preExport(n);
        return;
      }
      if (!existsSync(dirname(p))) throw err('ENOENT', p);
      const file = basename(p);
      if (file === 'edge' && !['none', 'rising', 'falling', 'both'].includes(text)) throw err('EINVAL', `edge ${text}`);
      if (file === 'direction' && !['in', 'out', 'high', 'low'].includes(text)) throw err('EINVAL', `direction ${text}`);
      writeFileSync(p, `${text}\n`);
    },
  };

  /** Set a line's level as the kernel would report it in `value`. */
  setLevel(gpio: number, value: 0 | 1): void {
    writeFileSync(join(this.root, `gpio${gpio}`, 'value'), `${value}\n`);
  }

  read(gpio: number, file: string): string {
    return readFileSync(join(this.root, `gpio${gpio}`, file), 'utf8').trim();
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Replays edge interrupts: `emit(gpio, tMs, value)` calls the watcher; `nowMs` is set by the test. */
export class FakeEdgeSource implements EdgeSource {
  now = 0;
  private readonly watchers = new Map<number, (t: number, v: 0 | 1) => void>();
  constructor(private readonly gpio?: FakeSysfsGpio) {}
  nowMs(): number {
    return this.now;
  }
  async watch(gpio: number, _edge: string, onEdge: (t: number, v: 0 | 1) => void): Promise<EdgeWatch> {
    this.watchers.set(gpio, onEdge);
    return {
      readValue: async () => (this.gpio?.read(gpio, 'value') === '1' ? 1 : 0),
      close: async () => void this.watchers.delete(gpio),
    };
  }
  isWatching(gpio: number): boolean {
    return this.watchers.has(gpio);
  }
  emit(gpio: number, tMs: number, value: 0 | 1): void {
    this.now = Math.max(this.now, tMs);
    this.gpio?.setLevel(gpio, value);
    this.watchers.get(gpio)?.(tMs, value);
  }
}
