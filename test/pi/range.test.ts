/**
 * GET /samples/range on the Pi: read from a real SQLite file, downsampled on the server with M4
 * (first, min, max, last per pixel column), outages as null points, within a sample budget.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPiApi } from '../../pi/pi-api.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import type { RangePayload, RawPoint } from '../../builder/types.js';

const DEVICE = 'pi-kitchen';
const SERIES = 'bme280-76.tempC';
const TO_MS = Date.parse('2024-03-10T13:00:00Z');
const HOLE = { afterMs: Date.parse('2024-03-10T12:19:50Z'), resumeMs: Date.parse('2024-03-10T12:40:00Z') };

function withApi(run: (api: (req: Request) => Promise<Response>, samples: Array<{ tsMs: number; value: number }>) => Promise<void>, budget?: number) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'range-'));
    const buffer = SqliteBuffer.open(join(dir, 'sensorctl.db'));
    try {
      buffer.defineSeries([{ deviceId: DEVICE, seriesId: SERIES, sensorId: 'bme280-76', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
      const samples: Array<{ tsMs: number; value: number }> = [];
      for (let t = TO_MS - 3_600_000 + 10_000; t <= TO_MS; t += 10_000) {
        if (t > HOLE.afterMs && t < HOLE.resumeMs) continue;
        samples.push({ tsMs: t, value: 20 + Math.sin(t / 300_000) + (t === TO_MS - 600_000 ? 9 : 0) }); // one spike at 12:50
      }
      buffer.insert(DEVICE, samples.map((s) => ({ seriesId: SERIES, ...s })));
      const { api } = createPiApi({ snapshotDir: dir, deviceId: DEVICE, buffer, sampleDevices: () => buffer.deviceIdsWithSamples(), clock: { nowMs: () => TO_MS }, options: budget ? { rangeBudgetSamples: budget } : {} });
      await run(api, samples);
    } finally {
      buffer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const get = async (api: (req: Request) => Promise<Response>, query: string) => api(new Request(`http://pi/samples/range?${query}`));

test('M4 over 50 columns keeps first, min, max and last of each column (the 12:50 spike survives) and marks the 20-minute hole with nulls', withApi(async (api, samples) => {
  const res = await get(api, `from=${new Date(TO_MS - 3_600_000 + 1).toISOString()}&to=${TO_MS}&samples=50`);
  assert.is(res.status, 200);
  const body = (await res.json()) as RangePayload;
  assert.equal([body.resolution, body.samplesRead, body.device, body.samples], ["m4", samples.length, DEVICE, 50]);
  const pts = body.series[0].points;
  const values = pts.filter((p) => p.value !== null).map((p) => p.value as number);
  assert.is(Math.max(...values), Math.max(...samples.map((s) => s.value)), 'the maximum survives');
  assert.is(Math.min(...values), Math.min(...samples.map((s) => s.value)), 'the minimum survives');
  assert.ok(values.length <= 4 * 50);
  const gaps = pts.filter((p) => p.value === null);
  assert.ok(gaps.length >= 1 && gaps.every((g) => g.tsMs > HOLE.afterMs && g.tsMs < HOLE.resumeMs), JSON.stringify(gaps));
  const at = pts.indexOf(gaps[0]);
  assert.equal([pts[at - 1].tsMs, pts[pts.indexOf(gaps[gaps.length - 1]) + 1].tsMs], [HOLE.afterMs, HOLE.resumeMs]);
  assert.ok(pts.every((p, i) => i === 0 || p.tsMs > pts[i - 1].tsMs), 'ascending');
  assert.equal(body.series[0].latest, samples[samples.length - 1]);
}));

test('a range whose samples fit (≤ 4 per column) is the raw samples with one gap marker in the hole', withApi(async (api, samples) => {
  const body = (await (await get(api, `from=${TO_MS - 3_600_000 + 1}&to=${TO_MS}&samples=1000`)).json()) as RangePayload;
  assert.is(body.resolution, 'raw');
  const pts = body.series[0].points as RawPoint[];
  assert.is(pts.filter((p) => p.value !== null).length, samples.length);
  assert.equal(pts.filter((p) => p.value === null).map((p) => p.tsMs), [(HOLE.afterMs + HOLE.resumeMs) / 2]);
}));

test('bad ranges are 400 naming the parameter; past the budget 422 range_too_large', withApi(async (api) => {
  const bad = await get(api, 'from=yesterday&to=1');
  assert.equal([bad.status, ((await bad.json()) as { error: { parameter: string } }).error.parameter], [400, 'from']);
  const reversed = await get(api, `from=${TO_MS}&to=${TO_MS - 1}`);
  assert.is(reversed.status, 400);
  const big = await get(api, `from=${TO_MS - 3_600_000}&to=${TO_MS}`);
  assert.equal([big.status, ((await big.json()) as { error: { code: string } }).error.code], [422, 'range_too_large']);
}, 100));

test.run();
