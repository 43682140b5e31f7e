/**
 * `EdgeSource` over the optional `onoff` package (epoll on `/sys/class/gpio/gpioN/value`). Loaded
 * lazily so the rest of the agent runs where onoff (or its native epoll) is not installed.
 * onoff's own debounce is not used: debouncing is policy and lives in `PulseCounter`.
 */
import { performance } from 'node:perf_hooks';
import { SensorSetupError } from '../sensors/errors.js';
import type { EdgeSource, EdgeWatch } from '../sensors/gpio-ports.js';

interface OnoffGpio {
  watch(cb: (err: Error | null | undefined, value: 0 | 1) => void): void;
  unwatchAll(): void;
  read(): Promise<0 | 1>;
  unexport(): void;
}

/** @throws {SensorSetupError} when onoff cannot be loaded (not installed, or not on Linux). */
export async function createOnoffEdgeSource(): Promise<EdgeSource> {
  let Gpio: new (gpio: number, direction: 'in', edge: string, options?: object) => OnoffGpio;
  try {
    ({ Gpio } = (await import('onoff')) as unknown as { Gpio: typeof Gpio });
  } catch (err) {
    throw new SensorSetupError('gpio', `the optional package onoff is not available (${(err as Error).message}); install it on the Pi`, { cause: err });
  }
  return {
    nowMs: () => performance.now(),
    async watch(gpio, edge, onEdge): Promise<EdgeWatch> {
      // reconfigureDirection false: the line was exported and set to `in` by SysfsGpio already.
      let line: OnoffGpio;
      try {
        line = new Gpio(gpio, 'in', edge, { reconfigureDirection: false });
      } catch (err) {
        throw new SensorSetupError(`gpio${gpio}`, `cannot watch GPIO ${gpio} for ${edge} edges: ${(err as { code?: string }).code ?? (err as Error).message}`, { cause: err });
      }
      line.watch((err, value) => {
        if (!err) onEdge(performance.now(), value);
      });
      return {
        readValue: () => line.read(),
        close: async () => {
          line.unwatchAll();
        },
      };
    },
  };
}
