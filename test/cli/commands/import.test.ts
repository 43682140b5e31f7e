import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { toImportOptions } from '../../../cli/commands/import.js';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const FIXTURE = join(ROOT, 'test/fixtures/bme280-livingroom');
const dir = mkdtempSync(join(tmpdir(), 'cli-import-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function sensorctl(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/sensorctl.ts'), '--data-dir', dir, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SENSORCTL_DATA_DIR: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cli = suite('sensorctl import');

cli('imports the fixture folder, exits 0 and prints the report as JSON with --json; status then shows the series', () => {
  const r = sensorctl('--json', 'import', FIXTURE, '--device', 'lr', '--series-prefix', 'bme280.');
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const temp = report.series.find((s: { seriesId: string }) => s.seriesId === 'bme280.tempC');
  assert.is(temp.counts.outOfRange, 3);
  assert.is(temp.stored, 10_909);
  assert.match(r.stderr, /^import: 100% of 0\.9 MB in 10 files, at /m, 'plain progress lines when stderr is not a TTY');
  const st = sensorctl('--json', 'status');
  assert.is(st.code, 0, st.stderr);
  const status = JSON.parse(st.stdout);
  assert.is(status.series.find((s: { seriesId: string }) => s.seriesId === 'bme280.tempC').count, 10_909);
  // The size is the database file (and its WAL, when one is left) as on disk, and per stored sample
  // (each one a `samples` row plus a `builder_journal` row, with their indexes) a few dozen bytes.
  const onDisk = [status.dbPath, `${status.dbPath}-wal`].filter((p) => existsSync(p)).reduce((sum, p) => sum + statSync(p).size, 0);
  assert.is(status.dbPath, join(dir, 'sensorctl.db'));
  assert.is(status.dbSizeBytes, onDisk);
  const stored = status.series.reduce((sum: number, s: { count: number }) => sum + s.count, 0);
  assert.is(stored, 10_909 + 10_908 + 15_081, 'tempC, pressurePa, rhPct');
  assert.is(status.bytesPerSample, status.dbSizeBytes / stored);
  assert.ok(status.bytesPerSample >= 20 && status.bytesPerSample <= 100, `${status.bytesPerSample} bytes/sample`);
  const text = sensorctl('status');
  assert.match(text.stdout, /lr\s+bme280\.tempC\s+tempC\s+°C\s+10909\s+2017-02-15T04:00:00\.000Z/, "first stored = 00:10 + 23 empty 10-min rows");
});

cli('prints what it assumed in the text report', () => {
  const r = sensorctl('import', join(FIXTURE, '2017/02/pressure.csv'), '--device', 'lr2');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /Pressure → pressurePa \(pressurePa, Pa\) from hPa: first value below 2000, read as hPa/);
  assert.match(r.stdout, /timestamps: epoch-s \(detected\)/);
});

cli('prints progress without the pass twice, a pluralised file count, and the short-step threshold', () => {
  const r = sensorctl('import', join(FIXTURE, '2019/02/humidity.csv'), '--device', 'lr3');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /^import: 100% of 0\.\d MB in 1 file, at 2019\/02\/humidity\.csv$|^import: 100% of 0\.\d MB in 1 file, at humidity\.csv$/m);
  assert.not.match(r.stderr, /import import/);
  assert.match(r.stdout, /Read 1 file \(/);
  assert.match(r.stdout, /rhPct short steps \(< 58\.0 s = typical \/ 10\) \(5\): humidity\.csv:2071 \(2\.214 s\)/);
});

cli('exits 2 (bad input) with a clear line when no file held anything to store, listing each file as skipped with why', () => {
  const inDir = join(dir, 'nothing');
  mkdirSync(inDir);
  writeFileSync(join(inDir, 'a.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]));
  writeFileSync(join(inDir, 'b.csv'), '');
  writeFileSync(join(inDir, 'c.csv'), 'Timestamp,Temperature\n');
  const r = sensorctl('import', inDir, '--device', 'none');
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stdout, /^a\.bin: skipped: not a text log: binary data/m);
  assert.match(r.stdout, /^b\.csv: skipped: empty file/m);
  assert.match(r.stdout, /^c\.csv: skipped: header only/m);
  assert.match(r.stdout, /Read 3 files \(3 skipped\)/);
  assert.match(r.stderr, /sensorctl: import: Nothing imported: all 3 files were skipped/);
  const progress = r.stderr.split('\n').filter((l) => l.startsWith('import:'));
  assert.is(progress[progress.length - 1], 'import: 100% of 0.0 MB in 3 files, at c.csv', r.stderr);
  for (const line of progress) assert.match(line, /^import: (\d|[1-9]\d|100)% of 0\.0 MB in 3 files, at [abc]\.(bin|csv)$/);
  const binary = sensorctl('import', join(inDir, 'a.bin'), '--device', 'none');
  assert.is(binary.code, 2);
  assert.match(binary.stderr, /^import: 100% of 0\.0 MB in 1 file, at a\.bin$/m);
  const emptyDir = join(dir, 'empty-folder');
  mkdirSync(emptyDir);
  const none = sensorctl('import', emptyDir, '--device', 'none');
  assert.is(none.code, 2);
  assert.match(none.stderr, /Nothing imported: no file to read/);
});

cli('exits 2 on a path that does not exist or bad options, in words and without a stack trace', () => {
  const missing = sensorctl('import', join(dir, 'nope.csv'));
  assert.is(missing.code, 2);
  assert.is(missing.stderr, `sensorctl: import ${join(dir, 'nope.csv')}: no such file or directory\n`);
  const bad = sensorctl('import', FIXTURE, '--range', 'tempC=50..-30');
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--range tempC=50\.\.-30: expected NAME=MIN\.\.MAX/);
  assert.not.match(bad.stderr, /at .*\.ts:\d+/);
});
cli.run();

const opts = suite('toImportOptions');
const base = { seriesPrefix: '', column: [], unit: [], range: [] };
opts('turns flags into options: columns, column map, offset zone, units, ranges', () => {
  const o = toImportOptions({ ...base, columns: 'ts,door:state,-', column: ['field1=tempC'], utcOffset: '+01:00', unit: ['Pressure=hPa'], range: ['tempC=-30..50'] });
  assert.equal(o.columns, [{ role: 'ts' }, { role: 'series', name: 'door', metric: 'state' }, { role: 'skip' }]);
  assert.equal(o.columnMap, { field1: { role: 'series', name: 'tempC', metric: 'tempC' } });
  assert.equal(o.zone, { kind: 'offset', offsetMin: 60 });
  assert.equal(o.units, { Pressure: 'hPa' });
  assert.equal(o.ranges, { tempC: { min: -30, max: 50 } });
});
opts('rejects --tz with --utc-offset, unknown zones, bad metrics and malformed pairs', () => {
  assert.throws(() => toImportOptions({ ...base, tz: 'UTC', utcOffset: '+01:00' }), /not both/);
  assert.throws(() => toImportOptions({ ...base, tz: 'Mars/Base' }), /not an IANA time zone/);
  assert.throws(() => toImportOptions({ ...base, columns: 'ts,temp1' }), /temp1 is not a metric/);
  assert.throws(() => toImportOptions({ ...base, column: ['field1'] }), /expected NAME=VALUE/);
  assert.throws(() => toImportOptions({ ...base, utcOffset: 'CET' }), /expected ±HH:MM/);
});
opts.run();
