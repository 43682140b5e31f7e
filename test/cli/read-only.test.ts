/**
 * Issue 12: a read-only data directory (the classic SD-card failure). The real CLI as a child
 * process over a real SQLite file in a directory made read-only by `makeReadOnly` (chmod as a normal
 * user; a read-only bind mount as root, where chmod does not stop writes: the test prints which).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { runBuild } from '../../builder/run-build.js';
import { silentLog } from '../../builder/ports.js';
import { piBuildDeps } from '../../pi/pi-build-deps.js';
import { makeReadOnly } from '../support/read-only-dir.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const AT = Date.UTC(2026, 10, 30, 12);
const ro = suite('a read-only data directory');
const dir = mkdtempSync(join(tmpdir(), 'sensorctl-ro-'));
let restore = () => {};

ro.before(async () => {
  const buffer = SqliteBuffer.open(join(dir, 'sensorctl.db'));
  buffer.defineSeries([{ deviceId: 'pi', seriesId: 'bme.tempC', sensorId: 'bme', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
  buffer.insert('pi', Array.from({ length: 360 }, (_, i) => ({ seriesId: 'bme.tempC', tsMs: AT - i * 10_000, value: 20 + i / 100 })));
  await runBuild(piBuildDeps({ source: buffer, snapshotDir: dir, deviceId: 'pi', log: silentLog, clock: { nowMs: () => AT } }), {});
  buffer.close(); // checkpointed: no -wal, no -shm (SQLite cannot create them now)
  const h = makeReadOnly(dir);
  console.log(`  (read-only by ${h.how})`);
  restore = h.restore;
});
ro.after(() => {
  restore();
  rmSync(dir, { recursive: true, force: true });
});

const sensorctl = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', '--data-dir', dir, ...args], { cwd: ROOT, encoding: 'utf8' });
const NAMED = () => new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is read-only \\((read-only file system \\(EROFS\\)|no write permission \\(EACCES\\))\\)`);

ro('status works read-only and says what is read-only (text and --json)', () => {
  const r = sensorctl('status', '--device', 'pi');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^READ-ONLY: ${NAMED().source}`));
  assert.match(r.stdout, /bme\.tempC\s+tempC\s+°C\s+360/);
  // the fix fits the cause: a read-only mount (as root) is remounted; a permission (as a user) is granted
  assert.match(r.stdout, /\(EROFS\)/.test(r.stdout) ? 'remount it read-write' : 'sudo -u sensorctl');
  const j = JSON.parse(sensorctl('--json', 'status', '--device', 'pi').stdout) as { readOnly?: { path: string }; series: Array<{ count: number }> };
  assert.equal([j.readOnly?.path, j.series[0].count], [dir, 360]);
});

ro('export works read-only: every stored sample, and a warning naming the path', () => {
  const r = sensorctl('export', '--device', 'pi', '--window', '1d', '--at', new Date(AT).toISOString());
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim().split('\n').length, 1 + 360);
  assert.match(r.stderr, NAMED());
});

ro('run stops at once, naming the path and saying it is read-only', () => {
  const r = sensorctl('run', '--port', '0');
  assert.is(r.status, 1);
  assert.match(r.stderr, NAMED());
  assert.not.match(r.stderr, /^sensorctl: attempt to write a readonly database$/m);
});

ro('doctor fails on it, naming the path', () => {
  const r = sensorctl('--json', 'doctor');
  assert.is(r.status, 1, r.stderr);
  const db = (JSON.parse(r.stdout) as { checks: Array<{ id: string; status: string; detail: string }> }).checks.find((c) => c.id === 'database')!;
  assert.is(db.status, 'fail');
  assert.match(db.detail, NAMED());
});

ro('serve works read-only: the stored snapshot is served', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', '--data-dir', dir, '--json', 'serve', '--port', '0'], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        const m = /"url": "([^"]+)"/.exec(out);
        if (m) resolve(m[1].replace(/\/$/, ''));
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    const res = await fetch(`${url}/samples/latest?window=1h&samples=100&device=pi`);
    assert.is(res.status, 200, await res.clone().text());
    assert.match(stderr, NAMED());
  } finally {
    child.kill('SIGTERM');
  }
});

ro.run();

/**
 * A data dir this user may not write, on a writable file system: the service's /var/lib/sensorctl
 * read by another user after `systemctl stop` (no `-shm`, so SQLite answers SQLITE_READONLY_DIRECTORY,
 * not CANTOPEN as on a read-only mount). As root the CLI runs as `nobody` (setpriv), as a normal user
 * the directory is chmod 555. Reported by a fresh-clone check: status/export/serve exited 1 with
 * "attempt to write a readonly database".
 */
const other = suite('a data dir owned by another user');
const otherDir = mkdtempSync(join(tmpdir(), 'sensorctl-owned-'));
const asRoot = process.getuid?.() === 0;

other.before(() => {
  const buffer = SqliteBuffer.open(join(otherDir, 'sensorctl.db'));
  buffer.defineSeries([{ deviceId: 'pi', seriesId: 'bme.tempC', sensorId: 'bme', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
  buffer.insert('pi', Array.from({ length: 120 }, (_, i) => ({ seriesId: 'bme.tempC', tsMs: AT - i * 10_000, value: 20 + i / 100 })));
  buffer.close();
  chmodSync(otherDir, asRoot ? 0o755 : 0o555);
});
other.after(() => {
  chmodSync(otherDir, 0o755);
  rmSync(otherDir, { recursive: true, force: true });
});

const asOtherUser = (...args: string[]) => {
  const cli = [process.execPath, '--import', 'tsx', 'cli/sensorctl.ts', '--data-dir', otherDir, ...args];
  const [cmd, ...rest] = asRoot ? ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', ...cli] : cli;
  return spawnSync(cmd, rest, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HOME: tmpdir() } });
};

other('status and export read it, saying it is not writable and giving the permission fix', () => {
  const s = asOtherUser('status', '--device', 'pi');
  assert.is(s.status, 0, s.stderr);
  assert.match(s.stdout, /^READ-ONLY: .* \(no write permission \(EACCES\)\)/);
  assert.match(s.stdout, 'sudo -u sensorctl');
  assert.match(s.stdout, /bme\.tempC\s+tempC\s+°C\s+120/);
  const e = asOtherUser('export', '--device', 'pi', '--window', '1d', '--at', new Date(AT).toISOString());
  assert.is(e.status, 0, e.stderr);
  assert.is(e.stdout.trim().split('\n').length, 1 + 120);
});

other.run();
