/**
 * Reads the real `../shared/datasets/bme280-livingroom` logs for the builder tests: monthly
 * `YYYY/MM/{temperature,humidity,pressure}.csv` with `Timestamp,<Value>` (epoch seconds, integer or
 * float; °C, %RH, hPa). Empty values and values outside the metric's plausible range are skipped;
 * pressure is converted to Pa; a repeated (series, tsMs) keeps its first value (as the buffer does).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { METRICS } from '../../builder/metrics.js';
import type { Sample, SeriesInfo } from '../../builder/types.js';

export const BME280_DIR = new URL('../../../shared/datasets/bme280-livingroom/', import.meta.url).pathname;
export const BME280_DEVICE = 'livingroom';

const FILES = [
  { file: 'temperature.csv', metric: 'tempC', scale: 1 },
  { file: 'humidity.csv', metric: 'rhPct', scale: 1 },
  { file: 'pressure.csv', metric: 'pressurePa', scale: 100 },
] as const;

export const BME280_SERIES: SeriesInfo[] = FILES.map(({ metric }) => ({
  deviceId: BME280_DEVICE, seriesId: `bme280.${metric}`, sensorId: 'bme280', metric, unit: METRICS[metric].unit, kind: METRICS[metric].kind,
}));

export const hasBme280 = (): boolean => existsSync(BME280_DIR);

/** The committed cut of the same dataset (test/fixtures/bme280-livingroom: 2017/02, 2018/09–10, 2019/02 humidity). */
export const BME280_FIXTURE_DIR = new URL('../fixtures/bme280-livingroom/', import.meta.url).pathname;

/**
 * The valid samples of one month folder of the dataset (`temperature.csv`, `humidity.csv`,
 * `pressure.csv`; absent files are skipped), in file order, without a (series, tsMs) already in `seen`.
 */
export function readBme280Month(monthDir: string, seen = new Set<string>()): Sample[] {
  const out: Sample[] = [];
  for (const { file, metric, scale } of FILES) {
    const { min, max } = METRICS[metric];
    if (!existsSync(join(monthDir, file))) continue;
    const lines = readFileSync(join(monthDir, file), 'utf8').split('\n').slice(1);
    for (const line of lines) {
      const [ts, raw] = line.split(',');
      if (!ts || raw === undefined || raw.trim() === '') continue;
      const value = Number(raw) * scale;
      const tsMs = Math.round(Number(ts) * 1000);
      if (!Number.isFinite(value) || !Number.isFinite(tsMs) || value < min || value > max) continue;
      const key = `${metric}@${tsMs}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ seriesId: `bme280.${metric}`, tsMs, value });
    }
  }
  return out;
}

/** Every valid sample of the dataset at `dir` (default the full one), deduplicated by (series, tsMs), in file order; absent files are skipped. */
export function loadBme280(dir: string = BME280_DIR): Sample[] {
  const seen = new Set<string>();
  return readdirSync(dir)
    .filter((d) => /^\d{4}$/.test(d))
    .sort()
    .flatMap((year) => readdirSync(join(dir, year)).sort().flatMap((month) => readBme280Month(join(dir, year, month), seen)));
}
