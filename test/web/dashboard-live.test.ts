/**
 * The dashboard follows the snapshots it shows, in Chromium against the real Pi API: a new build is
 * swapped in without a reload when its meta says one is due (the page's timers run on Playwright's
 * clock, so minutes pass at once); the data's own age and silent sensors are shown.
 * Harness: test/support/web-page.ts (fixture as of 2019-09-30T16:00Z, page clock 16:04).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { ARTIFACTS_DIR } from '../support/web-browser.js';
import { FIXTURE_DEVICE, FIXTURE_TO, buildSnapshots, dbPathOf, prepareDevice, readMeta, readSnapshot } from '../support/web-fixture.js';
import { WEB_TEST_SERVER } from '../support/web-server.js';
import type { Payload } from '../../builder/types.js';
import { CONTEXT, IN_PROCESS, PAGE_NOW, buildOnServer, ctx, it, itInProcess, openPage, setup, setupWith, shot, teardown, SERVES_DATA_DIR, servedPayload } from '../support/web-page.js';
import { windowObjectKey } from '../../builder/constants.js';

/** Wait until `check` holds, polling from Node (the page's own timers and frames are on the paused clock). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const live = suite('dashboard: live');
// Answer as the cloud's buffering runtime (API Gateway) does: GET /samples/builds is a 404, so the page follows the meta.
live.before(() => setupWith({ sseMode: 'snapshot' }));
live.after(teardown);

it(live)('without pushed builds (a 404, as in the cloud) swaps in a new build on its own, without a reload, about 2 s after the meta says it is due (304s meanwhile)', async () => {
  const context = await ctx.browser!.newContext(CONTEXT);
  const page = await context.newPage();
  // No /samples/builds here (as in the cloud): the page falls back to the meta's schedule.
  // (Not page.route: routing turns the HTTP cache off, and this test checks the 304 revalidations.)
  await page.clock.install({ time: new Date(Date.parse(PAGE_NOW) - 1000) });
  await page.clock.pauseAt(new Date(PAGE_NOW)); // time moves only when the test says
  const metaStatuses: string[] = [];
  page.on('response', async (r) => {
    if (new URL(r.url()).pathname !== '/samples/latest/meta') return;
    const sent = await r.request().allHeaders();
    metaStatuses.push(`${r.status()}${sent['if-none-match'] ? ' revalidated' : ''}`);
  });
  await page.goto(`${ctx.server!.url}/?window=1d&samples=100`);
  await until(() => page.evaluate(() => document.body.dataset.view === 'ready' && !document.body.dataset.loading && document.body.dataset.push !== undefined), 'the first view and the push stream settled');
  // (`sensorctl serve` offers the stream, but a build by another process is not pushed: the meta schedule finds it all the same.)
  if (IN_PROCESS || WEB_TEST_SERVER === 'cloud-local') assert.is(await page.getAttribute('body', 'data-push'), 'unavailable', 'GET /samples/builds answers 404 (no build feed)');
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  assert.is(await page.getAttribute('#charts', 'data-generated-at'), FIXTURE_TO);
  // Next build of 1d is due at 16:05 (cadence 5 min = half of expiresAt − generatedAt); the page asks at 16:05:02.
  assert.is(await page.getAttribute('body', 'data-next-check-ms'), String(62_000));
  // Nothing new yet at 16:05:02: the meta revalidation is a 304 and the page keeps its charts.
  await page.clock.runFor(63_000);
  await until(() => page.evaluate(() => document.body.dataset.nextCheckMs === '30000'), 'the overdue schedule');
  assert.is(await page.getAttribute('body', 'data-live-updates'), null);
  assert.ok(metaStatuses.some((m) => m.endsWith('revalidated')), `meta answers: ${metaStatuses.join(', ')}`);
  // The builder publishes 16:05 (late); the page's next overdue check (a tenth of the cadence: 30 s) picks it up.
  const newAt = Date.parse(FIXTURE_TO) + 5 * 60_000;
  await buildOnServer(FIXTURE_DEVICE, { windows: ['1d'], atMs: newAt });
  // `sensorctl serve` keeps what it read for 1 s (real time) while the page's minutes pass at once: wait until it serves the new meta.
  await until(async () => ((await (await fetch(`${ctx.server!.url}/samples/latest/meta?window=1d&samples=100`)).json()) as { generatedAt?: string }).generatedAt === new Date(newAt).toISOString(), 'the server serving the new meta');
  const startedMs = Date.now();
  await page.clock.runFor(30_000);
  await until(async () => (await page.getAttribute('#charts', 'data-generated-at')) === new Date(newAt).toISOString(), 'the new build on the page');
  const fetchAndDrawMs = Date.now() - startedMs;
  assert.is(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no reload');
  assert.is(await page.getAttribute('body', 'data-live-updates'), '1');
  assert.ok(await page.isHidden('#stale-banner'));
  assert.is(readMeta(ctx.dataDir, FIXTURE_DEVICE, '1d', 100).generatedAt, new Date(newAt).toISOString());
  writeFileSync(join(ARTIFACTS_DIR, 'live-update.json'), JSON.stringify({ dueToCheckMs: 2_000, overdueRetryMs1d: 30_000, overdueRetryMs1h: 5_000, fetchAndDrawMs }, null, 2));
  console.log(`live update: checked 2 s after the build was due (retries every cadence/10, 5–30 s, while overdue); fetch + draw ${fetchAndDrawMs} ms`);
  await shot(page, 'live-updated');
  await context.close();
});

it(live)('shows the stale banner only from the server\'s meta: overdue builds are reported, a page that did not ask is not', async () => {
  const context = await ctx.browser!.newContext(CONTEXT);
  const page = await context.newPage();
  await page.clock.install({ time: new Date(Date.parse(PAGE_NOW) - 1000) });
  await page.clock.pauseAt(new Date(PAGE_NOW)); // time moves only when the test says
  await page.goto(`${ctx.server!.url}/?window=10d&samples=100`);
  await until(() => page.evaluate(() => document.body.dataset.view === 'ready' && !document.body.dataset.loading), 'the first view');
  assert.ok(await page.isHidden('#stale-banner'));
  await page.clock.runFor(60_000);
  assert.ok(await page.isHidden('#stale-banner'), 'not stale while the next build is not yet due');
  // 10d: cadence 10 min, expiresAt 16:20. At 16:21 the server's meta itself is overdue: the banner says so.
  await page.clock.runFor(16 * 60_000);
  await until(() => page.isVisible('#stale-banner'), 'the stale banner');
  assert.match(await page.textContent('#stale-banner') ?? '', /a newer build was due .* and has not arrived/);
  await shot(page, 'live-overdue');
  await context.close();
});

it(live)('swaps in the new build by the versionId its meta names, so a cache still holding the old copy under the plain URL (CloudFront, for the window\'s TTL) cannot keep it on the page', async () => {
  const page = await openPage('?window=1d&samples=100');
  const shownAt = (await page.getAttribute('#charts', 'data-generated-at'))!;
  // The copy the page has, as an edge cache would go on answering the plain URL until its max-age ran out.
  const old = await fetch(`${ctx.server!.url}/samples/latest?window=1d&samples=100&device=${FIXTURE_DEVICE}`);
  const oldBody = await old.text();
  const asked: string[] = [];
  await page.route((u) => u.pathname === '/samples/latest' && !u.searchParams.has('versionId'), (route) => route.fulfill({
    status: 200, body: oldBody,
    headers: { 'content-type': 'application/json', 'last-updated': old.headers.get('last-updated') ?? '', 'x-snapshot-source': old.headers.get('x-snapshot-source') ?? '' },
  }));
  page.on('request', (r) => { const u = new URL(r.url()); if (u.pathname === '/samples/latest') asked.push(u.search); });
  const newAt = Date.parse(shownAt) + 10 * 60_000;
  await buildOnServer(FIXTURE_DEVICE, { windows: ['1d'], atMs: newAt });
  const metaUrl = `${ctx.server!.url}/samples/latest/meta?window=1d&samples=100&device=${FIXTURE_DEVICE}`;
  let meta: { generatedAt?: string; versionId?: string } = {};
  await until(async () => (meta = await (await fetch(metaUrl)).json() as typeof meta).generatedAt === new Date(newAt).toISOString(), 'the server serving the new meta');
  // The page looks again when it becomes visible (as on its schedule).
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
  await until(async () => (await page.getAttribute('#charts', 'data-generated-at')) === new Date(newAt).toISOString(), 'the new build on the page');
  assert.is(new URLSearchParams(asked.at(-1)).get('versionId'), meta.versionId!);
  assert.is(await page.getAttribute('body', 'data-live-updates'), '1');
  await page.close();
});

it(live)('a version replaced before the page reads it (a window object holds one version per snapshot) is a 404: the page reads the plain URL and shows the newest build', async () => {
  const page = await openPage('?window=1d&samples=100');
  const shownAt = Date.parse((await page.getAttribute('#charts', 'data-generated-at'))!);
  const metaUrl = `${ctx.server!.url}/samples/latest/meta?window=1d&samples=100&device=${FIXTURE_DEVICE}`;
  const serving = (atMs: number) => until(async () => ((await (await fetch(metaUrl)).json()) as { generatedAt?: string }).generatedAt === new Date(atMs).toISOString(), `the server serving the build of ${new Date(atMs).toISOString()}`);
  const firstAt = shownAt + 10 * 60_000;
  const secondAt = shownAt + 20 * 60_000;
  const answers: string[] = [];
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/samples/latest') answers.push(`${r.status()} ${u.searchParams.has('versionId') ? 'pinned' : 'plain'}`);
  });
  let pinnedVersion: string | null = null;
  // The page asks for the version its meta named; the next build lands before that request reaches the server.
  await page.route((u) => u.pathname === '/samples/latest' && u.searchParams.has('versionId'), async (route) => {
    pinnedVersion = new URL(route.request().url()).searchParams.get('versionId');
    await buildOnServer(FIXTURE_DEVICE, { windows: ['1d'], atMs: secondAt });
    await serving(secondAt);
    await route.continue();
  });
  await buildOnServer(FIXTURE_DEVICE, { windows: ['1d'], atMs: firstAt });
  await serving(firstAt);
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
  await until(async () => (await page.getAttribute('#charts', 'data-generated-at')) === new Date(secondAt).toISOString(), 'the newest build on the page');
  assert.match(pinnedVersion ?? '', /^v\d+-[0-9a-f]{16}$/);
  assert.equal(answers.slice(-2), ['404 pinned', '200 plain'], `answers: ${answers.join(', ')}`);
  assert.ok(await page.isHidden('#error'), 'no error shown for the version gone');
  await page.close();
});

const push = suite('dashboard: pushed builds');
push.before(setup);
push.after(teardown);

itInProcess(push)('a build the server pushes (GET /samples/builds) is on the page at once, a minute before its meta said to look', async () => {
  const page = await openPage('?window=1d&samples=100'); // page clock fixed at 16:04, its timers run in real time
  await page.waitForFunction(() => document.body.dataset.push === 'open');
  assert.is(await page.getAttribute('#charts', 'data-generated-at'), FIXTURE_TO);
  assert.is(await page.getAttribute('body', 'data-next-check-ms'), String(62_000), 'without the push the page would look at 16:05:02');
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  let shownAtMs = 0;
  await page.exposeFunction('reportShown', () => { shownAtMs = Date.now(); });
  await page.evaluate(() => new MutationObserver(() => (window as unknown as { reportShown: () => void }).reportShown())
    .observe(document.querySelector('#charts')!, { attributes: true, attributeFilter: ['data-generated-at'] }));
  // The daemon's next build of 1d, as of 16:03, written through the API's publishing store.
  const newAt = Date.parse(FIXTURE_TO) + 3 * 60_000;
  let publishedAtMs = 0;
  await buildSnapshots(ctx.dataDir, FIXTURE_DEVICE, {
    windows: ['1d'], atMs: newAt,
    wrapStore: (inner) => {
      const store = ctx.server!.publishingStore!(inner);
      return { ...store, put: (key, body, headers, options) => {
        if (key.endsWith(`/${windowObjectKey('1d')}`)) publishedAtMs = Date.now(); // the one put of the window's four snapshots
        return store.put(key, body, headers, options);
      } };
    },
  });
  await until(async () => shownAtMs > 0 && (await page.getAttribute('#charts', 'data-generated-at')) === new Date(newAt).toISOString(), 'the pushed build on the page');
  const pushToPageMs = shownAtMs - publishedAtMs;
  assert.ok(publishedAtMs > 0 && pushToPageMs >= 0, `published at ${publishedAtMs}, shown at ${shownAtMs}`);
  assert.is(await page.getAttribute('body', 'data-pushed-builds'), '1', 'one event for the view shown (the other granularities are not its)');
  assert.is(await page.getAttribute('body', 'data-live-updates'), '1');
  assert.is(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'no reload');
  assert.is(await page.textContent('#freshness'), 'last updated 1 min ago');
  writeFileSync(join(ARTIFACTS_DIR, 'push-update.json'), JSON.stringify({ pushToPageMs, pollWouldCheckAfterMs: 62_000 }, null, 2));
  console.log(`pushed build: window object written → page showing it in ${pushToPageMs} ms (the meta schedule would have looked 62 s later)`);
  await shot(page, 'pushed-build');
  await page.close();
});

const age = suite('dashboard: data age');
age.before(async () => {
  await setup();
  if (!ctx.server) return;
  // A second sensor on `attic` that stopped 45 min before the snapshot: every minute from 11:00 to 15:15.
  await prepareDevice(ctx.dataDir, 'attic');
  const buffer = SqliteBuffer.open(dbPathOf(ctx.dataDir));
  try {
    buffer.defineSeries([{ deviceId: 'attic', seriesId: 'ds18b20-1.tempC', sensorId: 'ds18b20-1', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
    const stopMs = Date.parse(FIXTURE_TO) - 45 * 60_000;
    const samples = [];
    for (let t = stopMs - 255 * 60_000; t <= stopMs; t += 60_000) samples.push({ seriesId: 'ds18b20-1.tempC', tsMs: t, value: 18 + (t / 60_000) % 5 * 0.1 });
    buffer.insert('attic', samples);
  } finally {
    buffer.close();
  }
  await buildOnServer('attic', { windows: ['1d'] });
});
age.after(teardown);

it(age)('says how old the newest sample is beside the build time, and marks a sensor silent for 49 min (usually every 1 min)', async () => {
  const page = await openPage('?window=1d&samples=100&device=attic');
  const stored = readSnapshot(ctx.dataDir, 'attic', '1d', 100);
  const newestMs = Math.max(...stored.series.map((s) => s.latest!.tsMs));
  assert.is(await page.getAttribute('#data-age', 'data-newest-at'), new Date(newestMs).toISOString());
  assert.match(await page.textContent('#data-age') ?? '', /^newest sample \d+ min ago$/);
  assert.is(await page.textContent('#freshness'), 'last updated 4 min ago');
  const silent = await page.$$eval('.chart-card[data-silent="true"]', (els) => els.map((e) => [e.getAttribute('data-series-id'), e.querySelector('.silent')?.textContent]));
  assert.equal(silent, [['ds18b20-1.tempC', 'Sensor silent: no sample for 49 min (usually every 1 min).']]);
  await shot(page, 'silent-sensor');
  await page.close();
});

it(age)('overlays the two °C series of attic in one chart when asked; the other units keep their own cards', async () => {
  const page = await openPage('?window=1d&samples=100&device=attic');
  await page.check('#overlay');
  await page.waitForSelector('.chart-card[data-style="overlay"]');
  assert.is(await page.getAttribute('.chart-card[data-style="overlay"]', 'data-overlay'), 'bme280-76.tempC ds18b20-1.tempC');
  assert.equal(await page.$$eval('.chart-card:not([data-style="overlay"])', (els) => els.map((e) => e.getAttribute('data-series-id'))), ['bme280-76.pressurePa', 'bme280-76.rhPct']);
  await shot(page, 'overlay');
  await page.uncheck('#overlay');
  await page.waitForFunction(() => document.querySelectorAll('.chart-card').length === 4);
  await page.close();
});

const zoom = suite('dashboard: zoom');
const PORCH_HOLE = { afterMs: Date.parse('2019-09-30T15:19:50Z'), resumeMs: Date.parse('2019-09-30T15:40:00Z') };
zoom.before(async () => {
  await setup();
  if (!ctx.server) return;
  // `porch`: 10-second samples for the 3 h before the snapshot, none from 15:20 to 15:39:50 (an outage).
  const buffer = SqliteBuffer.open(dbPathOf(ctx.dataDir));
  try {
    buffer.defineSeries([{ deviceId: 'porch', seriesId: 'sht31-44.tempC', sensorId: 'sht31-44', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
    const toMs = Date.parse(FIXTURE_TO);
    const samples = [];
    for (let t = toMs - 3 * 3_600_000 + 10_000; t <= toMs; t += 10_000) {
      if (t > PORCH_HOLE.afterMs && t < PORCH_HOLE.resumeMs) continue;
      samples.push({ seriesId: 'sht31-44.tempC', tsMs: t, value: 12 + Math.sin(t / 900_000) });
    }
    buffer.insert('porch', samples);
    // A second °C sensor on porch, every 30 s at :05/:35 (other times than sht31's), 15:00–16:00 without a hole.
    buffer.defineSeries([{ deviceId: 'porch', seriesId: 'ds18b20-7.tempC', sensorId: 'ds18b20-7', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
    const second = [];
    for (let t = toMs - 3_600_000 + 5_000; t <= toMs; t += 30_000) second.push({ seriesId: 'ds18b20-7.tempC', tsMs: t, value: 14 + Math.cos(t / 600_000) });
    buffer.insert('porch', second);
  } finally {
    buffer.close();
  }
  await buildOnServer('porch', { windows: ['10h', '1h'] });
});
zoom.after(teardown);

it(zoom)('a drag across a chart reads /samples/range for that span and draws its samples, the outage as a break; Reset zoom returns', async () => {
  const page = await openPage('?window=10h&samples=100&device=porch');
  const ranges: string[] = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/samples/range') ranges.push(new URL(r.url()).search); });
  const box = (await page.locator('.chart-card[data-series-id="sht31-44.tempC"] .u-over').boundingBox())!;
  // From 30 % of the plot (≈ 13:00) to its right edge (16:00).
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('#charts')?.getAttribute('data-zoomed') === 'true' || !document.querySelector('#error')?.hasAttribute('hidden'), undefined, { timeout: 60_000 });
  assert.is(await page.textContent('#error-text'), '');
  assert.is(ranges.length, 1);
  const q = new URLSearchParams(ranges[0]);
  assert.is(q.get('device'), 'porch');
  assert.ok(Number(q.get('from')) < PORCH_HOLE.afterMs && Number(q.get('to')) > PORCH_HOLE.resumeMs, ranges[0]);
  const card = page.locator('.chart-card[data-series-id="sht31-44.tempC"]');
  assert.is(await card.getAttribute('data-gaps'), '1', 'the outage is one break in the line');
  assert.ok(Number(await card.getAttribute('data-points')) > 100, 'more detail than the 100-point snapshot');
  assert.match(await page.textContent('#zoom-text') ?? '', /^Zoomed to .* · \d+ (raw samples|samples, first\/min\/max\/last per pixel column)$/);
  // The header describes what is shown (the range, read now), not the snapshot's age (built 16:00, page at 16:04).
  const header = () => Promise.all([page.textContent('#freshness'), page.textContent('#data-age')]);
  // Berlin is UTC+02:00 on that day; the range is written to the minute, its start rounded down and its end up.
  const berlinMinute = (ms: number) => new Date(ms + 2 * 3_600_000).toISOString().slice(11, 16);
  const [fromMs, toMs] = [Number(q.get('from')), Number(q.get('to'))];
  assert.is((await header())[0], `range 2019-09-30 ${berlinMinute(Math.floor(fromMs / 60_000) * 60_000)} – ${berlinMinute(Math.ceil(toMs / 60_000) * 60_000)}, read just now`);
  assert.is((await header())[1], '', 'no newest-sample age of the snapshot');
  assert.is(await page.getAttribute('#freshness', 'data-read-at'), PAGE_NOW);
  const resolution = await page.getAttribute('#charts', 'data-resolution');
  assert.is(await page.textContent('#showing'), `Custom range · ${resolution === 'raw' ? 'raw samples' : 'first/min/max/last per pixel column'} · device porch`, 'not the 10 h snapshot');
  await shot(page, 'zoom-range');
  // 3 min later the range says how old the reading is (the 5 s tick runs on real timers; Date is the page clock).
  await page.clock.setFixedTime(new Date(Date.parse(PAGE_NOW) + 3 * 60_000));
  await page.waitForFunction(() => /, read 3 min ago$/.test(document.querySelector('#freshness')?.textContent ?? ''), undefined, { timeout: 15_000 });
  await page.click('#zoom-reset');
  await page.waitForFunction(() => !document.querySelector('#charts')?.hasAttribute('data-zoomed'));
  assert.equal(await header(), ['last updated 7 min ago', 'newest sample 7 min ago'], 'the snapshot\'s age again');
  assert.is(await page.textContent('#showing'), '10 hours · 100 points · device porch');
  assert.is(await page.getAttribute('#freshness', 'data-read-at'), null);
  assert.is(await page.getAttribute('#charts', 'data-granularity'), '100');
  assert.ok(await page.isHidden('#zoom-bar'));
  await page.close();
});

it(zoom)('a From/To range reads /samples/range, says what is wrong with a backwards or empty range, and lives in the URL (reload, link, back)', async () => {
  const page = await openPage('?window=10h&samples=100&device=porch');
  const ranges: string[] = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/samples/range') ranges.push(new URL(r.url()).search); });
  // The inputs show the snapshot's span in local time (Berlin, UTC+02:00).
  const shownSpan = readSnapshot(ctx.dataDir, 'porch', '10h', 100);
  assert.equal([shownSpan.from, shownSpan.to], ['2019-09-30T06:06:00.000Z', FIXTURE_TO]);
  assert.equal([await page.inputValue('#range-from'), await page.inputValue('#range-to')], ['2019-09-30 08:06', '2019-09-30 18:00']);
  await page.fill('#range-from', '2019-09-30 17:30');
  await page.fill('#range-to', '2019-09-30 17:00');
  await page.click('#range-show');
  assert.is(await page.textContent('#range-error'), 'From (2019-09-30 17:30) must be before To (2019-09-30 17:00).');
  await page.fill('#range-to', '');
  await page.click('#range-show');
  assert.is(await page.textContent('#range-error'), 'To is empty (YYYY-MM-DD HH:MM).');
  assert.ok(await page.isVisible('#range-error'));
  assert.equal(ranges, [], 'nothing asked for a bad range');
  await shot(page, 'range-error');
  // 17:10–17:50 Berlin = 15:10Z–15:50Z, around the porch outage (15:19:50Z–15:40Z).
  await page.fill('#range-from', '2019-09-30 17:10');
  await page.fill('#range-to', '2019-09-30 17:50');
  await page.click('#range-show');
  await page.waitForFunction(() => document.querySelector('#charts')?.getAttribute('data-zoomed') === 'true' && !document.body.dataset.loading);
  assert.ok(await page.isHidden('#range-error'));
  assert.is(ranges.length, 1);
  const q = new URLSearchParams(ranges[0]);
  assert.equal([Number(q.get('from')), Number(q.get('to')), q.get('device')], [Date.parse('2019-09-30T15:10:00Z'), Date.parse('2019-09-30T15:50:00Z'), 'porch']);
  const card = page.locator('.chart-card[data-series-id="sht31-44.tempC"]');
  assert.is(await card.getAttribute('data-gaps'), '1', 'the outage is a break');
  // 10-second samples: 15:10:00–15:19:50 (60) and 15:40:00–15:50:00 (61) are fewer than the plot's columns, so all raw.
  assert.is(await page.getAttribute('#charts', 'data-resolution'), 'raw');
  const points = await card.getAttribute('data-points');
  assert.is(points, String(60 + 1 + 61), '121 samples and one gap marker');
  assert.equal([await page.textContent('#showing'), await page.textContent('#freshness')], ['Custom range · raw samples · device porch', 'range 2019-09-30 17:10 – 17:50, read just now']);
  const url = new URL(page.url());
  assert.equal([url.searchParams.get('from'), url.searchParams.get('to'), url.searchParams.get('window')], ['2019-09-30T15:10:00Z', '2019-09-30T15:50:00Z', '10h']);
  await shot(page, 'range-custom');
  // A reload (or the link shared) opens on the same range, read from the endpoint again.
  await page.reload();
  await page.waitForFunction(() => document.querySelector('#charts')?.getAttribute('data-zoomed') === 'true' && !document.body.dataset.loading);
  assert.is(ranges.length, 2);
  assert.is(ranges[1], ranges[0].replace(/samples=\d+/, `samples=${new URLSearchParams(ranges[1]).get('samples')}`));
  assert.equal([await page.inputValue('#range-from'), await page.inputValue('#range-to')], ['2019-09-30 17:10', '2019-09-30 17:50']);
  assert.is(await page.locator('.chart-card[data-series-id="sht31-44.tempC"]').getAttribute('data-points'), points);
  assert.match(await page.textContent('#showing') ?? '', /^Custom range · raw samples · device porch$/);
  assert.is(await page.textContent('#freshness'), 'range 2019-09-30 17:10 – 17:50, read just now', 'opened on a range: no snapshot was read');
  // Back returns to the window's snapshot; a link with a broken range says so and shows the window.
  await page.goBack();
  await page.waitForFunction(() => !document.querySelector('#charts')?.hasAttribute('data-zoomed') && document.querySelector('#charts')?.getAttribute('data-window') === '10h');
  assert.is(new URL(page.url()).searchParams.get('from'), null);
  await page.close();
  const broken = await openPage('?window=10h&samples=100&device=porch&from=2019-13-45T00:00Z&to=2019-09-30T15:50:00Z');
  assert.match(await broken.textContent('#url-problems') ?? '', /from=2019-13-45T00:00Z is not a date/);
  assert.is(await broken.getAttribute('#charts', 'data-window'), '10h');
  await broken.close();
});

it(zoom)('the From/To inputs read and write YYYY-MM-DD HH:MM in a German and a British browser alike (not the US mm/dd/yyyy), local Berlin time', async () => {
  for (const locale of ['de-DE', 'en-GB']) {
    const page = await openPage('?window=10h&samples=100&device=porch', { locale });
    assert.is(await page.evaluate(() => navigator.language), locale);
    const ranges: string[] = [];
    page.on('request', (r) => { if (new URL(r.url()).pathname === '/samples/range') ranges.push(new URL(r.url()).search); });
    // The snapshot's span, 06:06Z–16:00Z, in Berlin time.
    assert.equal([await page.inputValue('#range-from'), await page.inputValue('#range-to')], ['2019-09-30 08:06', '2019-09-30 18:00'], locale);
    assert.equal([await page.getAttribute('#range-from', 'type'), await page.getAttribute('#range-from', 'placeholder')], ['text', 'YYYY-MM-DD HH:MM']);
    // The locale's own spelling is refused with the format, not guessed (30.09. here, 09/30 in the US).
    await page.fill('#range-from', '30.09.2019 17:10');
    await page.click('#range-show');
    assert.is(await page.textContent('#range-error'), 'From (30.09.2019 17:10) is not a date and time as YYYY-MM-DD HH:MM, e.g. 2019-09-30 17:10.');
    await page.fill('#range-from', '');
    await page.locator('#range-from').pressSequentially('2019-09-30 17:10');
    await page.fill('#range-to', '2019-09-30 17:50');
    await page.press('#range-to', 'Enter');
    await page.waitForFunction(() => document.querySelector('#charts')?.getAttribute('data-zoomed') === 'true' && !document.body.dataset.loading);
    assert.is(ranges.length, 1, 'one request, for the good range');
    const q = new URLSearchParams(ranges[0]);
    assert.equal([Number(q.get('from')), Number(q.get('to'))], [Date.parse('2019-09-30T15:10:00Z'), Date.parse('2019-09-30T15:50:00Z')], locale);
    assert.equal([await page.inputValue('#range-from'), await page.inputValue('#range-to')], ['2019-09-30 17:10', '2019-09-30 17:50']);
    if (locale === 'de-DE') await shot(page, 'range-de-DE');
    await page.close();
  }
});

it(zoom)('overlays same-unit raw samples too: the raw 1h snapshot and a zoomed range, times aligned, the outage still a break; a drag on the overlay zooms', async () => {
  // The raw 1h variant: sht31 every 10 s with the outage, ds18b20 every 30 s at other instants.
  let served: Promise<Payload> | undefined;
  const page = await openPage('?window=1h&samples=500&device=porch', { beforeGoto: (p) => { served = servedPayload(p, '1h', 500); } });
  assert.is(await page.getAttribute('#charts', 'data-resolution'), 'raw');
  const payload = await served!;
  if (SERVES_DATA_DIR) assert.equal(payload, readSnapshot(ctx.dataDir, 'porch', '1h', 500));
  const pointsOf = (id: string) => payload.series.find((x) => x.id === id)!.points.length;
  await page.check('#overlay');
  await page.waitForSelector('.chart-card[data-style="overlay"]');
  const overlay = page.locator('.chart-card[data-style="overlay"]');
  assert.is(await page.locator('.chart-card').count(), 1, 'both °C series in one card');
  assert.is(await overlay.getAttribute('data-overlay'), 'ds18b20-7.tempC sht31-44.tempC');
  // No instant is shared (:x0 vs :x5), so the aligned times are the sum of both series' points.
  assert.is(await overlay.getAttribute('data-points'), String(pointsOf('ds18b20-7.tempC') + pointsOf('sht31-44.tempC')));
  assert.is(await overlay.getAttribute('data-gaps'), '1', 'the outage stays a break after alignment');
  // …from the last sample before it to the first after, not only around the null marker (ds18b20's times inside the hole are gaps too).
  const hole = `sht31-44.tempC ${new Date(PORCH_HOLE.afterMs).toISOString()}/${new Date(PORCH_HOLE.resumeMs).toISOString()}`;
  assert.is(await overlay.getAttribute('data-breaks'), hole);
  assert.match(await page.textContent('.chart-card[data-style="overlay"] h2') ?? '', /2 series overlaid, raw samples/);
  await shot(page, 'overlay-raw');
  // A drag across the overlay zooms through the range endpoint and stays overlaid.
  const box = (await overlay.locator('.u-over').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('#charts')?.getAttribute('data-zoomed') === 'true' && !document.body.dataset.loading);
  const zoomed = new URL(page.url()).searchParams;
  const range = await (await fetch(`${ctx.server!.url}/samples/range?from=${Date.parse(zoomed.get('from')!)}&to=${Date.parse(zoomed.get('to')!)}&samples=1000&device=porch`)).json() as { series: Array<{ id: string; points: Array<{ value: number | null }> }> };
  const rangePoints = range.series.reduce((n, x) => n + x.points.length, 0);
  assert.is(await page.locator('.chart-card').count(), 1);
  assert.is(await overlay.getAttribute('data-overlay'), 'ds18b20-7.tempC sht31-44.tempC');
  assert.is(await overlay.getAttribute('data-points'), String(rangePoints));
  assert.is(await overlay.getAttribute('data-breaks'), hole);
  await shot(page, 'overlay-zoomed');
  await page.uncheck('#overlay');
  await page.waitForFunction(() => document.querySelectorAll('.chart-card').length === 2);
  await page.close();
});

const look = suite('dashboard: look');
look.before(setup);
look.after(teardown);

const background = (page: import('playwright-core').Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

it(look)('follows a dark system theme; the toggle cycles auto → dark → light; °F converts temperatures only for display', async () => {
  const page = await openPage('?window=1d&samples=100', { colorScheme: 'dark' });
  assert.is(await background(page), 'rgb(18, 22, 28)', 'dark from prefers-color-scheme');
  assert.is(await page.evaluate(() => getComputedStyle(document.querySelector('.chart-card')!).backgroundColor), 'rgb(27, 33, 41)');
  await shot(page, 'dark-mode');
  assert.is(await page.textContent('#theme'), 'Theme: auto');
  await page.click('#theme');
  assert.is(await page.textContent('#theme'), 'Theme: dark');
  await page.click('#theme');
  assert.equal([await page.textContent('#theme'), await background(page)], ['Theme: light', 'rgb(246, 247, 249)']);
  const temp = readSnapshot(ctx.dataDir, FIXTURE_DEVICE, '1d', 100).series.find((x) => x.id === 'bme280-76.tempC')!;
  await page.check('#fahrenheit');
  await page.waitForFunction(() => /°F/.test(document.querySelector('.chart-card[data-series-id="bme280-76.tempC"] h2')?.textContent ?? ''));
  const summary = await page.textContent('.chart-card[data-series-id="bme280-76.tempC"] .summary');
  assert.match(summary ?? '', `Latest ${(temp.latest!.value * 1.8 + 32).toFixed(1)} °F`);
  assert.match(await page.textContent('.chart-card[data-series-id="bme280-76.pressurePa"] h2') ?? '', /hPa/, 'other units unchanged');
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.view === 'ready');
  assert.ok(await page.isChecked('#fahrenheit'), 'kept across loads');
  assert.is(await page.textContent('#theme'), 'Theme: light');
  await page.close();
});

it(look)('one dark palette: the system\'s dark and dark chosen on a light system give the same page and chart colours; light chosen on a dark system is light', async () => {
  const colours = (page: import('playwright-core').Page) => page.evaluate(() => [
    getComputedStyle(document.body).backgroundColor,
    getComputedStyle(document.querySelector('.chart-card')!).backgroundColor,
    getComputedStyle(document.querySelector('#freshness')!).color,
    document.querySelector<HTMLElement>('.chart-card[data-series-id="bme280-76.tempC"]')!.dataset.lineColour,
  ]);
  const DARK = ['rgb(18, 22, 28)', 'rgb(27, 33, 41)', 'rgb(170, 179, 192)', 'rgb(108, 176, 245)'];
  const LIGHT = ['rgb(246, 247, 249)', 'rgb(255, 255, 255)', 'rgb(74, 83, 97)', 'rgb(11, 87, 164)'];
  const systemDark = await openPage('?window=1d&samples=100', { colorScheme: 'dark' });
  assert.equal(await colours(systemDark), DARK, 'system dark, theme auto');
  await systemDark.click('#theme'); // dark
  await systemDark.click('#theme'); // light, on a dark system
  assert.is(await systemDark.textContent('#theme'), 'Theme: light');
  assert.equal(await colours(systemDark), LIGHT, 'light chosen on a dark system (charts redrawn)');
  await systemDark.close();
  const chosenDark = await openPage('?window=1d&samples=100', { colorScheme: 'light' });
  assert.equal(await colours(chosenDark), LIGHT, 'system light, theme auto');
  await chosenDark.click('#theme');
  assert.is(await chosenDark.textContent('#theme'), 'Theme: dark');
  assert.equal(await colours(chosenDark), DARK, 'dark chosen on a light system: the same colours as the system\'s dark');
  await shot(chosenDark, 'dark-chosen');
  await chosenDark.close();
});

live.run();
push.run();
age.run();
zoom.run();
look.run();
