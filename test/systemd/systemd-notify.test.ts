import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execNotifySender, startWatchdog, watchdogIntervalMs } from '../../systemd/systemd-notify.js';
import { requiring } from '../support/requirement.js';
import { recordingLogger } from '../support/recording-logger.js';

const interval = suite('watchdogIntervalMs');

interval('is half of WATCHDOG_USEC in ms (60 s watchdog → 30000 ms)', () => {
  assert.is(watchdogIntervalMs({ NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '60000000' }, 42), 30_000);
  assert.is(watchdogIntervalMs({ NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '60000000', WATCHDOG_PID: '42' }, 42), 30_000);
});

interval('is undefined without a socket, without a watchdog, for another PID or a malformed value', () => {
  assert.is(watchdogIntervalMs({ WATCHDOG_USEC: '60000000' }, 1), undefined);
  assert.is(watchdogIntervalMs({ NOTIFY_SOCKET: '/run/x' }, 1), undefined);
  assert.is(watchdogIntervalMs({ NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '60000000', WATCHDOG_PID: '7' }, 1), undefined);
  assert.is(watchdogIntervalMs({ NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '6e7' }, 1), undefined);
  assert.is(watchdogIntervalMs({ NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '0' }, 1), undefined);
});

interval.run();

/** Manual timer: records the period and fires on demand. */
function manualTimer() {
  const state = { fn: undefined as undefined | (() => void), ms: 0, cleared: false };
  return {
    state,
    setInterval: (fn: () => void, ms: number) => ((state.fn = fn), (state.ms = ms), { unref: () => {} }),
    clearInterval: () => void (state.cleared = true),
  };
}

const start = suite('startWatchdog');

start('is a no-op outside systemd: nothing is sent and no timer starts', async () => {
  const sent: string[][] = [];
  const t = manualTimer();
  const w = startWatchdog({ env: {}, send: async (a) => void sent.push(a), ...t });
  await w.ready;
  await w.stop();
  assert.is(w.isActive, false);
  assert.equal(sent, []);
  assert.is(t.state.fn, undefined);
});

start('sends READY=1 once, WATCHDOG=1 at each tick of WATCHDOG_USEC/2, STOPPING=1 on stop', async () => {
  const sent: string[][] = [];
  const t = manualTimer();
  const w = startWatchdog({ env: { NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '20000000' }, pid: 5, send: async (a) => void sent.push(a), ...t });
  await w.ready;
  assert.is(t.state.ms, 10_000);
  t.state.fn!();
  await new Promise((r) => setImmediate(r));
  t.state.fn!();
  await new Promise((r) => setImmediate(r));
  await w.stop();
  assert.equal(sent, [['READY=1'], ['WATCHDOG=1'], ['WATCHDOG=1'], ['STOPPING=1']]);
  assert.ok(t.state.cleared);
});

start('logs a failing systemd-notify as a warning instead of throwing, and never overlaps pings', async () => {
  const warnings: string[] = [];
  const log = { error() {}, warn: (m: string, f?: Record<string, unknown>) => void warnings.push(`${m} ${String(f?.message)}`), info() {}, debug() {} };
  const t = manualTimer();
  let release: () => void = () => {};
  let calls = 0;
  const send = (a: string[]) => {
    calls++;
    if (a[0] === 'READY=1') return Promise.reject(new Error('no socket'));
    return new Promise<void>((r) => (release = r));
  };
  const w = startWatchdog({ env: { NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '2000000' }, send, log, ...t });
  await w.ready;
  assert.equal(warnings, ['systemd notify failed READY=1']);
  t.state.fn!();
  t.state.fn!(); // the first ping is still running: skipped
  assert.is(calls, 2);
  release();
  await new Promise((r) => setImmediate(r));
  t.state.fn!();
  assert.is(calls, 3);
});

start('issue 12: with a health check, WATCHDOG=1 goes out only while sampling works; STATUS= always; one log line per change', async () => {
  const sent: string[][] = [];
  const t = manualTimer();
  const log = recordingLogger();
  let health = { isHealthy: true, status: 'sampling 3 series, last stored 4 s ago, upload backlog 12' };
  const w = startWatchdog({ env: { NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '60000000' }, pid: 5, send: async (a) => void sent.push(a), log, health: () => health, ...t });
  await w.ready;
  const tick = async () => (t.state.fn!(), await new Promise((r) => setImmediate(r)));
  await tick();
  health = { isHealthy: false, status: 'sampling 3 series, last stored 190 s ago, upload backlog 12' };
  await tick();
  await tick();
  health = { isHealthy: true, status: 'sampling 3 series, last stored 1 s ago, upload backlog 12' };
  await tick();
  assert.equal(sent.slice(1), [
    ['WATCHDOG=1', 'STATUS=sampling 3 series, last stored 4 s ago, upload backlog 12'],
    ['STATUS=sampling 3 series, last stored 190 s ago, upload backlog 12'],
    ['STATUS=sampling 3 series, last stored 190 s ago, upload backlog 12'],
    ['WATCHDOG=1', 'STATUS=sampling 3 series, last stored 1 s ago, upload backlog 12'],
  ]);
  assert.equal(log.lines.filter((l) => !l.startsWith('debug')), [
    'error sampling stalled: not feeding the systemd watchdog, systemd will restart the agent (sampling 3 series, last stored 190 s ago, upload backlog 12)',
    'info sampling works again: feeding the systemd watchdog (sampling 3 series, last stored 1 s ago, upload backlog 12)',
  ]);
  await w.stop();
});

start('without WatchdogSec a health check still updates STATUS= every 30 s, never sending WATCHDOG=1', async () => {
  const sent: string[][] = [];
  const t = manualTimer();
  const w = startWatchdog({ env: { NOTIFY_SOCKET: '/run/n' }, send: async (a) => void sent.push(a), health: () => ({ isHealthy: true, status: 'sampling 1 series, nothing stored yet' }), ...t });
  await w.ready;
  assert.is(t.state.ms, 30_000);
  t.state.fn!();
  await new Promise((r) => setImmediate(r));
  assert.equal(sent, [['READY=1'], ['STATUS=sampling 1 series, nothing stored yet']]);
  await w.stop();
});

start.run();

const real = suite('execNotifySender with the real systemd-notify');

// A real peer: a Unix datagram socket standing in for systemd's notify socket. Node has no
// AF_UNIX datagram sockets, so a small python3 listener receives. Without python3 or systemd-notify
// these tests fail on CI (.ci/run installs both) and are skipped, visibly, elsewhere.
const hasPython = spawnSync('python3', ['-c', 'import socket'], { stdio: 'ignore' }).status === 0;
const hasNotify = spawnSync('systemd-notify', ['--help'], { stdio: 'ignore' }).status === 0;
const HINT = 'Debian: apt-get install systemd python3';
const withNotify = requiring(real, hasNotify ? [] : ['systemd-notify'], HINT);
const withNotifyAndPython = requiring(real, [...(hasNotify ? [] : ['systemd-notify']), ...(hasPython ? [] : ['python3'])], HINT);

/** A python3 listener on a Unix datagram socket in a temp dir; resolves once bound. Prints each message, ends after `barriers` barriers. */
async function notifyListener(barriers: number) {
  const dir = mkdtempSync(join(tmpdir(), 'sensorctl-notify-'));
  const socketPath = join(dir, 'notify');
  const listener = spawn('python3', ['-u', '-c', `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
s.settimeout(20)
barriers = 0
while barriers < int(sys.argv[2]):
    # recv() drops the barrier's file descriptor, which closes it: that releases systemd-notify.
    data = s.recv(4096).decode()
    if "BARRIER=1" in data:
        barriers += 1
    else:
        print(data, flush=True)
`, socketPath, String(barriers)]);
  let out = '';
  listener.stdout.on('data', (d) => (out += d));
  const exited = new Promise((r) => listener.once('exit', r));
  await new Promise<void>((resolve, reject) => {
    listener.stdout.once('data', () => resolve());
    listener.once('exit', () => reject(new Error('listener exited')));
  });
  return {
    socketPath,
    /** Lines received once the listener has seen every barrier. */
    lines: async () => (await exited, out.trim().split('\n')),
    done: () => (listener.kill(), rmSync(dir, { recursive: true, force: true })),
  };
}

withNotifyAndPython('delivers READY=1 and WATCHDOG=1 to the notify socket', async () => {
  const l = await notifyListener(2);
  try {
    const send = execNotifySender({ ...process.env, NOTIFY_SOCKET: l.socketPath });
    await send(['READY=1']);
    await send(['WATCHDOG=1']);
    assert.equal(await l.lines(), ['bound', 'READY=1', 'WATCHDOG=1']);
  } finally {
    l.done();
  }
});

withNotifyAndPython('issue 12: a stalled sampler sends STATUS= without WATCHDOG=1 through the real systemd-notify', async () => {
  const l = await notifyListener(4);
  try {
    const t = manualTimer();
    let health = { isHealthy: true, status: 'sampling 3 series, last stored 4 s ago, upload backlog 12' };
    const notify = execNotifySender({ ...process.env, NOTIFY_SOCKET: l.socketPath });
    let sending: Promise<void> = Promise.resolve();
    const send = (a: string[]) => (sending = notify(a));
    const w = startWatchdog({ env: { NOTIFY_SOCKET: l.socketPath, WATCHDOG_USEC: '60000000' }, pid: 9, send, health: () => health, ...t });
    await w.ready;
    const tick = async () => {
      t.state.fn!();
      await sending;
    };
    await tick();
    health = { isHealthy: false, status: 'sampling 3 series, last stored 190 s ago, upload backlog 12' };
    await tick();
    await w.stop();
    assert.equal(await l.lines(), [
      'bound', 'READY=1',
      'WATCHDOG=1', 'STATUS=sampling 3 series, last stored 4 s ago, upload backlog 12',
      'STATUS=sampling 3 series, last stored 190 s ago, upload backlog 12',
      'STOPPING=1',
    ]);
  } finally {
    l.done();
  }
});

withNotify('rejects with the binary name when the socket does not exist', async () => {
  const send = execNotifySender({ ...process.env, NOTIFY_SOCKET: '/nonexistent/notify' });
  await send(['READY=1']).then(() => assert.unreachable('should reject'), (err: Error) => assert.match(err.message, /systemd-notify READY=1 failed/));
});

real.run();
