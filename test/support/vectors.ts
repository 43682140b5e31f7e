/** Loads the committed reference vectors of test/fixtures/sensors (see its README). */
import { readFileSync } from 'node:fs';

const dir = new URL('../fixtures/sensors/', import.meta.url);
export function loadVectors<T = any>(name: 'bme280' | 'sht' | 'bh1750' | 'ds18b20'): T {
  return JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as T;
}
