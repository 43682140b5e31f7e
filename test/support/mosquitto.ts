/**
 * A real MQTT broker for tests: Debian's `mosquitto` (2.x) started on 127.0.0.1 on a free port with a
 * temp config (no persistence, anonymous or password-file auth), and a recording subscriber built on
 * the `mqtt` package. `.ci/run` installs the package; tests register through `requiring(…, MOSQUITTO_MISSING, …)`.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';

export const MOSQUITTO = '/usr/sbin/mosquitto';
const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
/** What is missing to run broker tests (empty when all is there). */
export const MOSQUITTO_MISSING = [MOSQUITTO, MOSQUITTO_PASSWD].filter((p) => !existsSync(p));
export const MOSQUITTO_HINT = 'apt-get install mosquitto';

export const OPENSSL_MISSING = ['/usr/bin/openssl'].filter((p) => !existsSync(p));

/** PEM files of a throw-away CA and a server certificate for 127.0.0.1 signed by it. */
export interface TestCertificates {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Make a CA and a server certificate (SAN IP 127.0.0.1) with openssl in a temp dir; remove `dir` when done. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-tls-'));
  const run = (...args: string[]) => execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=sensorctl test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  return { dir, caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') };
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`mosquitto did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface MosquittoHandle {
  url: string;
  port: number;
  /** Stop the broker (SIGTERM) and wait for it to exit. */
  stop(): Promise<void>;
  /** Start it again on the same port and config (after `stop`). */
  start(): Promise<void>;
  /** Stop it and remove the temp directory. */
  close(): Promise<void>;
}

/**
 * Start mosquitto on a free port. With `users`, only those user/password pairs may connect.
 */
export async function startMosquitto(options: { users?: Record<string, string>; tls?: TestCertificates } = {}): Promise<MosquittoHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'));
  const port = await freePort();
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning'];
  // Started as root, mosquitto switches to the `mosquitto` user, which cannot read our 0700 temp dir.
  if (process.getuid?.() === 0) lines.push(`user ${userInfo().username}`);
  if (options.users) {
    const file = join(dir, 'passwords');
    writeFileSync(file, '');
    for (const [user, password] of Object.entries(options.users)) execFileSync(MOSQUITTO_PASSWD, ['-b', file, user, password]);
    lines.push('allow_anonymous false', `password_file ${file}`);
  } else {
    lines.push('allow_anonymous true');
  }
  if (options.tls) lines.push(`cafile ${options.tls.caFile}`, `certfile ${options.tls.certFile}`, `keyfile ${options.tls.keyFile}`);
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, lines.join('\n') + '\n');
  let child: ChildProcess | undefined;
  let stderr = '';
  const start = async () => {
    child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d) => (stderr += d));
    await waitForPort(port, 5_000).catch((err) => {
      throw new Error(`${(err as Error).message}\n${stderr}`);
    });
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  await start();
  return {
    url: `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RecordedMessage {
  topic: string;
  payload: string;
  retain: boolean;
  /** performance.now() when it arrived. */
  atMs: number;
}

/** A subscriber recording every message on `topics` (wildcards allowed), with a way to wait for one. */
export interface Recorder {
  client: MqttClient;
  messages: RecordedMessage[];
  /** Resolves with the first recorded message (past or future) matching `match`, or rejects after `timeoutMs`. */
  waitFor(match: (m: RecordedMessage) => boolean, timeoutMs?: number, what?: string): Promise<RecordedMessage>;
  close(): Promise<void>;
}

export async function record(url: string, topics: string[], options: { username?: string; password?: string; ca?: string } = {}): Promise<Recorder> {
  const client = await connectAsync(url, { clientId: `test-recorder-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 200, ...options });
  const messages: RecordedMessage[] = [];
  const waiters = new Set<() => void>();
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString('utf8'), retain: packet.retain, atMs: performance.now() });
    for (const w of [...waiters]) w();
  });
  await client.subscribeAsync(topics, { qos: 1 });
  return {
    client,
    messages,
    waitFor(match, timeoutMs = 5_000, what = 'a matching message') {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = messages.find(match);
          if (!m) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${what} within ${timeoutMs} ms; got topics: ${[...new Set(messages.map((m) => m.topic))].join(', ') || 'none'}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () => client.endAsync(true),
  };
}
