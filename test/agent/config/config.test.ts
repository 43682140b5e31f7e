import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { INSTALLED_RUNTIME_DIR, deviceIdFromHostname, parseConfig, resolveSnapshotDir } from '../../../agent/config/config.js';
import { ConfigError } from '../../../agent/config/errors.js';

const config = suite('parseConfig');

function errorOf(raw: unknown): ConfigError {
  try {
    parseConfig(raw, 'raspberrypi');
  } catch (err) {
    assert.instance(err, ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

config('fills the defaults: device id from the host name, 127.0.0.1:8080, no sensors, no cloud, samples committed every 60 s', () => {
  const c = parseConfig({}, 'raspberrypi');
  assert.equal(c, { deviceId: 'raspberrypi', http: { host: '127.0.0.1', port: 8080, corsOrigins: ['*'] }, sensors: [], storage: { commitEveryMs: 60_000 } });
  assert.is(deviceIdFromHostname('my pi (kitchen)'), 'my-pi--kitchen-');
});

config('keeps valid http settings', () => {
  const c = parseConfig({ http: { host: '0.0.0.0', port: 9000, corsOrigins: ['https://example.org'] } }, 'h');
  assert.equal(c.http, { host: '0.0.0.0', port: 9000, corsOrigins: ['https://example.org'] });
});

config('names the key and what is allowed for typos and wrong types, at the top level and inside http', () => {
  assert.is(errorOf({ devicId: 'x' }).key, 'devicId');
  const typo = errorOf({ http: { prot: 8090 } });
  assert.is(typo.key, 'http.prot');
  assert.match(typo.message, /allowed: host, port, corsOrigins/);
  assert.is(errorOf({ http: { port: 70000 } }).key, 'http.port');
  assert.match(errorOf({ http: { port: '80' } }).message, /expected an integer 0–65535/);
  assert.is(errorOf({ http: { corsOrigins: 'https://x' } }).key, 'http.corsOrigins');
  assert.is(errorOf({ http: [] }).key, 'http');
  assert.is(errorOf({ deviceId: 'bad id' }).key, 'deviceId');
  assert.is(errorOf([]).key, '(root)');
});

config('storage.commitEveryMs: 0 (every sample) to 600 000 ms; anything else is named', () => {
  assert.is(parseConfig({ storage: { commitEveryMs: 0 } }, 'h').storage.commitEveryMs, 0);
  assert.is(parseConfig({ storage: { commitEveryMs: 10_000 } }, 'h').storage.commitEveryMs, 10_000);
  assert.match(errorOf({ storage: { commitEveryMs: -1 } }).message, /expected an integer 0–600000/);
  assert.is(errorOf({ storage: { commitEveryMs: 3_600_000 } }).key, 'storage.commitEveryMs');
  assert.is(errorOf({ storage: { commitEvery: 1000 } }).key, 'storage.commitEvery');
});

config('storage.snapshotDir: an absolute directory; anything else is named with what is allowed (issue 13)', () => {
  assert.is(parseConfig({ storage: { snapshotDir: '/run/sensorctl' } }, 'h').storage.snapshotDir, '/run/sensorctl');
  assert.is(parseConfig({ storage: { commitEveryMs: 0 } }, 'h').storage.snapshotDir, undefined);
  for (const bad of ['var/snapshots', '', 42, null, ['/run']]) {
    const e = errorOf({ storage: { snapshotDir: bad } });
    assert.is(e.key, 'storage.snapshotDir', JSON.stringify(bad));
    assert.match(e.message, /expected an absolute directory such as "\/run\/sensorctl"/);
  }
  assert.match(errorOf({ storage: { snapshotdir: '/run/x' } }).message, /allowed: commitEveryMs, snapshotDir/);
});

config('resolveSnapshotDir: the key, else $RUNTIME_DIRECTORY, else /run/sensorctl for the installed data dir when it exists, else the data dir', () => {
  const env = { dataDir: '/var/lib/sensorctl', installedDataDir: '/var/lib/sensorctl', installedRuntimeDirExists: () => true };
  assert.is(resolveSnapshotDir({ snapshotDir: '/mnt/ram' }, { ...env, runtimeDirectory: '/run/sensorctl' }), '/mnt/ram');
  assert.is(resolveSnapshotDir({}, { ...env, dataDir: '/srv/x', runtimeDirectory: '/run/other:/run/second' }), '/run/other');
  assert.is(resolveSnapshotDir({}, env), INSTALLED_RUNTIME_DIR, 'a shell command on the installed data dir sees what the service built');
  assert.is(resolveSnapshotDir({}, { ...env, installedRuntimeDirExists: () => false }), '/var/lib/sensorctl');
  assert.is(resolveSnapshotDir({}, { ...env, dataDir: '/home/me/var' }), '/home/me/var', 'a development data dir never looks in /run/sensorctl');
});

config.run();
