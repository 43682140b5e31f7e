/**
 * `npm run cloud:local` (local/main.ts) as a command: a port in use is named at once, before the
 * seconds of seeding and building (fresh-clone report: it did all its start-up work, then died with a
 * raw EADDRINUSE stack trace), and bad options are usage errors.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = new URL('../..', import.meta.url).pathname;
const cloudLocal = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'local/main.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });

test('a port in use exits 1 with one line naming the port, and no stack trace', async () => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as { port: number }).port;
  try {
    const r = await new Promise<ReturnType<typeof cloudLocal>>((resolve) => setImmediate(() => resolve(cloudLocal('--port', String(port)))));
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, `cloud:local: cannot listen on 127.0.0.1:${port}: the port is in use`);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
    assert.not.match(r.stdout, 'local cloud up');
  } finally {
    busy.close();
  }
});

test('a bad --port is a usage error (exit 2) saying what is allowed', () => {
  const r = cloudLocal('--port', '99999');
  assert.is(r.status, 2);
  assert.match(r.stderr, '--port 99999: expected a port number 0–65535');
});

test.run();
