/**
 * Loggers' files as they come (issue 17): quoted headers, decimal commas, units in headers, sentinel
 * codes, conflicting duplicates, mixed zones, new quantities. Fixtures in test/fixtures/import/.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { listInputFiles } from '../../../agent/import/input-files.js';
import { runImport } from '../../../agent/import/run-import.js';
import { parseColumnSpec, type ImportOptions } from '../../../agent/import/plan.js';
import type { ImportReport } from '../../../agent/import/importer.js';
import { MemoryBuffer } from '../../support/memory-buffer.js';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const FIXTURES = join(ROOT, 'test/fixtures/import');
const opts = (o: Partial<ImportOptions> = {}): ImportOptions => ({ seriesPrefix: '', columnMap: {}, units: {}, ranges: {}, ...o });
const bySeries = (r: ImportReport) => Object.fromEntries(r.series.map((s) => [s.seriesId, s]));

async function importFixture(name: string, o: Partial<ImportOptions> = {}) {
  const b = new MemoryBuffer();
  const report = await runImport(listInputFiles([join(FIXTURES, name)]), { deviceId: 'd', options: opts(o), sink: { define: (s) => b.defineSeries([s]), insert: (x) => b.insert('d', x) } });
  const samples = (await b.readSince('d', undefined, 1e6)).samples;
  const values = (seriesId: string) => samples.filter((s) => s.seriesId === seriesId).sort((a, c) => a.tsMs - c.tsMs).map((s) => s.value);
  return { report, values, s: bySeries(report) };
}

const parsing = suite('parsing loggers\' CSV');

parsing('a quoted header with a comma in a name, quoted rows, BOM and CRLF: every row read, one unclosed quote is one malformed line', async () => {
  const { report, s, values } = await importFixture('quoted-header.csv', { columnMap: { 'Temp, living room': parseColumnSpec('tempC'), Humidity: parseColumnSpec('rhPct') } });
  assert.equal(report.skippedFiles, []);
  assert.is(report.plans[0].assumptions[0], 'delimiter: comma (detected: 3 fields on 8 of 9 lines, inconsistent)');
  assert.is(s.tempC.rowsRead, 8);
  assert.is(s.tempC.counts.malformed, 1);
  assert.equal(s.tempC.firstLocations.malformed, ['quoted-header.csv:5 (unclosed quote: a quoted field runs past the end of the line)']);
  assert.equal(values('tempC'), [23.89, 23.88, 23.86, 23.83, 23.81, 23.79, 23.76]);
  assert.equal(values('rhPct'), [66.9, 66.81, 66.99, 66.36, 66.18, 66.27, 66.35]);
  const byName = await importFixture('quoted-header.csv');
  assert.equal(Object.keys(byName.s).sort(), ['Temp_living_room', 'rhPct'], 'recognised without --column: Temp is an alias of tempC');
  assert.is(byName.s.Temp_living_room.metric, 'tempC');
});

parsing('a decimal-comma ;-file is detected, announced and read (was: every value malformed, exit 0)', async () => {
  const cols = { columnMap: { Temperatur: parseColumnSpec('tempC'), Luftfeuchte: parseColumnSpec('rhPct') } };
  const { report, s, values } = await importFixture('decimal-comma.csv', cols);
  assert.ok(report.plans[0].assumptions.includes('decimal separator: COMMA (detected: "23,89" in a semicolon-separated file and no decimal point; pass --no-decimal-comma if wrong)'), report.plans[0].assumptions.join('\n'));
  assert.equal(report.decimalCommaFiles, ['decimal-comma.csv']);
  assert.is(s.tempC.counts.malformed, 0);
  assert.equal(values('tempC'), [23.89, 23.88, 23.86, 23.84, 23.83, 23.81, 23.79, 23.76]);
  assert.equal(values('rhPct').slice(0, 2), [66.9, 66.81]);
  const off = await importFixture('decimal-comma.csv', { ...cols, decimalComma: false });
  assert.is(off.s.tempC.counts.malformed, 8, '--no-decimal-comma reads 23,89 as not a number');
  assert.equal(off.report.decimalCommaFiles, []);
});

const headers = suite('units in headers');

headers('temperature (*C), humidity (%), pressure [hPa], "Temp, garden (°F)", pressure_kpa: recognised and scaled to the stored units', async () => {
  const { report, s, values } = await importFixture('unit-headers.csv');
  assert.equal(Object.keys(s).sort(), ['Temp_garden', 'pressurePa', 'pressurePa_2', 'rhPct', 'tempC']);
  const a = report.plans[0].assumptions;
  assert.ok(a.includes('temperature (*C) → tempC (tempC, °C) from C (header "*C")'), a.join('\n'));
  assert.ok(a.includes('pressure [hPa] → pressurePa (pressurePa, Pa) from hPa (header "hPa")'), a.join('\n'));
  assert.ok(a.includes('pressure_kpa: a second column of pressurePa, named pressurePa_2'), a.join('\n'));
  assert.equal(values('tempC').slice(0, 2), [23.89, 23.88]);
  assert.equal(values('rhPct').slice(0, 2), [66.9, 66.81]);
  assert.equal(values('pressurePa').slice(0, 2), [102_010, 102_010.3]);
  assert.equal(values('pressurePa_2').slice(0, 2), [102_010, 102_010.3]);
  assert.equal(values('Temp_garden').map((v) => v.toFixed(2)), ['23.89', '23.88', '23.86', '23.84', '23.83', '23.81']);
  assert.is(s.Temp_garden.sourceUnit, 'F');
});

const sentinels = suite('invalid codes');

sentinels('DS18B20 columns know 85 and -127 °C; --invalid names a code; both are "invalid code", not "out of range"', async () => {
  const { report, s, values } = await importFixture('ds18b20-sentinels.csv', { invalid: { rhPct: [9999] } });
  const probe = s['28-0316a2795aff'];
  const door = s.ds18b20_door;
  assert.is(probe.metric, 'tempC', 'a 1-Wire family-28 id is a DS18B20 thermometer');
  assert.equal([probe.counts.invalidCode, probe.counts.outOfRange], [2, 0]);
  assert.equal(probe.firstLocations.invalidCode, ['ds18b20-sentinels.csv:4 (85.00)', 'ds18b20-sentinels.csv:8 (-127)']);
  assert.equal([door.counts.invalidCode, door.counts.outOfRange], [1, 3], "the dataset's own -48.65/-48.91/-48.66 °C spikes stay out of range");
  assert.equal(door.firstLocations.invalidCode, ['ds18b20-sentinels.csv:7 (-127.00)']);
  assert.equal([s.rhPct.counts.invalidCode, s.rhPct.counts.outOfRange], [1, 0]);
  assert.equal(values('28-0316a2795aff'), [6.48, 6.53, 6.17, 6.51, 6.53, 6.51]);
  assert.ok(report.plans[0].assumptions.includes('28-0316a2795aff invalid codes 85, -127 °C (DS18B20: power-on value, probe not answering; --invalid 28-0316a2795aff=none keeps them)'), report.plans[0].assumptions.join('\n'));
  assert.ok(report.plans[0].assumptions.includes('rhPct invalid codes 9999 (--invalid)'));
  const kept = await importFixture('ds18b20-sentinels.csv', { invalid: { '28-0316a2795aff': [] } });
  assert.equal([kept.s['28-0316a2795aff'].counts.invalidCode, kept.s['28-0316a2795aff'].counts.outOfRange], [0, 1], '--invalid NAME=none: 85 is stored, -127 is out of range');
  assert.equal([kept.s.rhPct.counts.invalidCode, kept.s.rhPct.counts.outOfRange], [0, 1], 'without --invalid, 9999 %RH is only out of range');
});

const duplicates = suite('rows at one instant');

duplicates('conflicting duplicates are named with both places; the rule decides; a repeat is stored once; nothing is "already stored" on a first import', async () => {
  const first = await importFixture('duplicates.csv');
  const t = first.s.tempC;
  assert.equal([t.stored, t.counts.conflict, t.counts.repeat, t.counts.duplicate], [6, 2, 1, 0]);
  assert.equal(t.firstLocations.conflict, ['duplicates.csv:9 (24.86 °C; 23.86 °C at duplicates.csv:4; that one kept)', 'duplicates.csv:10 (25.86 °C; 23.86 °C at duplicates.csv:4; that one kept)']);
  assert.equal(first.values('tempC'), [23.89, 23.88, 23.86, 23.84, 23.83, 23.81]);
  assert.is(first.report.duplicateRule, 'first');
  const last = await importFixture('duplicates.csv', { duplicates: 'last' });
  assert.equal(last.values('tempC'), [23.89, 23.88, 25.86, 23.84, 23.83, 23.81], '--duplicates last stores the last value read');
  assert.equal(last.s.tempC.firstLocations.conflict?.[1], 'duplicates.csv:10 (25.86 °C; 24.86 °C at duplicates.csv:9; this one kept)');
  assert.is(last.s.tempC.stored, 6);
});

const zones = suite('mixed zones');

zones('zone-less times among zoned ones: a warning with their lines, and --tz applies to them', async () => {
  const utc = await importFixture('mixed-zones.csv');
  assert.equal(utc.report.mixedZoneFiles, [{ file: 'mixed-zones.csv', zoned: 4, zoneless: 2, firstZoneless: ['mixed-zones.csv:4', 'mixed-zones.csv:6'], appliedZone: 'UTC (assumed: pass --tz or --utc-offset)' }]);
  // Before issue 17 the plan said "zone: as written in each timestamp" and gave no warning.
  assert.ok(utc.report.plans[0].assumptions.includes('zone: MIXED in the first lines (4 of 6 timestamps carry a zone): as written where given, else ASSUMED UTC (pass --tz or --utc-offset)'), utc.report.plans[0].assumptions.join('\n'));
  assert.is(utc.s.tempC.counts.nonMonotonic, 2, 'read as UTC, lines 4 and 6 land an hour late');
  const berlin = await importFixture('mixed-zones.csv', { zone: { kind: 'iana', name: 'Europe/Berlin' } });
  assert.is(berlin.report.mixedZoneFiles[0].appliedZone, 'Europe/Berlin (--tz)');
  assert.is(berlin.s.tempC.counts.nonMonotonic, 0);
  assert.is(berlin.s.tempC.firstTsMs, Date.UTC(2019, 0, 31, 16, 3, 13));
  assert.is(berlin.s.tempC.lastTsMs, Date.UTC(2019, 0, 31, 16, 51, 31));
  assert.equal(berlin.values('tempC'), [23.89, 23.88, 23.86, 23.84, 23.83, 23.81], 'in time order, the Berlin rows fall in place');
});

const quantities = suite('new quantities');

quantities('wind speed in km/h, a compass-code direction, battery volts, mA, CO2, PM2.5/PM10: recognised, scaled, stored in their units', async () => {
  const { report, s, values } = await importFixture('weather-station.csv', { invalid: { wind_dir: [16] } });
  assert.equal(Object.keys(s).sort(), ['co2Ppm', 'currentA', 'pm10Ugm3', 'pm25Ugm3', 'voltageV', 'windDirDeg', 'windMs']);
  assert.equal([s.windMs.unit, s.windDirDeg.unit, s.voltageV.unit, s.currentA.unit, s.co2Ppm.unit, s.pm25Ugm3.unit], ['m/s', '°', 'V', 'A', 'ppm', 'µg/m³']);
  assert.equal(values('windMs'), [5, 6, 0, 1, 10, 2]);
  // Compass code × 22.5°, N = 0, clockwise; the code 16 is an invalid code, not a bearing.
  assert.equal(values('windDirDeg'), [337.5, 0, 22.5, 337.5, 22.5]);
  assert.equal([s.windDirDeg.counts.invalidCode, s.windDirDeg.counts.outOfRange], [1, 0]);
  assert.is(s.windDirDeg.sourceUnit, 'compass16');
  const a = report.plans[0].assumptions.join('\n');
  assert.match(a, /wind_dir → windDirDeg \(windDirDeg, °\) from compass16: values of the first lines are all integers 0–16: read as a 16-point compass code \(0 = N, clockwise, × 22\.5°/);
  assert.equal(values('voltageV'), [4.12, 4.11, 4.11, 4.1, 4.1, 4.09]);
  assert.equal(values('currentA'), [0.12, 0.118, 0.45, 0.119, 0.121, 0.117]);
  assert.equal(values('co2Ppm')[2], 1280);
  assert.equal([values('pm25Ugm3')[2], values('pm10Ugm3')[2]], [12.5, 20]);
  const noInvalid = await importFixture('weather-station.csv');
  assert.equal([noInvalid.s.windDirDeg.counts.invalidCode, noInvalid.s.windDirDeg.counts.outOfRange], [0, 1], 'without --invalid, 16 is no compass point');
});

parsing.run();
quantities.run();
zones.run();
duplicates.run();
sentinels.run();
headers.run();
