import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SOURCE_UNITS } from '../../../agent/import/units.js';

const units = suite('SOURCE_UNITS conversions');
const pressure = (unit: string) => SOURCE_UNITS.pressurePa!.find((u) => u.unit === unit)!;

units('hPa → Pa keeps the logged decimal digits, without binary rounding noise', () => {
  assert.is(1008.739 * 100, 100873.90000000001, 'plain multiplication is noisy');
  assert.is(pressure('hPa').toCanonical(1008.739), 100873.9);
  assert.is(pressure('hPa').toCanonical(991.3), 99130);
  assert.is(pressure('kPa').toCanonical(101.325), 101325);
});

units('temperature conversions follow their definitions', () => {
  const f = SOURCE_UNITS.tempC!.find((u) => u.unit === 'F')!;
  const k = SOURCE_UNITS.tempC!.find((u) => u.unit === 'K')!;
  assert.is(f.toCanonical(212), 100);
  assert.is(f.toCanonical(-40), -40);
  assert.ok(Math.abs(k.toCanonical(273.15)) < 1e-12);
});

units.run();
