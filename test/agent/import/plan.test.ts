import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseColumnSpec, planFile, PlanError, type ImportOptions } from '../../../agent/import/plan.js';
import { parseNumber, splitLine } from '../../../agent/import/fields.js';

const FIX = new URL('../../fixtures/bme280-livingroom/', import.meta.url);
const head = (rel: string, n = 500) => readFileSync(new URL(rel, FIX), 'utf8').split('\n').slice(0, n);
const opts = (o: Partial<ImportOptions> = {}): ImportOptions => ({ seriesPrefix: '', columnMap: {}, units: {}, ranges: {}, ...o });

const plan = suite('planFile');

plan('detects a bme280 month: comma, header, epoch seconds, Temperature → tempC in °C', () => {
  const p = planFile('2017/02/temperature.csv', head('2017/02/temperature.csv'), opts({ seriesPrefix: 'lr.' }));
  assert.is(p.delimiter, 'comma');
  assert.is(p.hasHeader, true);
  assert.is(p.tsIndex, 0);
  assert.is(p.tsStyle, 'epoch-s');
  assert.equal(p.columns.map((c) => [c.seriesId, c.metric, c.unit.unit, c.range]), [['lr.tempC', 'tempC', 'C', { min: -40, max: 85 }]]);
  assert.ok(p.assumptions.includes('zone: none needed (epoch time is UTC)'));
});

plan('reads pressure below 2000 as hPa, even when the month starts with a run of empty values, and says so', () => {
  const p = planFile('2017/02/pressure.csv', head('2017/02/pressure.csv'), opts());
  assert.is(p.columns[0].unit.unit, 'hPa');
  assert.is(p.columns[0].unit.toCanonical(1013.25), 101_325);
  assert.ok(p.assumptions.some((a) => a.includes('read as hPa')));
});

plan('takes a headerless fridge file through --columns and assumes UTC out loud without --tz', () => {
  const lines = ['2022-11-14-20:39:59.864,1,6.48,16.52,18.04,6.00,23.74,16.97,10.99,16.44,12.81'];
  const columns = 'ts,door:state,temp1:tempC,temp2:tempC,temp3:tempC,temp4:tempC,temp5:tempC,temp6:tempC,temp7:tempC,temp8:tempC,temp9:tempC'.split(',').map(parseColumnSpec);
  const p = planFile('temps.csv', lines, opts({ columns }));
  assert.is(p.hasHeader, false);
  assert.is(p.tsStyle, 'ymd-hms');
  assert.is(p.columns.length, 10);
  assert.equal(p.columns[0], { ...p.columns[0], seriesId: 'door', metric: 'state' });
  assert.ok(p.assumptions.some((a) => a.startsWith('zone: ASSUMED UTC')));
});

plan('maps ThingSpeak fields with --column, lists the ignored ones and takes the zone from the timestamps', () => {
  const lines = ['created_at,entry_id,field1,field2,field3,field4,field5,latitude,longitude,elevation,status', '2024-11-25T19:09:51+00:00,1,22,53,33.6746,1072,0,,,,'];
  const p = planFile('feeds.csv', lines, opts({ columnMap: { field1: parseColumnSpec('tempC'), field4: parseColumnSpec('light:adcCounts') }, ranges: { tempC: { min: -30, max: 50 } } }));
  assert.is(p.tsIndex, 0);
  assert.equal(p.columns.map((c) => [c.header, c.seriesId, c.range.max]), [['field1', 'tempC', 50], ['field4', 'light', 65_535]]);
  assert.equal(p.ignored, ['entry_id', 'field2', 'field3', 'field5', 'latitude', 'longitude', 'elevation', 'status']);
  assert.ok(p.assumptions.includes('zone: as written in each timestamp; any time without a zone: ASSUMED UTC (pass --tz or --utc-offset)'), p.assumptions.join('\n'));
});

plan('reads whitespace-separated columns with a header', () => {
  const p = planFile('log.txt', ['time   tempC  rhPct', '1700000000000  21.5  40'], opts());
  assert.is(p.delimiter, 'whitespace');
  assert.is(p.tsStyle, 'epoch-ms');
  assert.equal(p.columns.map((c) => c.seriesId), ['tempC', 'rhPct']);
});

plan('throws PlanError for an empty file, a file without any timestamp, and a unit the metric does not have', () => {
  assert.throws(() => planFile('a.csv', [''], opts()), (e: unknown) => e instanceof PlanError && /empty file/.test((e as Error).message));
  assert.throws(() => planFile('b.csv', ['x,y', 'foo,1'], opts()), /no timestamp column/);
  assert.throws(() => planFile('c.csv', ['ts,tempC', '1700000000,2'], opts({ units: { tempC: 'hPa' } })), /expected one of C, F, K/);
});
plan.run();

const helpers = suite('splitLine / parseNumber / parseColumnSpec');
helpers('splits CSV with quotes, TSV and whitespace', () => {
  assert.equal(splitLine('"a",b,,c', 'comma'), ['a', 'b', '', 'c']);
  assert.equal(splitLine('a\tb', 'tab'), ['a', 'b']);
  assert.equal(splitLine('  a   b  c ', 'whitespace'), ['a', 'b', 'c']);
});
helpers('accepts decimals and exponents, nothing else', () => {
  assert.is(parseNumber('21474840.0'), 21_474_840);
  assert.is(parseNumber('-48.65'), -48.65);
  assert.is(parseNumber('1e3'), 1000);
  for (const bad of ['', ' ', '0x10', 'NaN', 'Infinity', '1,5']) assert.is(parseNumber(bad), undefined, bad);
});
helpers('parses column roles and names the allowed metrics on error', () => {
  assert.equal(parseColumnSpec('ts'), { role: 'ts' });
  assert.equal(parseColumnSpec('-'), { role: 'skip' });
  assert.equal(parseColumnSpec('tempC'), { role: 'series', name: 'tempC', metric: 'tempC' });
  assert.equal(parseColumnSpec('door:state'), { role: 'series', name: 'door', metric: 'state' });
  assert.throws(() => parseColumnSpec('temp1'), /temp1 is not a metric; expected .*tempC/);
});
helpers.run();

const earlier = suite('planFile with units of earlier files');
earlier('reuses the unit of earlier files of a series when the first lines hold no value, and says so', () => {
  const lines = ['Timestamp,Pressure', ...Array.from({ length: 30 }, (_, i) => `${1_500_000_000 + i * 600},`)];
  const alone = planFile('empty-start.csv', lines, opts());
  assert.is(alone.columns[0].unit.unit, 'Pa');
  const p = planFile('empty-start.csv', lines, opts(), new Map([['pressurePa', 'hPa']]));
  assert.is(p.columns[0].unit.unit, 'hPa');
  assert.ok(p.assumptions.some((a) => a.endsWith('no value in the first lines, same unit as earlier files')));
});
earlier.run();
