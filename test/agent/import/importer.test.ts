import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ImportSession } from '../../../agent/import/importer.js';
import type { ImportOptions } from '../../../agent/import/plan.js';
import { PlanError } from '../../../agent/import/plan.js';
import { MemoryBuffer } from '../../support/memory-buffer.js';

const opts: ImportOptions = { seriesPrefix: 'x.', columnMap: {}, units: {}, ranges: {} };

function feed(lines: string[], batchRows = 2) {
  const b = new MemoryBuffer();
  const s = new ImportSession(opts, 'pi', { define: (i) => b.defineSeries([i]), insert: (x) => b.insert('pi', x) }, 0, batchRows);
  s.beginFile('f.csv', lines);
  lines.forEach((l, i) => s.line(l, i + 1));
  return { report: s.finish(), b };
}

const session = suite('ImportSession');

session('counts every kind of bad line, keeps going, and stores every valid value', () => {
  const { report, b } = feed([
    'ts,tempC,rhPct',
    '1700000000,21.5,40',
    '1700000060,21.6',            // 2 fields: malformed for both series
    'yesterday,21.7,41',           // bad timestamp
    '1700000120,abc,41',           // tempC malformed, rhPct fine
    '1700000180,,42',              // tempC empty
    '1700000240,99,142',           // both out of range
    '',
    '1700000300,21.8,43',
  ]);
  const [t, h] = report.series;
  assert.is(t.seriesId, 'x.tempC');
  assert.equal([t.rowsRead, t.counts.malformed, t.counts.empty, t.counts.outOfRange, t.stored], [7, 3, 1, 1, 2]);
  assert.equal([h.rowsRead, h.counts.malformed, h.counts.outOfRange, h.stored], [7, 2, 1, 4]);
  assert.equal(t.firstLocations.malformed, ['f.csv:3 (2 fields, expected 3)', 'f.csv:4 (timestamp "yesterday" is not epoch-s)', 'f.csv:5 (value "abc" is not a number)']);
  assert.equal(b.stats('pi').map((s) => [s.seriesId, s.count, s.sensorId]), [['x.rhPct', 4, 'x'], ['x.tempC', 2, 'x']]);
  assert.is(report.stored, 6);
});

session('issue 12: refuses a row stamped before 2000-01-01 (1970-01-01T00:00:00Z would overwrite the cloud catalogue item)', () => {
  const { report, b } = feed(['ts,tempC', '1970-01-01T00:00:00Z,21', '1999-12-31T23:59:59Z,22', '2000-01-01T00:00:00Z,23']);
  const [t] = report.series;
  assert.equal([t.rowsRead, t.counts.malformed, t.stored], [3, 2, 1]);
  assert.equal(t.firstLocations.malformed, [
    'f.csv:2 (timestamp "1970-01-01T00:00:00Z" is 1970-01-01T00:00:00.000Z, before 2000-01-01T00:00:00.000Z (the earliest time a sample may carry))',
    'f.csv:3 (timestamp "1999-12-31T23:59:59Z" is 1999-12-31T23:59:59.000Z, before 2000-01-01T00:00:00.000Z (the earliest time a sample may carry))',
  ]);
  assert.equal(b.stats('pi').map((s) => [s.seriesId, s.count]), [['x.tempC', 1]]);
});

session('a row at an instant read before is a conflict (another value) or a repeat, not "already stored"; a second import counts them as already stored', () => {
  const b = new MemoryBuffer();
  const sink = { define: (i: Parameters<MemoryBuffer['defineSeries']>[0][0]) => b.defineSeries([i]), insert: (x: Parameters<MemoryBuffer['insert']>[1]) => b.insert('pi', x) };
  const lines = ['ts,tempC', '1700000000,1', '1700000060,2', '1700000060,3', '1700000000,1'];
  const run = () => {
    const s = new ImportSession(opts, 'pi', sink);
    s.beginFile('f.csv', lines);
    lines.forEach((l, i) => s.line(l, i + 1));
    return s.finish().series[0];
  };
  const first = run();
  // Before issue 17 the first import called the conflicting 3 "already stored" (duplicate 1).
  assert.equal([first.stored, first.counts.duplicate, first.counts.conflict, first.counts.repeat, first.counts.zeroStep], [2, 0, 1, 1, 1]);
  assert.equal(first.firstLocations.conflict, ['f.csv:4 (3 °C; 2 °C at f.csv:3; that one kept)']);
  const again = run();
  assert.equal([again.stored, again.counts.duplicate, again.counts.conflict, again.counts.repeat], [0, 2, 1, 1]);
});

session('finds the header after leading blank lines', () => {
  const { report } = feed(['', 'ts,tempC', '1700000000,20', '1700000060,21']);
  assert.equal([report.series[0].rowsRead, report.series[0].stored, report.series[0].counts.malformed], [2, 2, 0]);
});

session('skips a file it cannot plan and lists it in the report', () => {
  const s = new ImportSession(opts, 'pi', undefined);
  assert.instance(s.beginFile('empty.csv', []), PlanError);
  assert.equal(s.finish().skippedFiles, [{ file: 'empty.csv', reason: 'empty file: no line to read' }]);
});

session('lists a file with no value column, or one the adapter found not to be text, as skipped and counts it', () => {
  const s = new ImportSession(opts, 'pi', undefined);
  const lines = ['ts,name', '1700000000,foo'];
  s.beginFile('names.csv', lines);
  lines.forEach((l, i) => s.line(l, i + 1));
  assert.instance(s.skipFile('photo.jpg', 'not a text log: binary data'), PlanError);
  const r = s.finish();
  assert.is(r.files, 2);
  assert.equal(r.skippedFiles.map((x) => x.file), ['names.csv', 'photo.jpg']);
  assert.match(r.skippedFiles[0].reason, /^no value column recognised \(name\)/);
});
session.run();
