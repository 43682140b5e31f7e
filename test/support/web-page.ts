/**
 * Shared harness of the dashboard browser tests: one Chromium, one server (test/support/web-server.ts)
 * over a temp data dir holding the fixture snapshots of two devices, and page helpers. The page's
 * clock is fixed at PAGE_NOW and its zone is Europe/Berlin (UTC+02:00 in September), so wording is
 * deterministic. Screenshots go to test-artifacts/web/.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'uvu';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { ARTIFACTS_DIR, CHROMIUM_PATH, ensureWebBuilt, launchChromium } from './web-browser.js';
import { FIXTURE_DEVICE, writeFixtureSnapshots } from './web-fixture.js';
import { start, type WebServer } from './web-server.js';

/** The page's fixed clock: 4 min after the fixture snapshots were generated. */
export const PAGE_NOW = '2019-09-30T16:04:00.000Z';
/** generatedAt stamped by a refresh job of the stand-in server. */
export const REFRESHED_AT = '2019-09-30T16:03:30.000Z';
/** Browser context: Berlin zone (UTC+02:00 in September), British English, a desktop viewport. */
export const CONTEXT: BrowserContextOptions = { timezoneId: 'Europe/Berlin', locale: 'en-GB', viewport: { width: 1100, height: 1000 } };

/** Without Chromium (and outside CI) every test is registered as skipped; in CI a missing browser fails. */
export const HAS_BROWSER = existsSync(CHROMIUM_PATH) || Boolean(process.env.CI);
if (!HAS_BROWSER) console.log(`SKIP dashboard browser tests: ${CHROMIUM_PATH} is missing (apt-get install -y chromium); CI runs them.`);
export const it = (s: Test): Test | Test['skip'] => (HAS_BROWSER ? s : s.skip);

/** True when the tests run against the stand-in server (not `WEB_TEST_SERVER=sensorctl`). */
export const IS_STAND_IN = process.env.WEB_TEST_SERVER !== 'sensorctl';
if (HAS_BROWSER && !IS_STAND_IN) console.log('WEB_TEST_SERVER=sensorctl: tests that steer refresh jobs (hold, fail) are skipped; they need the stand-in.');
/** Like `it`, for tests that steer refresh jobs through the stand-in's extra abilities. */
export const itStandIn = (s: Test): Test | Test['skip'] => (HAS_BROWSER && IS_STAND_IN ? s : s.skip);

export interface Ctx { browser?: Browser; server?: WebServer; dataDir: string }
export const ctx: Ctx = { dataDir: '' };

/** Suite `before`: build web/dist if stale, launch Chromium, write fixture snapshots (devices livingroom, garage), start the server. */
export async function setup(): Promise<void> {
  if (!HAS_BROWSER) return;
  ensureWebBuilt();
  ctx.browser = await launchChromium();
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'web-test-'));
  writeFixtureSnapshots(ctx.dataDir);
  writeFixtureSnapshots(ctx.dataDir, { device: 'garage' });
  ctx.server = await start({ dataDir: ctx.dataDir, deviceId: FIXTURE_DEVICE, holdRefresh: true, refreshClock: () => Date.parse(REFRESHED_AT) });
}

/** Suite `after`: close server and browser, remove the data dir. */
export async function teardown(): Promise<void> {
  await ctx.server?.close();
  await ctx.browser?.close();
  if (ctx.dataDir) rmSync(ctx.dataDir, { recursive: true, force: true });
}

/** Open `/<search>` in a fresh context (closed with the page) and wait until the first load settled. */
export async function openPage(search: string, opts: { reducedMotion?: boolean; config?: unknown } = {}): Promise<Page> {
  const context = await ctx.browser!.newContext({ ...CONTEXT, reducedMotion: opts.reducedMotion ? 'reduce' : 'no-preference' });
  const page = await context.newPage();
  page.on('close', () => { context.close().catch(() => {}); }); // the browser may be closing already
  await page.clock.setFixedTime(new Date(PAGE_NOW));
  if (opts.config !== undefined) {
    await page.route('**/config.json', (route) => route.fulfill({ json: opts.config }));
  }
  await page.goto(`${ctx.server!.url}/${search}`);
  await page.waitForFunction(() => document.body.dataset.view !== 'loading' && !document.body.dataset.loading);
  return page;
}

/** Full-page screenshot to test-artifacts/web/<name>.png. */
export const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });

/** What each chart card says about itself: series id, points drawn, gaps, style, canvases, heading. */
export const cards = (page: Page) => page.$$eval('.chart-card', (els) => els.map((e) => ({
  id: e.getAttribute('data-series-id'), points: Number(e.getAttribute('data-points')), gaps: Number(e.getAttribute('data-gaps')),
  style: e.getAttribute('data-style'), canvases: e.querySelectorAll('canvas').length, heading: e.querySelector('h2')?.textContent ?? '',
})));

