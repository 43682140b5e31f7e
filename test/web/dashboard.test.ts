/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core) against the server of
 * test/support/web-server.ts, over the real BME280 fixture cut as 24 snapshots as of
 * 2019-09-30T16:00Z. The page's clock is fixed at 16:04Z and its zone is Europe/Berlin (UTC+02:00 in
 * September), so wording is deterministic. Screenshots of each state go to test-artifacts/web/.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, type Test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { bucketMsOf } from '../../builder/constants.js';
import { ARTIFACTS_DIR, CHROMIUM_PATH, ensureWebBuilt, launchChromium } from '../support/web-browser.js';
import {
  FIXTURE_DEVICE, FIXTURE_TO, buildPayload, corruptSnapshot, fixtureSeries, readMeta, readSnapshot, writeFixtureSnapshots, writeSnapshot,
} from '../support/web-fixture.js';
import { start, type WebServer } from '../support/web-server.js';

const PAGE_NOW = '2019-09-30T16:04:00.000Z';
const REFRESHED_AT = '2019-09-30T16:03:30.000Z';
const CONTEXT: BrowserContextOptions = { timezoneId: 'Europe/Berlin', locale: 'en-GB', viewport: { width: 1100, height: 1000 } };

/** Without Chromium (and outside CI) every test is registered as skipped; in CI a missing browser fails. */
const HAS_BROWSER = existsSync(CHROMIUM_PATH) || Boolean(process.env.CI);
if (!HAS_BROWSER) console.log(`SKIP dashboard browser tests: ${CHROMIUM_PATH} is missing (apt-get install -y chromium); CI runs them.`);
const it = (s: Test): Test | Test['skip'] => (HAS_BROWSER ? s : s.skip);

interface Ctx { browser?: Browser; server?: WebServer; dataDir: string }
const ctx: Ctx = { dataDir: '' };

async function setup(): Promise<void> {
  if (!HAS_BROWSER) return;
  ensureWebBuilt();
  ctx.browser = await launchChromium();
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'web-test-'));
  writeFixtureSnapshots(ctx.dataDir);
  writeFixtureSnapshots(ctx.dataDir, { device: 'garage' });
  ctx.server = await start({ dataDir: ctx.dataDir, deviceId: FIXTURE_DEVICE, holdRefresh: true, refreshClock: () => Date.parse(REFRESHED_AT) });
}

async function teardown(): Promise<void> {
  await ctx.server?.close();
  await ctx.browser?.close();
  if (ctx.dataDir) rmSync(ctx.dataDir, { recursive: true, force: true });
}

async function openPage(search: string, opts: { reducedMotion?: boolean; config?: unknown } = {}): Promise<Page> {
  const context = await ctx.browser!.newContext({ ...CONTEXT, reducedMotion: opts.reducedMotion ? 'reduce' : 'no-preference' });
  const page = await context.newPage();
  await page.clock.setFixedTime(new Date(PAGE_NOW));
  if (opts.config !== undefined) {
    await page.route('**/config.json', (route) => route.fulfill({ json: opts.config }));
  }
  await page.goto(`${ctx.server!.url}/${search}`);
  await page.waitForFunction(() => document.body.dataset.view !== 'loading' && !document.body.dataset.loading);
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });

const cards = (page: Page) => page.$$eval('.chart-card', (els) => els.map((e) => ({
  id: e.getAttribute('data-series-id'), points: Number(e.getAttribute('data-points')), gaps: Number(e.getAttribute('data-gaps')),
  style: e.getAttribute('data-style'), canvases: e.querySelectorAll('canvas').length, heading: e.querySelector('h2')?.textContent ?? '',
})));

/** Empty buckets per series of (w, g), counted straight from the fixture samples. */
function expectedGaps(window: '1d' | '10d', g: 100): number[] {
  const toMs = Date.parse(FIXTURE_TO);
  const bucketMs = bucketMsOf(window, g);
  const first = Math.floor(toMs / bucketMs) * bucketMs - (g - 1) * bucketMs;
  return fixtureSeries().map((s) => {
    const filled = new Set(s.samples.filter((p) => p.tsMs >= first && p.tsMs <= toMs).map((p) => Math.floor((p.tsMs - first) / bucketMs)));
    return g - filled.size;
  });
}

const render = suite('dashboard: first view');
render.before(setup);
render.after(teardown);

it(render)('draws one chart per series with 100 points each for 1d/100, gaps counted from the raw rows', async () => {
  const page = await openPage('');
  const got = await cards(page);
  assert.equal(got.map((c) => c.id), ['bme280-76.tempC', 'bme280-76.rhPct', 'bme280-76.pressurePa']);
  assert.equal(got.map((c) => c.points), [100, 100, 100]);
  assert.equal(got.map((c) => c.gaps), expectedGaps('1d', 100));
  assert.ok(got.every((c) => c.canvases >= 1 && c.style === 'band'));
  assert.match(got[2].heading, /Pressure \(hPa\)/);
  assert.match(got[0].heading, /Temperature \(°C\)/);
  assert.is(await page.getAttribute('#charts', 'data-window'), '1d');
  assert.is(new URL(page.url()).search, '', 'the default view leaves the URL as it was');
  await page.close();
});

it(render)('says "last updated 4 min ago" from meta generatedAt and shows the UTC offset of the local zone', async () => {
  const page = await openPage('?window=1d&samples=100');
  assert.is(await page.textContent('#freshness'), 'last updated 4 min ago');
  assert.is(await page.getAttribute('#freshness', 'data-generated-at'), FIXTURE_TO);
  assert.is(await page.textContent('#tz'), 'UTC+02:00');
  assert.ok(await page.isHidden('#stale-banner'));
  assert.ok(await page.isHidden('#error'));
  const summary = await page.textContent('.chart-card[data-series-id="bme280-76.pressurePa"] .summary');
  const last = readSnapshot(ctx.dataDir, FIXTURE_DEVICE, '1d', 100).series[2].points.at(-1) as { avg: number };
  assert.match(summary ?? '', `Latest ${(last.avg / 100).toFixed(1)} hPa`);
  await page.hover('.chart-card .plot', { position: { x: 300, y: 100 } });
  const tip = await page.textContent('.chart-card .tooltip');
  assert.match(tip ?? '', /avg .*min .*max .*count \d+/);
  await shot(page, 'ready-1d-100');
  await page.close();
});

it(render)('draws a raw payload (1h/500) as points, one per stored sample', async () => {
  const page = await openPage('?window=1h&samples=500');
  const stored = readSnapshot(ctx.dataDir, FIXTURE_DEVICE, '1h', 500);
  assert.is(stored.resolution, 'raw');
  const got = await cards(page);
  assert.equal(got.map((c) => c.points), stored.series.map((s) => s.points.length));
  assert.ok(got.every((c) => c.style === 'points'));
  assert.is(await page.getAttribute('#charts', 'data-resolution'), 'raw');
  await shot(page, 'raw-1h-500');
  await page.close();
});

it(render)('follows the container width when the window is resized', async () => {
  const page = await openPage('');
  const widths = () => page.$$eval('.chart-card', (els) => els.map((e) => [
    (e.querySelector('.plot') as HTMLElement).clientWidth, (e.querySelector('.uplot') as HTMLElement).offsetWidth,
  ]));
  const wide = await widths();
  assert.ok(wide.every(([plot, chart]) => plot === chart), JSON.stringify(wide));
  await page.setViewportSize({ width: 420, height: 900 });
  await page.waitForFunction(() => [...document.querySelectorAll('.chart-card')].every((e) =>
    (e.querySelector('.plot') as HTMLElement).clientWidth === (e.querySelector('.uplot') as HTMLElement).offsetWidth));
  const narrow = await widths();
  assert.ok(narrow[0][0] < 420 && narrow[0][0] !== wide[0][0], JSON.stringify(narrow));
  await shot(page, 'narrow-1d-100');
  await page.close();
});

const pick = suite('dashboard: pickers and URL');
pick.before(setup);
pick.after(teardown);

it(pick)('switching the window by keyboard fetches latest?window=10d&samples=100 and puts it in the URL', async () => {
  const page = await openPage('?window=1d&samples=100');
  const seen: string[] = [];
  page.on('request', (r) => seen.push(r.url()));
  await page.focus('#window-1d');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('#charts')?.getAttribute('data-window') === '10d');
  const latest = seen.filter((u) => new URL(u).pathname === '/samples/latest').map((u) => new URL(u).search);
  assert.equal(latest, ['?window=10d&samples=100']);
  assert.ok(seen.some((u) => u.endsWith('/samples/latest/meta?window=10d&samples=100')));
  assert.is(new URL(page.url()).search, '?window=10d&samples=100');
  assert.equal((await cards(page)).map((c) => c.gaps), expectedGaps('10d', 100));
  assert.ok(await page.isChecked('#window-10d'));
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('#charts')?.getAttribute('data-window') === '1d');
  assert.ok(await page.isChecked('#window-1d'), 'back restores the previous view');
  await page.close();
});

it(pick)('a link with window and samples reproduces the view; the detail picker changes samples', async () => {
  const page = await openPage('?window=10h&samples=20');
  assert.ok(await page.isChecked('#window-10h'));
  assert.ok(await page.isChecked('#samples-20'));
  assert.equal((await cards(page)).map((c) => c.points), [20, 20, 20]);
  await page.click('label[for="samples-250"]');
  await page.waitForFunction(() => document.querySelector('#charts')?.getAttribute('data-granularity') === '250');
  assert.is(new URL(page.url()).search, '?window=10h&samples=250');
  assert.equal((await cards(page)).map((c) => c.points), [250, 250, 250]);
  await page.close();
});

it(pick)('offers a device picker when config.json lists several devices and fetches the chosen one', async () => {
  const page = await openPage('', { config: { devices: [FIXTURE_DEVICE, 'garage'] } });
  assert.ok(await page.isVisible('#device'));
  assert.is(await page.textContent('label[for="device"]'), 'Device');
  const seen: string[] = [];
  page.on('request', (r) => seen.push(r.url()));
  await page.selectOption('#device', 'garage');
  await page.waitForFunction(() => /device garage/.test(document.querySelector('#showing')?.textContent ?? ''));
  assert.ok(seen.some((u) => u.endsWith('/samples/latest?window=1d&samples=100&device=garage')));
  assert.is(new URL(page.url()).searchParams.get('device'), 'garage');
  await page.close();
});

it(pick)('hides the device picker for a single device and reports a bad window in the URL in words', async () => {
  const page = await openPage('?window=2h');
  assert.ok(await page.isHidden('#device-picker'));
  assert.match(await page.textContent('#url-problems') ?? '', /window=2h is not offered; allowed: 1h, 10h, 1d, 10d, 3m, 12m/);
  assert.is(await page.getAttribute('#charts', 'data-window'), '1d');
  await page.close();
});

const stale = suite('dashboard: stale and failing snapshots');
stale.before(setup);
stale.after(teardown);

it(stale)('shows the stale banner when meta says the latest build failed', async () => {
  const meta = readMeta(ctx.dataDir, FIXTURE_DEVICE, '3m', 100);
  writeFileSync(join(ctx.dataDir, 'snapshots', FIXTURE_DEVICE, 'latest_3m_100.meta.json'), JSON.stringify({
    ...meta, generatedAt: '2019-09-30T14:00:00.000Z', stale: true, consecutiveFailures: 3,
    lastError: 'SQLITE_BUSY: database is locked', lastFailureAt: '2019-09-30T16:00:00.000Z',
  }));
  const page = await openPage('?window=3m&samples=100');
  assert.ok(await page.isVisible('#stale-banner'));
  assert.is(await page.textContent('#stale-banner'),
    'Showing data from 2 h 4 min ago; the latest build failed (3 failed builds in a row): SQLITE_BUSY: database is locked.');
  assert.is(await page.getAttribute('#freshness', 'data-stale'), 'true');
  assert.equal((await cards(page)).map((c) => c.points), [100, 100, 100], 'the last good data is still drawn');
  await shot(page, 'stale-3m-100');
  await page.close();
});

it(stale)('shows the stale banner when expiresAt has passed without a new build', async () => {
  const meta = readMeta(ctx.dataDir, FIXTURE_DEVICE, '12m', 100);
  writeFileSync(join(ctx.dataDir, 'snapshots', FIXTURE_DEVICE, 'latest_12m_100.meta.json'), JSON.stringify({
    ...meta, expiresAt: '2019-09-30T16:01:00.000Z',
  }));
  const page = await openPage('?window=12m&samples=100');
  assert.is(await page.textContent('#stale-banner'), 'Showing data from 4 min ago; a newer build was due 3 min ago and has not arrived.');
  await page.close();
});

it(stale)('notes when the data came from the Pi fallback copy (X-Snapshot-Source: fallback)', async () => {
  // The stand-in (like the Pi) only serves canonical snapshots; the cloud API answers `fallback` when its
  // own build is missing. The response is the server's, with that one header changed.
  const context = await ctx.browser!.newContext(CONTEXT);
  const page = await context.newPage();
  await page.route('**/samples/latest?*', async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, headers: { ...res.headers(), 'x-snapshot-source': 'fallback' } });
  });
  await page.goto(`${ctx.server!.url}/?window=10h&samples=100`);
  await page.waitForFunction(() => document.body.dataset.view === 'ready');
  assert.ok(await page.isVisible('#source-note'));
  assert.match(await page.textContent('#source-note') ?? '', /fallback copy/);
  await context.close();
});

it(stale)('keeps the last good chart and shows the server error in words when a switch fails', async () => {
  corruptSnapshot(ctx.dataDir, FIXTURE_DEVICE, '10d', 20);
  const page = await openPage('?window=10d&samples=100');
  await page.click('label[for="samples-20"]');
  await page.waitForSelector('#error:not([hidden])');
  const text = await page.textContent('#error-text');
  assert.match(text ?? '', /^Could not load 10 days at 20 points\. The server failed \(HTTP 500\): stored snapshot latest_10d_20\.json is unreadable\. Still showing 10 days at 100 points\.$/);
  assert.ok(await page.isVisible('#retry'));
  const got = await cards(page);
  assert.equal(got.map((c) => c.points), [100, 100, 100]);
  assert.ok(got.every((c) => c.canvases >= 1));
  assert.is(await page.getAttribute('body', 'data-view'), 'kept');
  await shot(page, 'error-kept-chart');
  // Retry after the file is fixed loads the view.
  writeSnapshot(ctx.dataDir, buildPayload(fixtureSeries(), '10d', 20, Date.parse(FIXTURE_TO), FIXTURE_TO, FIXTURE_DEVICE));
  await page.click('#retry');
  await page.waitForFunction(() => document.querySelector('#charts')?.getAttribute('data-granularity') === '20');
  assert.ok(await page.isHidden('#error'));
  assert.equal((await cards(page)).map((c) => c.points), [20, 20, 20]);
  await page.close();
});

it(stale)('shows an empty state with the message and no chart when the first load fails', async () => {
  corruptSnapshot(ctx.dataDir, FIXTURE_DEVICE, '3m', 250);
  const page = await openPage('?window=3m&samples=250');
  assert.is(await page.$$eval('canvas', (c) => c.length), 0);
  assert.is(await page.getAttribute('#charts', 'data-state'), 'empty');
  assert.match(await page.textContent('#empty') ?? '', /The server failed \(HTTP 500\)/);
  assert.match(await page.textContent('#error-text') ?? '', /^Could not load 3 months at 250 points\./);
  await shot(page, 'error-empty');
  await page.close();
});

const transfer = suite('dashboard: transfer size');
transfer.before(setup);
transfer.after(teardown);

it(transfer)('a first view of 1d/100 transfers under 100 KB (HTML + JS + CSS + config + data + meta, gzip, headers included)', async () => {
  const context = await ctx.browser!.newContext(CONTEXT);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  const bytes = new Map<string, number>();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
  await page.clock.setFixedTime(new Date(PAGE_NOW));
  await page.goto(`${ctx.server!.url}/?window=1d&samples=100`);
  await page.waitForFunction(() => document.body.dataset.view === 'ready');
  await page.waitForLoadState('networkidle');
  const rows = [...bytes].map(([id, n]) => ({ url: new URL(urls.get(id) ?? '').pathname + new URL(urls.get(id) ?? '').search, bytes: n }));
  const totalBytes = rows.reduce((a, r) => a + r.bytes, 0);
  writeFileSync(join(ARTIFACTS_DIR, 'transfer-1d-100.json'), JSON.stringify({ totalBytes, rows }, null, 2));
  console.log(`first view 1d/100: ${totalBytes} B on the wire (${(totalBytes / 1024).toFixed(1)} KiB) in ${rows.length} requests`);
  for (const r of rows) console.log(`  ${String(r.bytes).padStart(7)} B  ${r.url}`);
  assert.ok(rows.some((r) => r.url.startsWith('/samples/latest?window=1d&samples=100')), 'the data request is counted');
  assert.ok(rows.some((r) => r.url === '/app.js') && rows.some((r) => r.url === '/app.css') && rows.some((r) => r.url.startsWith('/?window=1d')));
  assert.ok(totalBytes < 100 * 1024, `${totalBytes} B ≥ 100 KiB`);
  await context.close();
});

const refresh = suite('dashboard: refresh');
refresh.before(setup);
refresh.after(teardown);

it(refresh)('shows a throbber with the job progress over SSE, then swaps in the new generatedAt', async () => {
  const page = await openPage('?window=1d&samples=100');
  assert.is(await page.getAttribute('#freshness', 'data-generated-at'), FIXTURE_TO);
  await page.click('#refresh');
  await page.waitForFunction(() => /Building 40 %/.test(document.querySelector('#refresh-text')?.textContent ?? ''));
  assert.ok(await page.isVisible('.throbber'));
  assert.ok(await page.isDisabled('#refresh'));
  assert.is(await page.$eval('#refresh-progress', (p) => (p as HTMLProgressElement).value), 0.4);
  assert.is(await page.$eval('.throbber', (t) => getComputedStyle(t).animationName), 'spin');
  await shot(page, 'refresh-running');
  ctx.server!.releaseRefresh?.();
  await page.waitForFunction(() => document.body.dataset.refreshState === 'done');
  assert.is(await page.getAttribute('#freshness', 'data-generated-at'), REFRESHED_AT);
  assert.is(await page.textContent('#freshness'), 'last updated 30 s ago');
  assert.ok(await page.isHidden('.throbber'));
  assert.is(await page.textContent('#refresh-text'), 'Updated.');
  assert.equal((await cards(page)).map((c) => c.points), [100, 100, 100]);
  await shot(page, 'refresh-done');
  await page.close();
});

it(refresh)('falls back to polling the status URL when the event stream fails', async () => {
  const page = await openPage('?window=10h&samples=100');
  await page.route('**/samples/refresh/*/events', (route) => route.abort());
  const seen: string[] = [];
  page.on('request', (r) => seen.push(new URL(r.url()).pathname));
  await page.click('#refresh');
  await page.waitForFunction(() => /checking status/.test(document.querySelector('#refresh-text')?.textContent ?? ''));
  ctx.server!.releaseRefresh?.();
  await page.waitForFunction(() => document.body.dataset.refreshState === 'done');
  assert.ok(seen.some((p) => /^\/samples\/refresh\/[0-9a-f]+$/.test(p)), 'polled statusUrl');
  assert.is(await page.getAttribute('#freshness', 'data-generated-at'), REFRESHED_AT);
  await page.close();
});

it(refresh)('stops the throbber animation under prefers-reduced-motion', async () => {
  const page = await openPage('?window=3m&samples=20', { reducedMotion: true });
  await page.click('#refresh');
  await page.waitForFunction(() => /Building/.test(document.querySelector('#refresh-text')?.textContent ?? ''));
  assert.ok(await page.isVisible('.throbber'));
  assert.is(await page.$eval('.throbber', (t) => getComputedStyle(t).animationName), 'none');
  ctx.server!.releaseRefresh?.();
  await page.waitForFunction(() => document.body.dataset.refreshState === 'done');
  await page.close();
});

it(refresh)('shows a failed job in words with a retry button, and the chart stays', async () => {
  if (!ctx.server!.failNextRefresh) return; // a stand-in ability; the real server cannot be told to fail
  const page = await openPage('?window=12m&samples=20');
  ctx.server!.failNextRefresh('DynamoDB query throttled (ProvisionedThroughputExceededException)');
  await page.click('#refresh');
  await page.waitForFunction(() => /Building/.test(document.querySelector('#refresh-text')?.textContent ?? ''));
  ctx.server!.releaseRefresh?.();
  await page.waitForFunction(() => document.body.dataset.refreshState === 'failed');
  assert.is(await page.textContent('#error-text'), 'Refresh failed: DynamoDB query throttled (ProvisionedThroughputExceededException)');
  assert.ok(await page.isVisible('#retry'));
  assert.equal((await cards(page)).map((c) => c.points), [20, 20, 20]);
  await shot(page, 'refresh-failed');
  await page.click('#retry');
  await page.waitForFunction(() => /Building/.test(document.querySelector('#refresh-text')?.textContent ?? ''));
  ctx.server!.releaseRefresh?.();
  await page.waitForFunction(() => document.body.dataset.refreshState === 'done');
  assert.ok(await page.isHidden('#error'));
  await page.close();
});

render.run();
pick.run();
stale.run();
refresh.run();
transfer.run();
