/**
 * The compiled CLI (dist/, what bin/sensorctl.js and the systemd unit run; scripts/run-tests.mjs builds
 * it first) loads only what a command uses. Every module a process loads is recorded by the preload
 * test/support/trace-modules.mjs (ES modules through a resolve hook, CommonJS ones from require.cache).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = new URL('../..', import.meta.url).pathname;
const TRACER = join(ROOT, 'test', 'support', 'trace-modules.mjs');
const dir = mkdtempSync(join(tmpdir(), 'sensorctl-built-'));
const config = join(dir, 'sensorctl.json');
writeFileSync(config, JSON.stringify({ deviceId: 'pi-built', http: { port: 0 } }));
let traceNo = 0;

function traceFile(): string {
  return join(dir, `trace-${++traceNo}.txt`);
}
function loaded(file: string): string[] {
  return [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))];
}
/** Run bin/sensorctl.js with the tracer; returns its output and every module it loaded. */
function traced(args: string[]): { status: number | null; stdout: string; stderr: string; modules: string[] } {
  const file = traceFile();
  const r = spawnSync(process.execPath, ['--import', TRACER, join(ROOT, 'bin', 'sensorctl.js'), '--data-dir', dir, '--config', config, ...args], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TRACE_MODULES_FILE: file, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, modules: loaded(file) };
}
const aws = (modules: string[]) => modules.filter((m) => /[/\\]@aws-sdk[/\\]|[/\\]@smithy[/\\]/.test(m));
const typescriptSources = (modules: string[]) => modules.filter((m) => /\.ts$/.test(m) || /[/\\]tsx[/\\]/.test(m));

test('dist/ holds the compiled CLI (npm ci and npm run build write it)', () => {
  assert.ok(existsSync(join(ROOT, 'dist', 'cli', 'sensorctl.js')), 'dist/cli/sensorctl.js is missing: run npm run build');
});

test('--version runs the compiled CLI and loads neither the AWS SDK, tsx, a .ts file nor any command', () => {
  const r = traced(['--version']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  assert.ok(r.modules.some((m) => m.endsWith('/dist/cli/sensorctl.js')), 'the compiled entry ran');
  assert.equal(aws(r.modules), []);
  assert.equal(typescriptSources(r.modules), []);
  assert.equal(r.modules.filter((m) => m.includes('/dist/cli/commands/') && !m.endsWith('/index.js')), []);
});

test('status and the full --help load no AWS SDK; `rebuild --cloud` (which needs it) does', () => {
  const status = traced(['status']);
  assert.is(status.status, 0, status.stderr);
  assert.equal(aws(status.modules), []);
  assert.ok(status.modules.some((m) => m.endsWith('/dist/cli/commands/status.js')));
  const help = traced(['--help']);
  assert.is(help.status, 0, help.stderr);
  assert.match(help.stdout, /rebuild/);
  assert.equal(aws(help.modules), []);
  assert.equal(help.modules.filter((m) => m.includes('/cli-progress/')), [], 'cli-progress only for an import on a terminal');
  // The control: the tracer does see the SDK when a command loads it (the usage error comes after).
  const cloud = traced(['rebuild', '--cloud', '--device', 'pi-built']);
  assert.ok(aws(cloud.modules).length > 0, `rebuild --cloud loaded the SDK (exit ${cloud.status}: ${cloud.stderr})`);
});

test('the daemon without a cloud uplink never loads the AWS SDK', async () => {
  const file = traceFile();
  const child = spawn(process.execPath, ['--import', TRACER, join(ROOT, 'bin', 'sensorctl.js'), '--data-dir', dir, '--config', config, 'run', '--port', '0'], {
    cwd: ROOT, env: { ...process.env, TRACE_MODULES_FILE: file }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  child.stderr.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (/sensorctl running: open http/.test(out)) resolve();
    });
    child.on('exit', () => reject(new Error(`the daemon exited early: ${out}`)));
  });
  child.kill('SIGTERM');
  assert.is(await exited, 0, out);
  const modules = loaded(file);
  assert.ok(modules.some((m) => m.endsWith('/dist/pi/daemon.js')), 'the compiled daemon ran');
  assert.equal(aws(modules), []);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
