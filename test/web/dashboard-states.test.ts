/**
 * The dashboard in a real browser against the real Pi API: stale and fallback banners, server errors,
 * refresh jobs built for real from SQLite (SSE, polling, failure, reduced motion).
 * Harness: test/support/web-page.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  FIXTURE_DEVICE, FIXTURE_TO, breakSnapshot, buildSnapshots, deleteSnapshot, readMeta, restoreSnapshot, writeMeta,
} from '../support/web-fixture.js';
import { REFRESHED_AT, cards, ctx, it, itDataDir, itInProcess, openPage, setup, shot, teardown } from '../support/web-page.js';

const stale = suite('dashboard: stale and failing snapshots');
stale.before(setup);
stale.after(teardown);

itDataDir(stale)('shows the stale banner when meta says the latest build failed', async () => {
  const meta = readMeta(ctx.dataDir, FIXTURE_DEVICE, '3m', 100);
  await writeMeta(ctx.dataDir, FIXTURE_DEVICE, '3m', 100, {
    ...meta, generatedAt: '2019-09-30T14:00:00.000Z', stale: true, consecutiveFailures: 3,
    lastError: 'SQLITE_BUSY: database is locked', lastFailureAt: '2019-09-30T16:00:00.000Z',
  });
  const page = await openPage('?window=3m&samples=100');
  assert.ok(await page.isVisible('#stale-banner'));
  assert.is(await page.textContent('#stale-banner'),
    'Showing data from 2 h 4 min ago; the latest build failed (3 failed builds in a row): SQLITE_BUSY: database is locked.');
  assert.is(await page.getAttribute('#freshness', 'data-stale'), 'true');
  assert.equal((await cards(page)).map((c) => c.points), [100, 100, 100], 'the last good data is still drawn');
  await shot(page, 'stale-3m-100');
  await page.close();
});

itDataDir(stale)('shows the stale banner when expiresAt has passed without a new build', async () => {
  const meta = readMeta(ctx.dataDir, FIXTURE_DEVICE, '12m', 100);
  await writeMeta(ctx.dataDir, FIXTURE_DEVICE, '12m', 100, { ...meta, expiresAt: '2019-09-30T16:01:00.000Z' });
  const page = await openPage('?window=12m&samples=100');
  assert.is(await page.textContent('#stale-banner'), 'Showing data from 4 min ago; a newer build was due 3 min ago and has not arrived.');
  await page.close();
});

itDataDir(stale)('notes when the data came from the fallback copy (canonical meta stale, fallback built later)', async () => {
  // A fallback copy built a minute after the canonical one, then the canonical build fails (stale meta).
  await buildSnapshots(ctx.dataDir, FIXTURE_DEVICE, { windows: ['10h'], atMs: Date.parse(FIXTURE_TO) + 60_000, fallback: true });
  const meta = readMeta(ctx.dataDir, FIXTURE_DEVICE, '10h', 100);
  await writeMeta(ctx.dataDir, FIXTURE_DEVICE, '10h', 100, { ...meta, stale: true, consecutiveFailures: 1, lastError: 'disk full' });
  const page = await openPage('?window=10h&samples=100');
  assert.ok(await page.isVisible('#source-note'));
  assert.match(await page.textContent('#source-note') ?? '', /fallback copy/);
  assert.is(await page.getAttribute('#freshness', 'data-generated-at'), '2019-09-30T16:01:00.000Z');
  assert.equal((await cards(page)).map((c) => c.points), [100, 100, 100]);
  await shot(page, 'fallback-10h-100');
  await page.close();
});

itDataDir(stale)('keeps the last good chart and shows the server error in words when a switch fails', async () => {
  const page = await openPage('?window=10d&samples=100');
  // The window object holds all four granularities of 10d: break it once the 100-point view is drawn.
  breakSnapshot(ctx.dataDir, FIXTURE_DEVICE, '10d', 20);
  const url = `${ctx.server!.url}/samples/latest?window=10d&samples=20&device=${FIXTURE_DEVICE}`;
  for (let i = 0; i < 100 && (await fetch(url)).status !== 500; i++) await new Promise((r) => setTimeout(r, 50)); // the server's 1 s read cache
  assert.is((await fetch(url.replace('samples=20', 'samples=500'))).status, 500, 'every granularity of 10d is in the broken file');
  assert.is((await fetch(url.replace('window=10d', 'window=1d'))).status, 200, 'the other windows are their own files');
  await page.click('label[for="samples-20"]');
  await page.waitForSelector('#error:not([hidden])');
  const text = await page.textContent('#error-text');
  assert.match(text ?? '', /^Could not load 10 days at 20 points\. The server failed \(HTTP 500\): internal error\. Still showing 10 days at 100 points\.$/);
  assert.ok(await page.isVisible('#retry'));
  const got = await cards(page);
  assert.equal(got.map((c) => c.points), [100, 100, 100]);
  assert.ok(got.every((c) => c.canvases >= 1));
  assert.is(await page.getAttribute('body', 'data-view'), 'kept');
  await shot(page, 'error-kept-chart');
  // Retry after the file is fixed loads the view.
  await restoreSnapshot(ctx.dataDir, FIXTURE_DEVICE, '10d', 20);
  await page.click('#retry');
  await page.waitForFunction(() => document.querySelector('#charts')?.getAttribute('data-granularity') === '20');
  assert.ok(await page.isHidden('#error'));
  assert.equal((await cards(page)).map((c) => c.points), [20, 20, 20]);
  await page.close();
});

itDataDir(stale)('says in words that a snapshot was never built (404 not_built), with no chart', async () => {
  await deleteSnapshot(ctx.dataDir, FIXTURE_DEVICE, '1h', 500);
  const page = await openPage('?window=1h&samples=500');
  assert.is(await page.$$eval('canvas', (c) => c.length), 0);
  assert.match(await page.textContent('#empty') ?? '', /No snapshot has been built for this view yet \(HTTP 404 not_built\); it appears after the builder's next run, or use Refresh\./);
  assert.is(await page.textContent('#showing'), '1 hour at 500 points: not available');
  await page.close();
});

itDataDir(stale)('shows an empty state with the message and no chart when the first load fails', async () => {
  breakSnapshot(ctx.dataDir, FIXTURE_DEVICE, '3m', 250);
  const page = await openPage('?window=3m&samples=250');
  assert.is(await page.$$eval('canvas', (c) => c.length), 0);
  assert.is(await page.getAttribute('#charts', 'data-state'), 'empty');
  assert.match(await page.textContent('#empty') ?? '', /The server failed \(HTTP 500\)/);
  assert.match(await page.textContent('#error-text') ?? '', /^Could not load 3 months at 250 points\./);
  await shot(page, 'error-empty');
  await page.close();
});

const refresh = suite('dashboard: refresh');
refresh.before(setup);
refresh.after(teardown);

itInProcess(refresh)('shows a throbber with the job progress over SSE, then swaps in the new generatedAt', async () => {
  const page = await openPage('?window=1d&samples=100');
  assert.is(await page.getAttribute('#freshness', 'data-generated-at'), FIXTURE_TO);
  await page.click('#refresh');
  await page.waitForFunction(() => /Building 10 %/.test(document.querySelector('#refresh-text')?.textContent ?? ''));
  assert.ok(await page.isVisible('.throbber'));
  assert.ok(await page.isDisabled('#refresh'));
  assert.is(await page.$eval('#refresh-progress', (p) => (p as HTMLProgressElement).value), 0.1);
  assert.is(await page.$eval('.throbber', (t) => getComputedStyle(t).animationName), 'spin');
  await shot(page, 'refresh-running');
  ctx.server!.releaseBuilds!();
  await page.waitForFunction(() => document.body.dataset.refreshState === 'done');
  assert.is(await page.getAttribute('#freshness', 'data-generated-at'), REFRESHED_AT);
  assert.is(await page.textContent('#freshness'), 'last updated 30 s ago');
  assert.ok(await page.isHidden('.throbber'));
  assert.is(await page.textContent('#refresh-text'), 'Updated.');
  assert.equal((await cards(page)).map((c) => c.points), [100, 100, 100]);
  await shot(page, 'refresh-done');
  await page.close();
});

it(refresh)('a refresh through either server (in process or spawned sensorctl serve) ends with a newer generatedAt', async () => {
  const page = await openPage('?window=10d&samples=100');
  assert.is(await page.getAttribute('#freshness', 'data-generated-at'), FIXTURE_TO);
  // The build runs at the server's build clock: REFRESHED_AT in process (stopped), the wall clock when spawned.
  const clickedMs = ctx.server!.buildClockMs();
  await page.click('#refresh');
  ctx.server!.releaseBuilds?.(); // in process builds are held until released (a permit if the build is not there yet)
  await page.waitForFunction(() => document.body.dataset.refreshState === 'done');
  const doneMs = ctx.server!.buildClockMs();
  const generatedMs = Date.parse(await page.getAttribute('#freshness', 'data-generated-at') ?? '');
  assert.ok(generatedMs >= clickedMs && generatedMs <= doneMs, `generatedAt ${new Date(generatedMs).toISOString()} within the build clock's [${new Date(clickedMs).toISOString()}, ${new Date(doneMs).toISOString()}]`);
  assert.ok(generatedMs > Date.parse(FIXTURE_TO), `after ${FIXTURE_TO}`);
  assert.equal((await cards(page)).map((c) => c.points), [100, 100, 100]);
  await page.close();
});

itInProcess(refresh)('falls back to polling the status URL when the event stream fails', async () => {
  const page = await openPage('?window=10h&samples=100');
  await page.route('**/samples/refresh/*/events', (route) => route.abort());
  const seen: string[] = [];
  page.on('request', (r) => seen.push(new URL(r.url()).pathname));
  await page.click('#refresh');
  await page.waitForFunction(() => /checking status/.test(document.querySelector('#refresh-text')?.textContent ?? ''));
  ctx.server!.releaseBuilds!();
  await page.waitForFunction(() => document.body.dataset.refreshState === 'done');
  assert.ok(seen.some((p) => /^\/samples\/refresh\/[0-9a-f-]{36}$/.test(p)), 'polled statusUrl');
  assert.is(await page.getAttribute('#freshness', 'data-generated-at'), REFRESHED_AT);
  await page.close();
});

itInProcess(refresh)('stops the throbber animation under prefers-reduced-motion', async () => {
  const page = await openPage('?window=3m&samples=20', { reducedMotion: true });
  await page.click('#refresh');
  await page.waitForFunction(() => /Building/.test(document.querySelector('#refresh-text')?.textContent ?? ''));
  assert.ok(await page.isVisible('.throbber'));
  assert.is(await page.$eval('.throbber', (t) => getComputedStyle(t).animationName), 'none');
  ctx.server!.releaseBuilds!();
  await page.waitForFunction(() => document.body.dataset.refreshState === 'done');
  await page.close();
});

itInProcess(refresh)('shows a failed job in words with a retry button, and the chart stays', async () => {
  const page = await openPage('?window=12m&samples=20');
  ctx.server!.failNextBuild!('SQLITE_BUSY: database is locked');
  await page.click('#refresh');
  await page.waitForFunction(() => /Building/.test(document.querySelector('#refresh-text')?.textContent ?? ''));
  ctx.server!.releaseBuilds!();
  await page.waitForFunction(() => document.body.dataset.refreshState === 'failed');
  assert.is(await page.textContent('#error-text'), 'Refresh failed: SQLITE_BUSY: database is locked.');
  assert.ok(await page.isVisible('#retry'));
  assert.equal((await cards(page)).map((c) => c.points), [20, 20, 20]);
  await shot(page, 'refresh-failed');
  await page.click('#retry');
  await page.waitForFunction(() => /Building/.test(document.querySelector('#refresh-text')?.textContent ?? ''));
  ctx.server!.releaseBuilds!();
  await page.waitForFunction(() => document.body.dataset.refreshState === 'done');
  assert.ok(await page.isHidden('#error'));
  await page.close();
});

stale.run();
refresh.run();
