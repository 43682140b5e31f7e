/**
 * Shared harness of the dashboard browser tests: one Chromium, one real API server
 * (test/support/web-server.ts) over a temp data dir where the fixture was imported into SQLite and
 * built into snapshots for two devices (test/support/web-fixture.ts), and page helpers. The page's
 * clock is fixed at PAGE_NOW and its zone is Europe/Berlin (UTC+02:00 in September), so wording is
 * deterministic. Screenshots go to test-artifacts/web/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'uvu';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { ARTIFACTS_DIR, CHROMIUM_PATH, ensureWebBuilt, launchChromium } from './web-browser.js';
import { FIXTURE_DEVICE, FIXTURE_TO, buildSnapshots, prepareDevice } from './web-fixture.js';
import type { Window } from '../../builder/constants.js';
import type { Payload } from '../../builder/types.js';
import { WEB_TEST_SERVER, start, type WebServer } from './web-server.js';
import type { ApiOptions } from '../../api/ports.js';

/** The page's fixed clock: 4 min after the fixture snapshots were generated. */
export const PAGE_NOW = '2019-09-30T16:04:00.000Z';
/** The instant refresh builds of the in-process server run at (so their generatedAt). */
export const REFRESHED_AT = '2019-09-30T16:03:30.000Z';
/** Browser context: Berlin zone (UTC+02:00 in September), British English, a desktop viewport. */
export const CONTEXT: BrowserContextOptions = { timezoneId: 'Europe/Berlin', locale: 'en-GB', viewport: { width: 1100, height: 1000 } };

/** Without Chromium (and outside CI) every test is registered as skipped; in CI a missing browser fails. */
export const HAS_BROWSER = existsSync(CHROMIUM_PATH) || Boolean(process.env.CI);
if (!HAS_BROWSER) console.log(`SKIP dashboard browser tests: ${CHROMIUM_PATH} is missing (apt-get install -y chromium); CI runs them.`);
export const it = (s: Test): Test | Test['skip'] => (HAS_BROWSER ? s : s.skip);

/** True when the API runs in this process (not `WEB_TEST_SERVER=sensorctl` or `cloud-local`), so builds can be held or failed. */
export const IN_PROCESS = WEB_TEST_SERVER === 'in-process';
/** True when the server reads the data dir's snapshot files (the Pi's servers), so a test can change or break them there. */
export const SERVES_DATA_DIR = WEB_TEST_SERVER !== 'cloud-local';
if (HAS_BROWSER && !IN_PROCESS) console.log(`WEB_TEST_SERVER=${WEB_TEST_SERVER}: tests that hold or fail refresh builds or need the Pi's build push are skipped; they need the in-process server's hooks.`);
if (HAS_BROWSER && !SERVES_DATA_DIR) console.log('WEB_TEST_SERVER=cloud-local: tests that write, delete or break snapshot files in the data dir are skipped; the local cloud serves its own snapshots from S3.');
/** Like `it`, for tests that hold or fail refresh builds (in-process server only). */
export const itInProcess = (s: Test): Test | Test['skip'] => (HAS_BROWSER && IN_PROCESS ? s : s.skip);
/** Like `it`, for tests that change the served snapshot files in the data dir (the Pi's servers only). */
export const itDataDir = (s: Test): Test | Test['skip'] => (HAS_BROWSER && SERVES_DATA_DIR ? s : s.skip);

export interface Ctx { browser?: Browser; server?: WebServer; dataDir: string }
export const ctx: Ctx = { dataDir: '' };

/** Suite `before`: build web/dist if stale, launch Chromium, import + build the fixture (devices livingroom, garage), start the server. */
export function setup(): Promise<void> {
  return setupWith(undefined);
}

/** `setup`, with `apiOptions` for the in-process server (e.g. `sseMode: 'snapshot'`: no build push, as in the cloud). */
export async function setupWith(apiOptions: ApiOptions | undefined): Promise<void> {
  if (!HAS_BROWSER) return;
  ensureWebBuilt();
  ctx.browser = await launchChromium();
  if (!SERVES_DATA_DIR) mkdirSync(join(ARTIFACTS_DIR, 'cloud-local'), { recursive: true });
  ctx.dataDir = mkdtempSync(join(tmpdir(), 'web-test-'));
  await prepareDevice(ctx.dataDir, FIXTURE_DEVICE);
  await prepareDevice(ctx.dataDir, 'garage');
  ctx.server = await start({
    dataDir: ctx.dataDir, deviceId: FIXTURE_DEVICE, holdBuilds: true, refreshAtMs: Date.parse(REFRESHED_AT), apiOptions,
    snapshotsAtMs: Date.parse(FIXTURE_TO), deviceIds: TEST_DEVICES,
  });
}

/** Every device the page tests give samples (the local cloud's `deviceIds`). */
export const TEST_DEVICES = [FIXTURE_DEVICE, 'garage', 'attic', 'porch'];

/**
 * `buildSnapshots` in the data dir (the Pi's build), then the same build on the server when it keeps
 * its own snapshots (cloud-local: the device copied into DynamoDB again, the builder Lambda run as of `atMs`).
 */
export async function buildOnServer(device: string, o: { windows?: readonly Window[]; atMs?: number } = {}): Promise<void> {
  await buildSnapshots(ctx.dataDir, device, o);
  await ctx.server?.rebuild?.(device, o.windows, o.atMs ?? Date.parse(FIXTURE_TO));
}

/** Suite `after`: close server and browser, remove the data dir. */
export async function teardown(): Promise<void> {
  await ctx.server?.close();
  await ctx.browser?.close();
  if (ctx.dataDir) rmSync(ctx.dataDir, { recursive: true, force: true });
}

/** Open `/<search>` in a fresh context (closed with the page; `locale` other than CONTEXT's en-GB) and wait until the first load settled. */
export async function openPage(search: string, opts: { reducedMotion?: boolean; config?: unknown; devices?: unknown; colorScheme?: 'light' | 'dark'; locale?: string; beforeGoto?: (page: Page) => void } = {}): Promise<Page> {
  const context = await ctx.browser!.newContext({
    ...CONTEXT, reducedMotion: opts.reducedMotion ? 'reduce' : 'no-preference', colorScheme: opts.colorScheme ?? 'light', locale: opts.locale ?? CONTEXT.locale,
  });
  const page = await context.newPage();
  page.on('close', () => { context.close().catch(() => {}); }); // the browser may be closing already
  await page.clock.setFixedTime(new Date(PAGE_NOW));
  if (opts.config !== undefined) {
    await page.route('**/config.json', (route) => route.fulfill({ json: opts.config }));
  }
  if (opts.devices !== undefined) {
    await page.route('**/samples/devices', (route) => route.fulfill({ json: opts.devices }));
  }
  opts.beforeGoto?.(page);
  await page.goto(`${ctx.server!.url}/${search}`);
  await page.waitForFunction(() => document.body.dataset.view !== 'loading' && !document.body.dataset.loading);
  return page;
}

/**
 * The payload `page` is served next for (`window`, `samples`) by `GET /samples/latest` (call it before the
 * page asks: in openPage's `beforeGoto`). On the Pi that is the stored snapshot; the local cloud renders the
 * 1h window on read as of its own clock, which moves on while the tests run, so a test compares the page
 * with what it was served rather than with the data dir.
 */
export function servedPayload(page: Page, window: Window, samples: number): Promise<Payload> {
  return page.waitForResponse((r) => {
    const url = new URL(r.url());
    return url.pathname === '/samples/latest' && url.searchParams.get('window') === window
      && url.searchParams.get('samples') === String(samples) && r.status() === 200;
  }).then(async (r) => (await r.json()) as Payload);
}

/** Full-page screenshot to test-artifacts/web/<name>.png (test-artifacts/web/cloud-local/ in that mode). */
export const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS_DIR, SERVES_DATA_DIR ? '' : 'cloud-local', `${name}.png`), fullPage: true });

/** What each chart card says about itself: series id, points drawn, gaps, style, canvases, heading. */
export const cards = (page: Page) => page.$$eval('.chart-card', (els) => els.map((e) => ({
  id: e.getAttribute('data-series-id'), points: Number(e.getAttribute('data-points')), gaps: Number(e.getAttribute('data-gaps')),
  style: e.getAttribute('data-style'), canvases: e.querySelectorAll('canvas').length, heading: e.querySelector('h2')?.textContent ?? '',
})));

