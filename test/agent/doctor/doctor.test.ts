import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BYTES_PER_SAMPLE, evaluate, formatBytes, isHealthy, samplesPerYear, type DoctorFacts } from '../../../agent/doctor/doctor.js';

const NOW = Date.UTC(2026, 0, 1);
function facts(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    nowMs: NOW, i2cDevices: [], needs: { i2c: false, gpio: false, oneWire: false }, gpioSysfs: undefined, gpioChips: [],
    oneWireDevices: undefined, ntpSynchronized: true, timesyncFlag: false, disk: { path: '/var/lib/sensorctl', freeBytes: 10 * 2 ** 30 },
    samplesPerYear: samplesPerYear(4, 10_000), rateSource: 'test', dbBytes: 0, walBytes: 0, database: undefined, storage: { isWritable: true }, recoveries: [], recoveryMarker: '/var/lib/sensorctl/sensorctl.db.corrupt.json', cloud: undefined, snapshotMetas: [], ...over,
  };
}
const byId = (f: DoctorFacts) => Object.fromEntries(evaluate(f).map((r) => [r.id, r]));

const rates = suite('samplesPerYear');
rates('4 series every 10 s make 12,614,400 samples a year (365 d)', () => {
  assert.is(samplesPerYear(4, 10_000), 4 * 365 * 8640);
  assert.is(formatBytes(samplesPerYear(4, 10_000) * BYTES_PER_SAMPLE), '481.2 MiB');
});
rates.run();

const ev = suite('evaluate');

ev('issue 12: the WAL size is checked: ok up to 16 MiB, warn above, fail above 128 MiB (the 161 MiB seen); skipped without a database', () => {
  const MiB = 2 ** 20;
  const database = { path: '/var/lib/sensorctl/sensorctl.db', quickCheck: ['ok'] };
  assert.is(byId(facts()).wal.status, 'skip');
  assert.is(byId(facts({ database, walBytes: 4 * MiB })).wal.status, 'ok');
  const warn = byId(facts({ database, walBytes: 40 * MiB })).wal;
  assert.is(warn.status, 'warn');
  assert.is(warn.detail, '/var/lib/sensorctl/sensorctl.db-wal: 40.0 MiB (warn above 16.0 MiB, fail above 128.0 MiB)');
  const fail = byId(facts({ database, walBytes: 161 * MiB }));
  assert.is(fail.wal.status, 'fail');
  assert.not.ok(isHealthy(evaluate(facts({ database, walBytes: 161 * MiB }))));
});

ev('missing hardware is a warning, unless a configured sensor needs it (then a failure)', () => {
  assert.is(byId(facts()).i2c.status, 'warn');
  const needed = byId(facts({ needs: { i2c: true, gpio: true, oneWire: true } }));
  assert.is(needed.i2c.status, 'fail');
  assert.is(needed.gpio.status, 'fail');
  assert.is(needed['one-wire'].status, 'fail');
});

ev('a device node without read/write access fails with the group to join', () => {
  const r = byId(facts({ i2cDevices: [{ path: '/dev/i2c-1', isAccessible: false }] })).i2c;
  assert.is(r.status, 'fail');
  assert.match(r.fix!, /usermod -aG i2c sensorctl/);
});

ev('disk: less free space than a year needs fails; under 1.5× warns; otherwise ok', () => {
  const year = samplesPerYear(4, 10_000) * BYTES_PER_SAMPLE; // 504,576,000 B
  assert.is(byId(facts({ disk: { path: '/', freeBytes: year - 1 } })).disk.status, 'fail');
  assert.is(byId(facts({ disk: { path: '/', freeBytes: year * 1.2 } })).disk.status, 'warn');
  assert.is(byId(facts({ disk: { path: '/', freeBytes: year * 2 } })).disk.status, 'ok');
  // Data already stored counts toward the year.
  assert.is(byId(facts({ disk: { path: '/', freeBytes: year / 2 }, dbBytes: year * 0.8 })).disk.status, 'ok');
});

ev('cloud: denied DescribeTable means the credentials were accepted (ok); bad credentials fail with a fix', () => {
  assert.is(byId(facts({ cloud: { table: 't', region: 'r', outcome: 'denied', message: '' } })).cloud.status, 'ok');
  const bad = byId(facts({ cloud: { table: 't', region: 'r', outcome: 'bad-credentials', message: 'x' } })).cloud;
  assert.is(bad.status, 'fail');
  assert.ok(bad.fix);
});

ev('clock: NTP false warns; unknown falls back to the timesync flag', () => {
  assert.is(byId(facts({ ntpSynchronized: false })).clock.status, 'warn');
  assert.is(byId(facts({ ntpSynchronized: undefined, timesyncFlag: true })).clock.status, 'ok');
  assert.is(byId(facts({ ntpSynchronized: undefined })).clock.status, 'warn');
});

ev('is healthy exactly when nothing failed', () => {
  assert.ok(isHealthy(evaluate(facts())));
  assert.not.ok(isHealthy(evaluate(facts({ database: { path: 'x', quickCheck: ['*** in database main ***'] } }))));
});

ev.run();
