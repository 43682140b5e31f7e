import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../agent/config/config.js';
import { runInstall, starterConfig } from '../../cli/commands/install.js';
import { runUninstall } from '../../cli/commands/uninstall.js';
import type { CommandRunner } from '../../systemd/installer.js';
import { UsageError } from '../../cli/context.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** A recording runner: commands are logged, never run; `failOn` makes one command exit 1. */
function recorder(failOn?: string) {
  const calls: string[][] = [];
  const run: CommandRunner = async (argv) => {
    calls.push(argv);
    return argv[0] === failOn ? { code: 1, stdout: '', stderr: `${failOn}: simulated failure` } : { code: 0, stdout: '', stderr: '' };
  };
  return { calls, run };
}

function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'sensorctl-install-'));
}

const BASE = { dryRun: false, user: 'sensorctl', node: '/usr/bin/node', appDir: '/opt/sensorctl', host: 'pi-kitchen' };
const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

const install = suite('runInstall');

install('writes the rendered unit and a valid starter config under the prefix and records user and group commands', async () => {
  const root = tempRoot();
  try {
    const { calls, run } = recorder();
    const lines: string[] = [];
    const code = await runInstall({ ...BASE, prefix: root }, { run, write: (l) => lines.push(l), uid: 1000 });
    assert.is(code, 0);
    const unit = readFileSync(join(root, 'etc/systemd/system/sensorctl.service'), 'utf8');
    assert.match(unit, /^ExecStart=\/usr\/bin\/node \/opt\/sensorctl\/dist\/cli\/sensorctl\.js /m);
    assert.is(mode(join(root, 'etc/systemd/system/sensorctl.service')), '644');
    const config = JSON.parse(readFileSync(join(root, 'etc/sensorctl/config.json'), 'utf8'));
    assert.is(parseConfig(config, 'ignored').deviceId, 'pi-kitchen');
    assert.is(mode(join(root, 'var/lib/sensorctl')), '750');
    assert.equal(calls.map((c) => c[0]), ['groupadd', 'groupadd', 'useradd', 'usermod']);
    assert.equal(calls[0], ['groupadd', '--system', '--root', root, 'i2c']);
    assert.ok(calls[2].includes('--system') && calls[2].at(-1) === 'sensorctl' && calls[2].includes(root));
    assert.equal(calls[3], ['usermod', '--append', '--groups', 'i2c,gpio', '--root', root, 'sensorctl']);
    assert.ok(lines.some((l) => l.includes('systemctl enable --now sensorctl')));
    assert.ok(lines.some((l) => l.includes('journalctl -u sensorctl -f')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

install('runs daemon-reload and chown only when installing into /, and refuses / without root', async () => {
  const { calls, run } = recorder();
  const lines: string[] = [];
  assert.is(await runInstall({ ...BASE, dryRun: true, prefix: '/' }, { run, write: (l) => lines.push(l), uid: 1000 }), 0);
  assert.equal(calls, [], 'a dry run runs nothing');
  assert.ok(lines.some((l) => l.trim() === 'systemctl daemon-reload'));
  assert.ok(lines.some((l) => l.trim() === 'chown sensorctl:sensorctl /var/lib/sensorctl'));
  await runInstall({ ...BASE, prefix: '/' }, { run, write: () => {}, uid: 1000 }).then(
    () => assert.unreachable('should refuse'),
    (err) => assert.instance(err, UsageError),
  );
});

install('a dry run writes nothing and lists every step', async () => {
  const root = tempRoot();
  try {
    const { calls, run } = recorder();
    const lines: string[] = [];
    assert.is(await runInstall({ ...BASE, dryRun: true, prefix: root }, { run, write: (l) => lines.push(l), uid: 0 }), 0);
    assert.equal(calls, []);
    assert.not.ok(existsSync(join(root, 'etc')));
    assert.ok(lines.some((l) => l.includes('useradd --system')));
    assert.ok(lines.some((l) => l.includes('write /etc/systemd/system/sensorctl.service')));
    assert.ok(lines.some((l) => l.includes('skip: systemctl daemon-reload')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

install('a second install keeps an edited config and adds no user or group that exists', async () => {
  const root = tempRoot();
  try {
    mkdirSync(join(root, 'etc/sensorctl'), { recursive: true });
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nsensorctl:x:999:999::/var/lib/sensorctl:/usr/sbin/nologin\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\ni2c:x:998:\ngpio:x:997:\n');
    writeFileSync(join(root, 'etc/sensorctl/config.json'), '{"deviceId":"edited"}\n');
    const { calls, run } = recorder();
    assert.is(await runInstall({ ...BASE, prefix: root }, { run, write: () => {}, uid: 0 }), 0);
    assert.is(readFileSync(join(root, 'etc/sensorctl/config.json'), 'utf8'), '{"deviceId":"edited"}\n');
    assert.equal(calls.map((c) => c[0]), ['usermod']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

install('a failing command stops the install with exit 1 and names the step', async () => {
  const root = tempRoot();
  try {
    const { run } = recorder('useradd');
    const lines: string[] = [];
    assert.is(await runInstall({ ...BASE, prefix: root }, { run, write: (l) => lines.push(l), uid: 0 }), 1);
    assert.ok(lines.some((l) => /step failed: useradd .*simulated failure/.test(l)));
    assert.not.ok(existsSync(join(root, 'etc/systemd/system/sensorctl.service')), 'later steps did not run');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

install('rejects an app under /home as a usage error naming ProtectHome', async () => {
  const { run } = recorder();
  await runInstall({ ...BASE, appDir: '/home/pi/sensorctl', prefix: tmpdir(), dryRun: true }, { run, write: () => {}, uid: 0 }).then(
    () => assert.unreachable('should refuse'),
    (err) => assert.ok(err instanceof UsageError && /ProtectHome/.test(err.message)),
  );
});

install.run();

const uninstall = suite('runUninstall');

uninstall('removes the unit but keeps config and data without --purge; --purge removes them and the user', async () => {
  const root = tempRoot();
  try {
    await runInstall({ ...BASE, prefix: root }, { run: recorder().run, write: () => {}, uid: 0 });
    writeFileSync(join(root, 'var/lib/sensorctl/sensorctl.db'), 'data');
    writeFileSync(join(root, 'etc/passwd'), 'sensorctl:x:999:999::/var/lib/sensorctl:/usr/sbin/nologin\n');
    const first = recorder();
    assert.is(await runUninstall({ dryRun: false, purge: false, prefix: root, user: 'sensorctl' }, { run: first.run, write: () => {}, uid: 0 }), 0);
    assert.not.ok(existsSync(join(root, 'etc/systemd/system/sensorctl.service')));
    assert.is(readFileSync(join(root, 'var/lib/sensorctl/sensorctl.db'), 'utf8'), 'data');
    assert.ok(existsSync(join(root, 'etc/sensorctl/config.json')));
    assert.equal(first.calls, []);
    const dry = recorder();
    const lines: string[] = [];
    await runUninstall({ dryRun: true, purge: true, prefix: root, user: 'sensorctl' }, { run: dry.run, write: (l) => lines.push(l), uid: 0 });
    assert.ok(existsSync(join(root, 'var/lib/sensorctl/sensorctl.db')), 'dry run deleted nothing');
    assert.ok(lines.some((l) => l.includes('rm -r /var/lib/sensorctl')));
    const purge = recorder();
    assert.is(await runUninstall({ dryRun: false, purge: true, prefix: root, user: 'sensorctl' }, { run: purge.run, write: () => {}, uid: 0 }), 0);
    assert.not.ok(existsSync(join(root, 'var/lib/sensorctl')));
    assert.not.ok(existsSync(join(root, 'etc/sensorctl')));
    assert.equal(purge.calls, [['userdel', '--root', root, 'sensorctl']]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

uninstall('on / it disables the service and reloads systemd (dry run shows it)', async () => {
  const lines: string[] = [];
  await runUninstall({ dryRun: true, purge: false, prefix: '/', user: 'sensorctl' }, { run: recorder().run, write: (l) => lines.push(l), uid: 1000 });
  assert.equal(lines.slice(1, 4).map((l) => l.trim()), ['systemctl disable --now sensorctl.service', 'rm /etc/systemd/system/sensorctl.service', 'systemctl daemon-reload']);
});

uninstall.run();

const cli = suite('sensorctl install (child process)');

cli('install --dry-run --prefix prints the plan and exits 0; a bad --user exits 2', () => {
  const root = tempRoot();
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', 'install', '--dry-run', '--prefix', root], { cwd: ROOT, encoding: 'utf8' });
    if (/^\/(home|root)\//.test(ROOT) || /^\/(home|root)\//.test(process.execPath)) {
      // A checkout or Node.js under a home directory cannot run under ProtectHome=yes: usage error.
      assert.is(r.status, 2);
      assert.match(r.stderr, /ProtectHome/);
      return;
    }
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /Dry run: would do, under /);
    assert.match(r.stdout, /write \/etc\/sensorctl\/config\.json/);
    assert.not.ok(existsSync(join(root, 'etc')));
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', 'install', '--dry-run', '--user', 'Bad User'], { cwd: ROOT, encoding: 'utf8' });
    assert.is(bad.status, 2);
    assert.match(bad.stderr, /--user Bad User/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

cli('the entry ExecStart runs (bin/sensorctl.js) executes a command exactly once', () => {
  const r = spawnSync(process.execPath, ['bin/sensorctl.js', 'install', '--dry-run', '--user', 'Bad User'], { cwd: ROOT, encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.is(r.stderr.match(/--user Bad User/g)?.length, 1, r.stderr);
});

cli('the starter config passes the agent config validation', () => {
  const c = parseConfig(JSON.parse(starterConfig('Pi Kitchen!')), 'x');
  assert.is(c.deviceId, 'Pi-Kitchen-');
  assert.equal(c.sensors, []);
});

cli.run();
