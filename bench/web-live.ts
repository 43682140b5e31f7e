/**
 * From a new build to the page showing it (issue 15), in real time: the real Pi API (`createPiApi` +
 * `startNodeServer` serving web/dist) over a temp SQLite buffer that gains a sample every 10 s, a
 * "daemon" loop rebuilding 1h every `WINDOWS['1h'].rebuildEveryMs` (30 s) through the API's
 * `publishingStore`, and two Chromium pages on `?window=1h&samples=100`: one following the pushed
 * builds (`GET /samples/builds`), one where that route is a 404 (as in the cloud), so it follows the
 * meta's `expiresAt` alone. For each build: the time the 1h/100 meta was written → the time each page's
 * `#charts[data-generated-at]` changed to it.
 *
 * Run: `npx tsx bench/web-live.ts` (env WEB_LIVE_BUILDS, default 5; needs /usr/bin/chromium and web/dist).
 * Writes test-artifacts/web/build-to-page.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WINDOWS, windowObjectKey } from '../builder/constants.js';
import { silentLog } from '../builder/ports.js';
import { runBuild } from '../builder/run-build.js';
import { createPiApi } from '../pi/pi-api.js';
import { FsObjectStore } from '../platform/fs-object-store.js';
import { startNodeServer } from '../platform/node-http-api.js';
import { SqliteBuffer } from '../sqlite/sqlite-buffer.js';
import { ARTIFACTS_DIR, ensureWebBuilt, launchChromium } from '../test/support/web-browser.js';
import { WEB_DIST } from '../test/support/web-server.js';

const DEVICE = 'bench-porch';
const SERIES = 'sht31-44.tempC';
const BUILDS = Number(process.env.WEB_LIVE_BUILDS ?? 5);
const CADENCE_MS = WINDOWS['1h'].rebuildEveryMs;

async function main(): Promise<void> {
  ensureWebBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'web-live-bench-'));
  const buffer = SqliteBuffer.open(join(dir, 'sensorctl.db'));
  buffer.defineSeries([{ deviceId: DEVICE, seriesId: SERIES, sensorId: 'sht31-44', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
  const value = (t: number) => 12 + Math.sin(t / 900_000);
  const startMs = Math.floor(Date.now() / 10_000) * 10_000;
  buffer.insert(DEVICE, Array.from({ length: 360 }, (_, i) => ({ seriesId: SERIES, tsMs: startMs - i * 10_000, value: value(startMs - i * 10_000) })));
  const sampler = setInterval(() => buffer.insert(DEVICE, [{ seriesId: SERIES, tsMs: Date.now(), value: value(Date.now()) }]), 10_000);
  const pi = createPiApi({ snapshotDir: dir, deviceId: DEVICE, buffer, log: silentLog });
  const server = await startNodeServer(pi.api, '127.0.0.1', 0, { staticDir: WEB_DIST });
  const published = new Map<string, number>(); // generatedAt → meta written (epoch ms)
  const store = pi.publishingStore(new FsObjectStore(dir, { fsync: false }));
  const build = async () => {
    const generatedAt = new Date(Date.now()).toISOString();
    await runBuild({
      source: buffer, clock: { nowMs: () => Date.parse(generatedAt) }, log: silentLog, deviceId: DEVICE, builder: 'pi',
      store: { ...store, put: (key, body, headers, options) => store.put(key, body, headers, options).then((r) => {
        if (key.endsWith(`/${windowObjectKey('1h')}`)) published.set(generatedAt, Date.now());
        return r;
      }) },
    }, { windows: ['1h'] });
  };
  await build();
  const browser = (await launchChromium())!;
  const shown = { push: new Map<string, number>(), poll: new Map<string, number>() };
  for (const mode of ['push', 'poll'] as const) {
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    if (mode === 'poll') await page.route('**/samples/builds', (r) => r.fulfill({ status: 404, json: { error: { code: 'not_found', message: 'no push' } } }));
    await page.exposeFunction('reportShown', (generatedAt: string) => shown[mode].set(generatedAt, Date.now()));
    await page.goto(`${server.url}?window=1h&samples=100`);
    await page.waitForFunction(() => document.body.dataset.view === 'ready' && document.body.dataset.push !== undefined);
    await page.evaluate(() => {
      const charts = document.querySelector('#charts')!;
      new MutationObserver(() => (window as unknown as { reportShown: (g: string | null) => void }).reportShown(charts.getAttribute('data-generated-at')))
        .observe(charts, { attributes: true, attributeFilter: ['data-generated-at'] });
    });
  }
  for (let i = 0; i < BUILDS; i++) {
    await new Promise((r) => setTimeout(r, CADENCE_MS));
    await build();
  }
  // Let the polling page find the last build (at most a check after it was due, plus a retry).
  await new Promise((r) => setTimeout(r, CADENCE_MS));
  const rows = [...published].slice(1).map(([generatedAt, writtenMs]) => ({
    generatedAt,
    pushMs: shown.push.has(generatedAt) ? shown.push.get(generatedAt)! - writtenMs : null,
    pollMs: shown.poll.has(generatedAt) ? shown.poll.get(generatedAt)! - writtenMs : null,
  }));
  const result = { cadenceMs: CADENCE_MS, builds: rows.length, rows };
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(join(ARTIFACTS_DIR, 'build-to-page.json'), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
  clearInterval(sampler);
  await browser.close();
  await server.close();
  await pi.jobs.idle();
  buffer.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
