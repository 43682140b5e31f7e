import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SimulatedSensor, noise, simulatedValues } from '../../sensors/simulated.js';

const s = suite('simulatedValues');
const DAY = 86_400_000;
const T = Date.UTC(2026, 10, 30);
s('is deterministic given the seed and the time, and differs between seeds', () => {
  assert.equal(simulatedValues(1, T + 123_456), simulatedValues(1, T + 123_456));
  assert.is.not(simulatedValues(1, T).tempC, simulatedValues(2, T).tempC);
});
s('has a daily cycle: warmest around 15:00 UTC, coolest around 03:00, humidity opposite', () => {
  const at = (h: number) => simulatedValues(5, T + h * 3_600_000);
  assert.ok(at(15).tempC > 25.8 && at(15).tempC < 26.2, String(at(15).tempC));
  assert.ok(at(3).tempC > 17.8 && at(3).tempC < 18.2, String(at(3).tempC));
  assert.ok(at(15).rhPct < at(3).rhPct);
});
s('stays in plausible ranges over ten days', () => {
  for (let t = T; t < T + 10 * DAY; t += 600_000) {
    const v = simulatedValues(9, t);
    assert.ok(v.tempC >= 17.8 && v.tempC <= 26.2 && v.rhPct >= 44 && v.rhPct <= 66 && v.pressurePa >= 100_900 && v.pressurePa <= 101_750);
  }
});
s('noise is uniform-ish in [-1, 1)', () => {
  let sum = 0;
  let min = 1;
  let max = -1;
  for (let i = 0; i < 10_000; i++) {
    const n = noise(3, T + i * 1000, 0);
    sum += n;
    min = Math.min(min, n);
    max = Math.max(max, n);
  }
  assert.ok(Math.abs(sum / 10_000) < 0.05 && min < -0.95 && max > 0.95 && max < 1);
});
s.run();

const d = suite('SimulatedSensor');
d('reads the values of its clock time', async () => {
  const r = await new SimulatedSensor('sim', { nowMs: () => T }, 4).read();
  assert.equal(r, { values: simulatedValues(4, T), problems: [] });
});
d.run();
