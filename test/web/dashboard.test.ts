/**
 * The dashboard in a real browser (Debian's Chromium via playwright-core) against the real Pi API
 * (test/support/web-server.ts), over the real BME280 cut imported into SQLite and built into 24
 * snapshots as of 2019-09-30T16:00Z: first view, pickers and URL state, transfer size.
 * Harness: test/support/web-page.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bucketMsOf } from '../../builder/constants.js';
import { ARTIFACTS_DIR } from '../support/web-browser.js';
import { FIXTURE_DEVICE, FIXTURE_SERIES_IDS, FIXTURE_TO, addCounterSeries, fixtureSeries, readSnapshot } from '../support/web-fixture.js';
import type { Payload } from '../../builder/types.js';
import { CONTEXT, PAGE_NOW, buildOnServer, cards, ctx, it, openPage, setup, shot, teardown, SERVES_DATA_DIR, servedPayload } from '../support/web-page.js';

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
  assert.equal(got.map((c) => c.id), FIXTURE_SERIES_IDS);
  assert.equal(got.map((c) => c.points), [100, 100, 100]);
  assert.equal(got.map((c) => c.gaps), expectedGaps('1d', 100));
  assert.ok(got.every((c) => c.canvases >= 1 && c.style === 'band'));
  assert.match(got[0].heading, /Pressure \(hPa\)/);
  assert.match(got[2].heading, /Temperature \(°C\)/);
  assert.is(await page.getAttribute('#charts', 'data-window'), '1d');
  assert.is(new URL(page.url()).search, '?window=1d&samples=100', 'the default view is spelled out in the URL');
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
  const pressure = readSnapshot(ctx.dataDir, FIXTURE_DEVICE, '1d', 100).series.find((x) => x.id === 'bme280-76.pressurePa')!;
  // "Latest" is the newest raw sample (payload `latest`), not the last bucket's average.
  assert.match(summary ?? '', `Latest ${(pressure.latest!.value / 100).toFixed(1)} hPa at `);
  await page.hover('.chart-card .plot', { position: { x: 300, y: 100 } });
  const tip = await page.textContent('.chart-card .tooltip');
  assert.match(tip ?? '', /avg .*min .*max .*count \d+/);
  await shot(page, 'ready-1d-100');
  await page.close();
});

it(render)('draws a raw payload (1h/500) as points, one per stored sample', async () => {
  let served: Promise<Payload> | undefined;
  const page = await openPage('?window=1h&samples=500', { beforeGoto: (p) => { served = servedPayload(p, '1h', 500); } });
  const payload = await served!;
  assert.is(payload.resolution, 'raw');
  // On the Pi it is the stored snapshot; the local cloud renders it on read (the hour ending at its clock).
  if (SERVES_DATA_DIR) assert.equal(payload, readSnapshot(ctx.dataDir, FIXTURE_DEVICE, '1h', 500));
  assert.ok(payload.series.length > 0 && payload.series.every((s) => s.points.length > 0));
  const got = await cards(page);
  assert.equal(got.map((c) => c.points), payload.series.map((s) => s.points.length));
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

it(render)('draws a counter series as bars of the bucket sum', async () => {
  // Rain-gauge style counter: one pulse per fixture sample time, inserted into SQLite, then the window rebuilt.
  await addCounterSeries(ctx.dataDir, 'garage');
  await buildOnServer('garage', { windows: ['10h'] });
  const stored = readSnapshot(ctx.dataDir, 'garage', '10h', 100).series.find((x) => x.id === 'rain.pulses')!;
  const temps = readSnapshot(ctx.dataDir, 'garage', '10h', 100).series.find((x) => x.id === 'bme280-76.tempC')!;
  assert.equal(stored.points.map((p) => ('sum' in p ? p.sum : null)), temps.points.map((p) => ('count' in p && p.count ? p.count : null)), 'a bucket sums one pulse per sample');
  const page = await openPage('?window=10h&samples=100&device=garage');
  const got = await cards(page);
  assert.equal(got.map((c) => [c.id, c.style, c.points]), [...FIXTURE_SERIES_IDS.map((id) => [id, 'band', 100]), ['rain.pulses', 'bars', 100]]);
  assert.match(got[3].heading, /Pulses \(pulses\)/);
  assert.match(await page.textContent('.chart-card[data-series-id="rain.pulses"] .legend') ?? '', /sum per bucket/);
  await shot(page, 'counter-bars');
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

it(pick)('offers the devices with samples from GET /samples/devices (no config.json list), the API default selected, and fetches the chosen one', async () => {
  const page = await openPage('?window=1d&samples=100');
  await page.waitForSelector('#device-picker:not([hidden])');
  assert.equal(await page.$$eval('#device option', (os) => os.map((o) => (o as HTMLOptionElement).value)), ['garage', FIXTURE_DEVICE]);
  assert.is(await page.inputValue('#device'), FIXTURE_DEVICE, 'the API default is shown selected');
  await shot(page, 'device-picker');
  await page.selectOption('#device', 'garage');
  await page.waitForFunction(() => /device garage/.test(document.querySelector('#showing')?.textContent ?? ''));
  assert.is(new URL(page.url()).searchParams.get('device'), 'garage');
  await page.close();
});

it(pick)('hides the device picker for a single device and reports a bad window in the URL in words', async () => {
  const page = await openPage('?window=2h', { devices: { devices: [{ id: FIXTURE_DEVICE }], defaultDevice: FIXTURE_DEVICE } });
  assert.ok(await page.isHidden('#device-picker'));
  assert.match(await page.textContent('#url-problems') ?? '', /window=2h is not offered; allowed: 1h, 10h, 1d, 10d, 3m, 12m/);
  assert.is(await page.getAttribute('#charts', 'data-window'), '1d');
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
  assert.ok(rows.some((r) => /^\/app\.[0-9a-f]{10}\.js$/.test(r.url)) && rows.some((r) => /^\/app\.[0-9a-f]{10}\.css$/.test(r.url)) && rows.some((r) => r.url.startsWith('/?window=1d')));
  assert.ok(totalBytes < 100 * 1024, `${totalBytes} B ≥ 100 KiB`);
  await context.close();
});

render.run();
pick.run();
transfer.run();
