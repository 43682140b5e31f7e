import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { APP_DIR } from '../../platform/app-dir.js';
import { InstallError, readUnitTemplate, renderUnit } from '../../systemd/unit.js';
import { INSTALLED_RUNTIME_DIR } from '../../agent/config/config.js';

// ExecStart's binary must exist for `systemd-analyze verify`; a Node.js under /home (nvm on a CI
// runner) is refused by renderUnit (ProtectHome=yes), so then /bin/sh stands in for it. The script
// path after it is not checked by verify, so the app dir is the documented /opt/sensorctl.
const NODE = /^\/(home|root)\//.test(process.execPath) ? '/bin/sh' : process.execPath;
const VALUES = { node: NODE, appDir: '/opt/sensorctl', user: 'sensorctl', group: 'sensorctl' };

/** Directives of one section as [key, value] pairs, in order. */
function directives(unit: string, section: string): Array<[string, string]> {
  const body = unit.split(/^\[/m).find((s) => s.startsWith(`${section}]`)) ?? '';
  return body.split('\n').slice(1).filter((l) => /^[A-Za-z]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}
const value = (unit: string, section: string, key: string) => directives(unit, section).filter(([k]) => k === key).map(([, v]) => v);

/** systemd-analyze verify on a unit text in a temp dir; returns exit status and combined output. */
function verify(text: string): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sensorctl-unit-'));
  try {
    writeFileSync(join(dir, 'sensorctl.service'), text);
    const r = spawnSync('systemd-analyze', ['verify', join(dir, 'sensorctl.service')], { encoding: 'utf8', cwd: dir });
    if (r.error) throw r.error;
    return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const render = suite('renderUnit');

render('fills every placeholder with the node binary, app dir and user', () => {
  const unit = renderUnit(readUnitTemplate(), VALUES);
  assert.not.match(unit, /@[A-Z_]+@/);
  assert.equal(value(unit, 'Service', 'ExecStart'), [`${NODE} /opt/sensorctl/dist/cli/sensorctl.js --config /etc/sensorctl/config.json --data-dir /var/lib/sensorctl run`]);
  assert.equal(value(unit, 'Service', 'User'), ['sensorctl']);
  assert.ok(existsSync(`${APP_DIR}/dist/cli/sensorctl.js`), 'the compiled entry point ExecStart names exists in the app (npm ci / npm run build)');
});

render('declares the notify/watchdog, restart-limit, user, directory and hardening settings the issue asks for', () => {
  const unit = renderUnit(readUnitTemplate(), VALUES);
  const s = (k: string) => value(unit, 'Service', k);
  const u = (k: string) => value(unit, 'Unit', k);
  assert.equal(s('Type'), ['notify']);
  assert.equal(s('NotifyAccess'), ['all']);
  assert.equal(s('WatchdogSec'), ['60'], 'the agent pings every 30 s (docs/install-pi.md)');
  assert.equal(s('Restart'), ['on-failure']);
  assert.equal(u('StartLimitBurst'), ['5']);
  assert.equal(u('StartLimitIntervalSec'), ['600']);
  assert.equal(s('SupplementaryGroups'), ['i2c gpio']);
  assert.equal(s('StateDirectory'), ['sensorctl']);
  assert.equal(s('ConfigurationDirectory'), ['sensorctl']);
  for (const [k, v] of [['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['NoNewPrivileges', 'yes'], ['PrivateTmp', 'yes'], ['DevicePolicy', 'closed']]) {
    assert.equal(s(k), [v], k);
  }
  assert.equal(s('DeviceAllow'), ['char-i2c rw', 'char-gpiochip rw']);
  assert.equal(s('ReadWritePaths'), ['-/sys/class/gpio']);
  assert.equal(u('After'), ['time-sync.target network-online.target']);
  assert.equal(u('Wants'), ['time-sync.target network-online.target']);
  assert.equal(s('EnvironmentFile'), ['-/etc/sensorctl/aws.env']);
});

render('keeps snapshots and rollup state on tmpfs: RuntimeDirectory is the installed snapshot dir, kept across restarts (issue 13)', () => {
  const unit = renderUnit(readUnitTemplate(), VALUES);
  const s = (k: string) => value(unit, 'Service', k);
  assert.equal(s('RuntimeDirectory'), ['sensorctl']);
  assert.equal(`/run/${s('RuntimeDirectory')[0]}`, INSTALLED_RUNTIME_DIR, 'shell commands on the installed data dir look there (resolveSnapshotDir)');
  assert.equal(s('RuntimeDirectoryPreserve'), ['yes'], 'a service restart keeps the snapshots; only a reboot empties them');
  assert.equal(s('RuntimeDirectoryMode'), ['0750']);
});

render('rejects paths the sandbox would hide or systemd would split', () => {
  const t = readUnitTemplate();
  assert.throws(() => renderUnit(t, { ...VALUES, appDir: '/home/pi/sensorctl' }), (e: unknown) => e instanceof InstallError && /ProtectHome/.test((e as Error).message));
  assert.throws(() => renderUnit(t, { ...VALUES, node: '/root/.nvm/node' }), (e: unknown) => e instanceof InstallError && e.field === 'node');
  assert.throws(() => renderUnit(t, { ...VALUES, appDir: '/opt/my app' }), (e: unknown) => e instanceof InstallError && e.field === 'appDir');
  assert.throws(() => renderUnit(t, { ...VALUES, appDir: 'opt/sensorctl' }), /not an absolute path/);
  assert.throws(() => renderUnit(t, { ...VALUES, user: 'Root!' }), (e: unknown) => e instanceof InstallError && e.field === 'user');
});

render.run();

const analyze = suite('systemd-analyze verify');

analyze('reports nothing at all for the generated unit', () => {
  const r = verify(renderUnit(readUnitTemplate(), VALUES));
  assert.is(r.output, '', r.output);
  assert.is(r.status, 0);
});

analyze('does flag a broken unit, so the check above can fail', () => {
  const broken = renderUnit(readUnitTemplate(), VALUES).replace('Restart=on-failure', 'Restart=sometimes\nWatchdogSecs=5');
  const r = verify(broken);
  assert.match(r.output, /restart specifier/);
  assert.match(r.output, /Unknown key 'WatchdogSecs'/);
  const r2 = verify(renderUnit(readUnitTemplate(), { ...VALUES, node: '/nonexistent/node' }));
  assert.is.not(r2.status, 0);
});

analyze('also accepts the documented LoadCredential= variant for AWS credentials', () => {
  const unit = renderUnit(readUnitTemplate(), VALUES)
    .replace('#   LoadCredential=aws:/etc/sensorctl/aws-credentials', 'LoadCredential=aws:/etc/sensorctl/aws-credentials')
    .replace('#   Environment=AWS_SHARED_CREDENTIALS_FILE=%d/aws', 'Environment=AWS_SHARED_CREDENTIALS_FILE=%d/aws');
  assert.match(unit, /^LoadCredential=aws:/m);
  const r = verify(unit);
  assert.is(r.output, '', r.output);
  assert.is(r.status, 0);
});

analyze('rates the sandbox at most 4.0 on systemd-analyze security (offline)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sensorctl-unit-'));
  try {
    writeFileSync(join(dir, 'sensorctl.service'), renderUnit(readUnitTemplate(), VALUES));
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', join(dir, 'sensorctl.service')], { encoding: 'utf8', cwd: dir });
    const m = /Overall exposure level for sensorctl\.service: (\d+\.\d)/.exec(r.stdout);
    assert.type(m?.[1], 'string', r.stdout + r.stderr);
    assert.ok(Number(m![1]) <= 4.0, `exposure ${m![1]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

analyze.run();
