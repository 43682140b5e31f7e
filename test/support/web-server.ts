/**
 * The server the dashboard's browser tests talk to: the real Pi API, behind one function `start`.
 *
 * Default: in process, exactly what `sensorctl serve` wires (`createPiApi` over the data dir's
 * `FsObjectStore` and SQLite buffer, `startNodeServer` serving web/dist with its `.gz` copies), with
 * three test controls on the buffer the refresh builds read (`PiFreshBuilder` → `runBuild`):
 * - refresh builds run with a clock stopped at `refreshAtMs`, so the new `generatedAt` is known;
 * - `holdBuilds`: each build waits at its `listSeries` call (after the window lock is taken and
 *   progress 10 % reported) until `releaseBuilds()`;
 * - `failNextBuild(message)`: the next build's `listSeries` throws `message` (as a broken SQLite read would).
 * The read cache is off, so a file changed by a test is served at once.
 *
 * `WEB_TEST_SERVER=sensorctl` spawns `sensorctl serve` instead (from this checkout, or from
 * `WEB_TEST_SENSORCTL_ROOT`) over the same data dir; the controls above are then absent and the tests
 * that need them are skipped.
 *
 * `WEB_TEST_SERVER=cloud-local` starts the cloud on one machine instead, through the starter that
 * test/web/cloud/cloud-mode.ts registers (see there); `rebuild` then copies a device's samples again and
 * builds on the cloud (the data dir's own snapshots are the Pi's, not what that server serves).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { startNodeServer } from '../../platform/node-http-api.js';
import { createPiApi } from '../../pi/pi-api.js';
import { dbPathOf } from './web-fixture.js';
import type { ObjectStore } from '../../builder/ports.js';
import type { ApiOptions } from '../../api/ports.js';
import type { Window } from '../../builder/constants.js';

const ROOT = new URL('../../', import.meta.url).pathname;
export const WEB_DIST = join(ROOT, 'web', 'dist');

export interface WebServerOptions {
  /** The data dir: `sensorctl.db`, `snapshots/`, `state/`. */
  readonly dataDir: string;
  /** The device served when a request names none. */
  readonly deviceId: string;
  /** In process: the instant refresh builds run at (default: the wall clock). */
  readonly refreshAtMs?: number;
  /** In process: hold every build at its first read until `releaseBuilds()`. */
  readonly holdBuilds?: boolean;
  /** In process: API options, e.g. `sseMode: 'snapshot'` to answer as the cloud's buffering runtime does (no build push). */
  readonly apiOptions?: ApiOptions;
  /** cloud-local: the instant the data dir's snapshots were built at (the cloud builds its own as of it). */
  readonly snapshotsAtMs?: number;
  /** cloud-local: the stack's `deviceIds` (every device a test may add samples for). */
  readonly deviceIds?: readonly string[];
}

/** The server the tests run against (`WEB_TEST_SERVER`): `in-process` (default), `sensorctl` or `cloud-local`. */
export const WEB_TEST_SERVER = process.env.WEB_TEST_SERVER ?? 'in-process';

export interface WebServer {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  readonly url: string;
  /** The instant a refresh build started now would run at (epoch ms): `refreshAtMs` in process, else the wall clock. */
  buildClockMs(): number;
  close(): Promise<void>;
  /** In process only: let one held build go on (or the next one, when none waits yet). */
  releaseBuilds?(): void;
  /** In process only: make the next build fail with `message`. */
  failNextBuild?(message: string): void;
  /** In process only: the API's `publishingStore` (a build written through it is pushed on `GET /samples/builds`, as the daemon's). */
  publishingStore?(inner: ObjectStore): ObjectStore;
  /** cloud-local only: copy `device`'s series and samples from the data dir again, then run the builder Lambda for `windows` as of `atMs`. */
  rebuild?(device: string, windows: readonly Window[] | undefined, atMs: number): Promise<void>;
}

/** Start the server on 127.0.0.1 with an ephemeral port (see top). */
export function start(opts: WebServerOptions): Promise<WebServer> {
  if (WEB_TEST_SERVER === 'sensorctl') return startSensorctl(opts);
  if (WEB_TEST_SERVER === 'cloud-local') return startCloudLocal(opts);
  if (WEB_TEST_SERVER !== 'in-process') throw new Error(`WEB_TEST_SERVER=${WEB_TEST_SERVER} is not a server; allowed: in-process, sensorctl, cloud-local`);
  return startInProcess(opts);
}

/** How `WEB_TEST_SERVER=cloud-local` starts its server; set by test/web/cloud/cloud-mode.ts (test/support does not import local/, which imports test/support). */
let cloudLocalStarter: ((opts: WebServerOptions) => Promise<WebServer>) | undefined;

/** Register the cloud-local server (test/web/cloud/cloud-mode.ts). */
export function registerCloudLocal(starter: (opts: WebServerOptions) => Promise<WebServer>): void {
  cloudLocalStarter = starter;
}

function startCloudLocal(opts: WebServerOptions): Promise<WebServer> {
  if (!cloudLocalStarter) throw new Error('WEB_TEST_SERVER=cloud-local: no cloud server registered; run the test files in test/web/cloud/ (they import test/web/cloud/cloud-mode.ts first)');
  return cloudLocalStarter(opts);
}

async function startInProcess(opts: WebServerOptions): Promise<WebServer> {
  const buffer = SqliteBuffer.open(dbPathOf(opts.dataDir));
  const waiting: Array<() => void> = [];
  let permits = 0;
  let failNext: string | undefined;
  // The buffer as the builder sees it, with the test controls on `listSeries`.
  const source = Object.create(buffer) as SqliteBuffer;
  source.listSeries = async (deviceId) => {
    if (opts.holdBuilds) {
      if (permits > 0) permits--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
    }
    if (failNext !== undefined) {
      const message = failNext;
      failNext = undefined;
      throw new Error(message);
    }
    return buffer.listSeries(deviceId);
  };
  const { api, jobs, publishingStore } = createPiApi({
    snapshotDir: opts.dataDir, deviceId: opts.deviceId, buffer: source, rangeSource: buffer, sampleDevices: () => buffer.deviceIdsWithSamples(), snapshotCacheMs: 0,
    ...(opts.refreshAtMs === undefined ? {} : { buildClock: { nowMs: () => opts.refreshAtMs! } }),
    ...(opts.apiOptions ? { options: opts.apiOptions } : {}),
  });
  const server = await startNodeServer(api, '127.0.0.1', 0, { staticDir: WEB_DIST });
  return {
    url: server.url.replace(/\/$/, ''),
    buildClockMs: () => opts.refreshAtMs ?? Date.now(),
    publishingStore,
    releaseBuilds() {
      const next = waiting.shift();
      if (next) next();
      else permits++;
    },
    failNextBuild(message: string) {
      failNext = message;
    },
    async close() {
      for (const resolve of waiting.splice(0)) resolve();
      await server.close();
      await jobs.idle();
      buffer.close();
    },
  };
}

/** The real `sensorctl serve --data-dir <dataDir> --port 0 --static-dir web/dist`, device from a config file. */
async function startSensorctl(opts: WebServerOptions): Promise<WebServer> {
  const root = process.env.WEB_TEST_SENSORCTL_ROOT ?? ROOT;
  const config = join(opts.dataDir, 'sensorctl.json');
  writeFileSync(config, JSON.stringify({ deviceId: opts.deviceId }));
  const child = spawn(process.execPath, [
    '--import', 'tsx', join(root, 'cli', 'sensorctl.ts'), '--data-dir', opts.dataDir, '--config', config,
    'serve', '--host', '127.0.0.1', '--port', '0', '--static-dir', WEB_DIST,
  ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    const onData = (d: Buffer) => {
      log += d;
      const m = /http:\/\/127\.0\.0\.1:[0-9]+/.exec(log);
      if (m) resolve(m[0]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`sensorctl serve exited with ${code} before listening:\n${log}`)));
  });
  return {
    url,
    buildClockMs: () => Date.now(),
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
