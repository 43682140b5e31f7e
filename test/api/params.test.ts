import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiError } from '../../api/errors.js';
import { LATEST_PARAMS, parseDevice, parseSamples, parseSnapshotParams, parseWindow, singleValues } from '../../api/params.js';

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

const windows = suite('parseWindow');
windows('maps every alias of the matrix to its window', () => {
  const table: Array<[string, string, string]> = [
    ['window', '12m', '12m'], ['minutes', '60', '1h'], ['hours', '1', '1h'], ['hours', '10', '10h'],
    ['days', '1', '1d'], ['days', '10', '10d'], ['months', '3', '3m'], ['months', '12', '12m'],
  ];
  for (const [name, value, expected] of table) assert.is(parseWindow(new Map([[name, value]])), expected, `${name}=${value}`);
});
windows('rejects values outside the matrix, including inherited object keys', () => {
  for (const [name, value] of [['minutes', '120'], ['hours', 'constructor'], ['window', '__proto__'], ['days', '01']]) {
    const err = errorOf(() => parseWindow(new Map([[name, value]])));
    assert.equal([err.status, err.parameter], [400, name], `${name}=${value}`);
  }
});

const samples = suite('parseSamples');
samples('accepts plain integers 1–500 and defaults to 500', () => {
  assert.equal([parseSamples(undefined), parseSamples('1'), parseSamples('500'), parseSamples('137')], [500, 1, 500, 137]);
});
samples('rejects signs, exponents, fractions, leading zeros, spaces and huge values', () => {
  for (const v of ['0', '501', '1e2', '+5', '-5', '2.0', '020', ' 5', '5 ', '0x10', '', '９', '1'.repeat(400)]) {
    assert.is(errorOf(() => parseSamples(v)).parameter, 'samples', JSON.stringify(v));
  }
});

const device = suite('parseDevice');
device('accepts device ids and rejects path tricks', () => {
  assert.is(parseDevice('pi-kitchen.2'), 'pi-kitchen.2');
  for (const v of ['../x', '.hidden', 'a/b', '', 'a'.repeat(65), 'pi%2Fx', 'pi\u0000']) assert.is(errorOf(() => parseDevice(v)).parameter, 'device', v);
});

const single = suite('singleValues');
single('rejects unknown and repeated names and cuts long names', () => {
  assert.is(errorOf(() => singleValues([['window', '1h'], ['window', '1h']], LATEST_PARAMS)).code, 'repeated_parameter');
  const unknown = errorOf(() => singleValues([['x'.repeat(500), '1']], LATEST_PARAMS));
  assert.equal([unknown.code, unknown.parameter!.length], ['unknown_parameter', 64]);
  assert.ok(unknown.message.length < 100);
});

const params = suite('parseSnapshotParams');
params('parses a full query', () => {
  assert.equal(parseSnapshotParams(new URLSearchParams('hours=10&samples=50&device=pi-1&fresh=true'), LATEST_PARAMS),
    { window: '10h', samples: 50, device: 'pi-1', fresh: true, versionId: undefined });
});

windows.run();
samples.run();
device.run();
single.run();
params.run();
