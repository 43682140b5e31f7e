/**
 * Reads the committed month of the bme280-livingroom log (test/fixtures/cloud/, see its README) into
 * `Sample`s of three series, in canonical units (°C, %RH, Pa). Empty fields and values outside the
 * metric's plausible range (`builder/metrics.ts`) are skipped, as the importer does.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { METRICS } from '../../builder/metrics.js';
import type { Sample, SeriesInfo } from '../../builder/types.js';

const DIR = fileURLToPath(new URL('../fixtures/cloud/bme280-livingroom-2019-09/', import.meta.url));

export const FIXTURE_DEVICE = 'livingroom';

const FILES = [
  { file: 'temperature.csv', metric: 'tempC', scale: 1 },
  { file: 'humidity.csv', metric: 'rhPct', scale: 1 },
  { file: 'pressure.csv', metric: 'pressurePa', scale: 100 },
] as const;

export const FIXTURE_SERIES: SeriesInfo[] = FILES.map(({ metric }) => ({
  deviceId: FIXTURE_DEVICE,
  seriesId: `bme280.${metric}`,
  sensorId: 'bme280',
  metric,
  unit: METRICS[metric].unit,
  kind: METRICS[metric].kind,
}));

/** All valid samples of the month, ordered by series then time. */
export function fixtureSamples(): Sample[] {
  return FILES.flatMap(({ file, metric, scale }) => {
    const lines = readFileSync(DIR + file, 'utf8').trim().split('\n').slice(1);
    const spec = METRICS[metric];
    const out: Sample[] = [];
    for (const line of lines) {
      const [ts, raw] = line.split(',');
      if (!raw) continue;
      const value = Number(raw) * scale;
      if (!Number.isFinite(value) || value < spec.min || value > spec.max) continue;
      out.push({ seriesId: `bme280.${metric}`, tsMs: Math.round(Number(ts) * 1000), value });
    }
    return out.sort((a, b) => a.tsMs - b.tsMs);
  });
}
