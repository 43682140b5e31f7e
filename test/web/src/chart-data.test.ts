import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PayloadSeries } from '../../../builder/types.js';
import { displayUnit, formatValue, fractionDigits, isolatedIndices, toChartSeries } from '../../../web/src/chart-data.js';

const toChart = suite('toChartSeries');

const pressure: PayloadSeries = {
  id: 'bme.pressurePa', metric: 'pressurePa', unit: 'Pa', kind: 'gauge',
  points: [
    { startMs: 1_569_859_200_000, count: 2, avg: 100_645.6, min: 100_641.2, max: 100_650, sum: 201_291.2 },
    { startMs: 1_569_860_064_000, count: 0, avg: null, min: null, max: null, sum: null },
  ],
};

toChart('converts Pa to hPa for display and keeps empty buckets as null gaps', () => {
  const c = toChartSeries(pressure, 'bucketed');
  assert.is(c.unit, 'hPa');
  assert.is(c.label, 'Pressure');
  assert.is(c.style, 'band');
  assert.equal(c.xS, [1_569_859_200, 1_569_860_064]);
  assert.ok(Math.abs(c.value[0]! - 1006.456) < 1e-9);
  assert.ok(Math.abs(c.min[0]! - 1006.412) < 1e-9 && Math.abs(c.max[0]! - 1006.5) < 1e-9);
  assert.equal([c.value[1], c.min[1], c.max[1]], [null, null, null]);
  assert.equal(c.count, [2, 0]);
  assert.is(c.gaps, 1);
});

toChart('draws a circular series (wind direction) as its circular mean in degrees, labelled with its unit, without a band', () => {
  const c = toChartSeries({
    id: 'ws.windDirDeg', metric: 'windDirDeg', unit: '°', kind: 'circular',
    points: [
      { startMs: 1_000_000, count: 2, avg: 0, min: 10, max: 350, sum: 360 },
      { startMs: 1_600_000, count: 0, avg: null, min: null, max: null, sum: null },
    ],
  }, 'bucketed');
  assert.equal([c.style, c.unit, c.label], ['bearings', '°', 'Wind direction']);
  assert.equal(c.value, [0, null], 'the circular mean, not sum / count = 180');
});

toChart('shows the new quantities with their units', () => {
  for (const [metric, unit, label] of [['voltageV', 'V', 'Voltage'], ['currentA', 'A', 'Current'], ['co2Ppm', 'ppm', 'CO₂'], ['pm25Ugm3', 'µg/m³', 'PM2.5'], ['windMs', 'm/s', 'Wind speed']]) {
    const c = toChartSeries({ id: `x.${metric}`, metric, unit, kind: 'gauge', points: [{ startMs: 0, count: 1, avg: 1, min: 1, max: 1, sum: 1 }] }, 'bucketed');
    assert.equal([c.unit, c.label, c.style], [unit, label, 'band'], metric);
  }
});

toChart('draws counters from sum as bars', () => {
  const c = toChartSeries({
    id: 'rain.pulses', metric: 'pulses', unit: 'pulses', kind: 'counter',
    points: [{ startMs: 0, count: 4, avg: 1.5, min: 0, max: 3, sum: 6 }],
  }, 'bucketed');
  assert.is(c.style, 'bars');
  assert.equal(c.value, [6]);
});

toChart('draws raw samples as points in time order, in display units', () => {
  const c = toChartSeries({
    id: 'bme.pressurePa', metric: 'pressurePa', unit: 'Pa', kind: 'gauge',
    points: [{ tsMs: 2000, value: 100_000 }, { tsMs: 1000, value: 99_000 }],
  }, 'raw');
  assert.is(c.style, 'points');
  assert.equal(c.xS, [1, 2]);
  assert.equal(c.value, [990, 1000]);
  assert.equal(c.count, [1, 1]);
});

toChart('labels an unknown metric by its name and keeps its unit', () => {
  const c = toChartSeries({ id: 'x.noiseDb', metric: 'noiseDb', unit: 'dB', kind: 'gauge', points: [] }, 'bucketed');
  assert.equal([c.label, c.unit, c.xS.length], ['noiseDb', 'dB', 0]);
});

const fmt = suite('formatValue / fractionDigits / displayUnit');

fmt('formats with the unit, a dash for gaps, and digits by span', () => {
  assert.is(formatValue(21.345, '°C', 1), '21.3 °C');
  assert.is(formatValue(null, '°C', 1), '—');
  assert.is(formatValue(1, '', 0), '1');
  assert.equal([fractionDigits(0, 500), fractionDigits(20, 35), fractionDigits(31.88, 31.94), fractionDigits(1, 1)], [0, 1, 2, 3]);
  assert.equal(displayUnit('°C'), { unit: '°C', factor: 1, offset: 0 });
  assert.equal(displayUnit('°C', { fahrenheit: true }), { unit: '°F', factor: 1.8, offset: 32 });
  assert.equal(displayUnit('%RH', { fahrenheit: true }), { unit: '%RH', factor: 1, offset: 0 });
});

const lonely = suite('isolatedIndices');

lonely('finds values between gaps and at edges next to a gap', () => {
  assert.equal(isolatedIndices([1, null, 2, 3, null, 4]), [0, 5]);
  assert.equal(isolatedIndices([null, 7, null]), [1]);
  assert.equal(isolatedIndices([5]), [0]);
  assert.equal(isolatedIndices([1, 2, null, null]), []);
});

toChart.run();
lonely.run();
fmt.run();
