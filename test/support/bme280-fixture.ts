/**
 * The committed month of the bme280-livingroom log (test/fixtures/cloud/, see its README) as `Sample`s
 * of three series in canonical units (°C, %RH, Pa), read by the one dataset reader (`bme280-data.ts`).
 */
import { fileURLToPath } from 'node:url';
import type { Sample, SeriesInfo } from '../../builder/types.js';
import { BME280_DEVICE, BME280_SERIES, readBme280Month } from './bme280-data.js';

const DIR = fileURLToPath(new URL('../fixtures/cloud/bme280-livingroom-2019-09/', import.meta.url));

export const FIXTURE_DEVICE = BME280_DEVICE;
export const FIXTURE_SERIES: SeriesInfo[] = BME280_SERIES;

/** All valid samples of the month, ordered by series (temperature, humidity, pressure) then time. */
export function fixtureSamples(): Sample[] {
  const all = readBme280Month(DIR);
  return BME280_SERIES.flatMap(({ seriesId }) => all.filter((s) => s.seriesId === seriesId).sort((a, b) => a.tsMs - b.tsMs));
}
