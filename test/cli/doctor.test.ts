/**
 * `sensorctl doctor` as a child process against temp data dirs, a fixture hardware root
 * (SENSORCTL_HW_ROOT), real SQLite files and dynalite (DynamoDB) on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import type { CheckResult } from '../../agent/doctor/doctor.js';
import { formatChecklist } from '../../cli/commands/doctor.js';
import { windowObjectKey, type Granularity, type Window } from '../../builder/constants.js';
import { buildMeta, buildPayload, encodePayload, windowObjectWith } from '../support/snapshot-fixtures.js';

// dynalite ships no type declarations; typed here at the one call we make.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs: number }) => Server;
const ROOT = new URL('../..', import.meta.url).pathname;
const temps: string[] = [];
const temp = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `sensorctl-doctor-${name}-`));
  temps.push(d);
  return d;
};

/** Run `sensorctl --data-dir D [--config C] doctor --json`; resolves exit code and parsed checks. */
function doctor(dataDir: string, env: Record<string, string> = {}, config?: object): Promise<{ code: number | null; checks: Record<string, CheckResult>; stderr: string }> {
  const args = ['--import', 'tsx', 'cli/sensorctl.ts', '--data-dir', dataDir];
  if (config) {
    const path = join(dataDir, '..', `${Date.now()}-${Math.random()}.json`);
    writeFileSync(path, JSON.stringify(config));
    temps.push(path);
    args.push('--config', path);
  }
  args.push('doctor', '--json');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      let checks: Record<string, CheckResult> = {};
      try {
        checks = Object.fromEntries((JSON.parse(out) as { checks: CheckResult[] }).checks.map((c) => [c.id, c]));
      } catch {
        /* asserted by the caller */
      }
      resolve({ code, checks, stderr: err });
    });
  });
}

const run = suite('sensorctl doctor');

run('on this machine: reports every check without crashing; missing hardware is a warning, not a failure', async () => {
  const r = await doctor(temp('host'));
  assert.equal(Object.keys(r.checks), ['i2c', 'gpio', 'one-wire', 'clock', 'disk', 'database', 'wal', 'cloud', 'snapshots'], r.stderr);
  for (const c of Object.values(r.checks)) assert.ok(['ok', 'warn', 'skip'].includes(c.status), `${c.id}: ${c.status} ${c.detail}`);
  assert.is(r.code, 0);
});

run('with an empty hardware root: I2C, GPIO and 1-Wire are missing (warn with fixes), clock unknown', async () => {
  const r = await doctor(temp('data'), { SENSORCTL_HW_ROOT: temp('hw-empty') });
  for (const id of ['i2c', 'gpio', 'one-wire', 'clock']) {
    assert.is(r.checks[id].status, 'warn', id);
    assert.ok(r.checks[id].fix, `${id} has a fix`);
  }
  assert.match(r.checks.i2c.detail, /not present/);
  assert.is(r.checks.database.status, 'skip');
  assert.is(r.checks.cloud.status, 'skip');
  assert.is(r.code, 0);
});

run('with a fixture tree holding /dev/i2c-1, /dev/gpiochip0, 1-Wire devices and the timesync flag: all ok', async () => {
  const hw = temp('hw');
  for (const d of ['dev', 'sys/bus/w1/devices/28-000005e2fdc3', 'sys/bus/w1/devices/w1_bus_master1', 'run/systemd/timesync']) mkdirSync(join(hw, d), { recursive: true });
  for (const f of ['dev/i2c-1', 'dev/gpiochip0', 'run/systemd/timesync/synchronized']) writeFileSync(join(hw, f), '');
  const r = await doctor(temp('data'), { SENSORCTL_HW_ROOT: hw });
  assert.is(r.checks.i2c.status, 'ok');
  assert.match(r.checks.i2c.detail, /i2c-1/);
  assert.is(r.checks.gpio.status, 'ok');
  assert.is(r.checks['one-wire'].status, 'ok');
  assert.match(r.checks['one-wire'].detail, /^1 device/);
  assert.is(r.checks.clock.status, 'ok');
});

run('checks a real SQLite buffer with quick_check, and fails (exit 1) on a damaged file', async () => {
  const good = temp('db-good');
  const buffer = SqliteBuffer.open(join(good, 'sensorctl.db'));
  buffer.defineSeries([{ deviceId: 'pi', seriesId: 'sim0.tempC', sensorId: 'sim0', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
  buffer.insert('pi', [{ seriesId: 'sim0.tempC', tsMs: 1_700_000_000_000, value: 21.5 }]);
  buffer.close();
  const ok = await doctor(good, { SENSORCTL_HW_ROOT: temp('hw') }, { deviceId: 'pi', sensors: [{ type: 'simulated', id: 'sim0', intervalMs: 5000 }] });
  assert.is(ok.checks.database.status, 'ok', ok.checks.database.detail);
  // 1 series (from the database) every 5 s: 365 × 86400 / 5 = 6,307,200 samples a year.
  assert.match(ok.checks.disk.detail, /6,307,200 samples × 40 B/);
  const bad = temp('db-bad');
  writeFileSync(join(bad, 'sensorctl.db'), Buffer.alloc(8192, 0x5a));
  const r = await doctor(bad, { SENSORCTL_HW_ROOT: temp('hw') });
  assert.is(r.checks.database.status, 'fail', r.checks.database.detail);
  assert.is(r.code, 1);
});

run('reads the metas of the window objects: stale, overdue and unreadable snapshots are a warning naming the counts', async () => {
  const data = temp('snap');
  const dir = join(data, 'snapshots', 'pi');
  mkdirSync(dir, { recursive: true });
  const now = Date.now();
  /** The window object of `window` with the given granularities built (the others never built). */
  const object = (window: Window, built: Array<{ g: Granularity; stale: boolean; expiresInMs: number }>) => {
    let bytes: Uint8Array | undefined;
    for (const b of built) {
      const payload = buildPayload({ device: 'pi', window, granularity: b.g, toMs: now - 60_000, generatedAtMs: now - 60_000, series: [] });
      const body = encodePayload(payload);
      bytes = windowObjectWith(bytes, buildMeta(payload, body, { stale: b.stale, expiresAt: new Date(now + b.expiresInMs).toISOString() }), body);
    }
    return bytes!;
  };
  writeFileSync(join(dir, windowObjectKey('1h')), object('1h', [{ g: 20, stale: false, expiresInMs: 3_600_000 }, { g: 100, stale: true, expiresInMs: 3_600_000 }]));
  writeFileSync(join(dir, windowObjectKey('1d')), object('1d', [{ g: 20, stale: false, expiresInMs: -1_000 }]));
  const r = await doctor(data, { SENSORCTL_HW_ROOT: temp('hw') });
  assert.is(r.checks.snapshots.status, 'warn');
  // Two window objects, four metas each (the granularities never built count, neither stale nor overdue).
  const m = /^8 snapshot meta\(s\) for pi; newest (\d+) s old; 1 stale, 1 overdue, 0 unreadable$/.exec(r.checks.snapshots.detail);
  assert.ok(m && Number(m[1]) >= 60 && Number(m[1]) < 120, r.checks.snapshots.detail);
  writeFileSync(join(dir, windowObjectKey('10h')), 'not a window object');
  const broken = await doctor(data, { SENSORCTL_HW_ROOT: temp('hw') });
  assert.is(broken.checks.snapshots.status, 'warn');
  assert.match(broken.checks.snapshots.detail, /^9 snapshot meta\(s\) for pi; newest \d+ s old; 1 stale, 1 overdue, 1 unreadable$/, 'the unreadable window object is one entry');
});

run('snapshots all fresh: ok; a data dir with only files of the earlier layout has no window object (warn)', async () => {
  const data = temp('snap-ok');
  const dir = join(data, 'snapshots', 'pi');
  mkdirSync(dir, { recursive: true });
  const now = Date.now();
  const payload = buildPayload({ device: 'pi', window: '1h', granularity: 20, toMs: now - 5_000, generatedAtMs: now - 5_000, series: [] });
  const body = encodePayload(payload);
  writeFileSync(join(dir, windowObjectKey('1h')), windowObjectWith(undefined, buildMeta(payload, body), body));
  const ok = await doctor(data, { SENSORCTL_HW_ROOT: temp('hw') });
  assert.is(ok.checks.snapshots.status, 'ok', ok.checks.snapshots.detail);
  assert.match(ok.checks.snapshots.detail, /^4 snapshot meta\(s\) for pi; newest \d+ s old; 0 stale, 0 overdue, 0 unreadable$/);
  const old = temp('snap-old');
  mkdirSync(join(old, 'snapshots', 'pi'), { recursive: true });
  writeFileSync(join(old, 'snapshots', 'pi', 'latest_1h_20.meta.json'), JSON.stringify({ generatedAt: new Date(now).toISOString(), stale: false }));
  const none = await doctor(old, { SENSORCTL_HW_ROOT: temp('hw') });
  assert.is(none.checks.snapshots.status, 'warn');
  assert.match(none.checks.snapshots.detail, /^no window object \(latest_<w>\.snapshots\) under <snapshot dir>\/snapshots yet/);
});

run('cloud: a missing table fails, an existing one passes, against dynalite; credentials are never printed', async () => {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const secret = 'doctorTestSecretKey0123456789';
  const env = { SENSORCTL_HW_ROOT: temp('hw'), AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_ACCESS_KEY_ID: 'AKIDDOCTORTEST', AWS_SECRET_ACCESS_KEY: secret, AWS_REGION: 'eu-west-1' };
  try {
    const config = { deviceId: 'pi', cloud: { table: 'samples', region: 'eu-west-1' } };
    const missing = await doctor(temp('cloud'), env, config);
    assert.is(missing.checks.cloud.status, 'fail');
    assert.match(missing.checks.cloud.detail, /no-table/);
    assert.is(missing.code, 1);
    const client = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    await client.send(new CreateTableCommand({
      TableName: 'samples', BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'deviceId', KeyType: 'HASH' }, { AttributeName: 'tsMs', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'deviceId', AttributeType: 'S' }, { AttributeName: 'tsMs', AttributeType: 'N' }],
    }));
    client.destroy();
    const present = await doctor(temp('cloud'), env, config);
    assert.is(present.checks.cloud.status, 'ok', present.checks.cloud.detail);
    assert.not.ok(JSON.stringify(present.checks).includes(secret) || JSON.stringify(present.checks).includes('AKIDDOCTORTEST'));
  } finally {
    await new Promise((r) => server.close(r));
  }
});

run('cloud: an unreachable endpoint fails as unreachable within the timeout', async () => {
  const env = { SENSORCTL_HW_ROOT: temp('hw'), AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' };
  const r = await doctor(temp('cloud'), env, { cloud: { table: 'samples', region: 'eu-west-1' } });
  assert.is(r.checks.cloud.status, 'fail');
  assert.match(r.checks.cloud.detail, /unreachable/);
});

run.after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

run.run();

const text = suite('formatChecklist');

text('prints one marked line per check, the fix below warn/fail lines, and the totals', () => {
  const out = formatChecklist([
    { id: 'i2c', title: 'I2C bus', status: 'warn', detail: 'not present on this machine', fix: 'enable I2C' },
    { id: 'disk', title: 'Disk space for a year of data', status: 'ok', detail: '481.2 MiB for a year' },
    { id: 'database', title: 'Database integrity', status: 'fail', detail: 'quick_check reported 1 problem(s)', fix: 'recover' },
    { id: 'cloud', title: 'Cloud reachability and credentials', status: 'skip', detail: 'no cloud section in the config' },
  ]);
  assert.is(out, [
    '[warn] I2C bus: not present on this machine',
    '       fix: enable I2C',
    '[ ok ] Disk space for a year of data: 481.2 MiB for a year',
    '[FAIL] Database integrity: quick_check reported 1 problem(s)',
    '       fix: recover',
    '[skip] Cloud reachability and credentials: no cloud section in the config',
    '',
    '1 ok, 1 warning(s), 1 failed, 1 skipped',
  ].join('\n'));
});

text.run();
