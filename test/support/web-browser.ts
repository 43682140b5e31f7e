/**
 * Debian's Chromium driven by playwright-core for the dashboard tests. `launchChromium()` returns
 * `undefined` (and says why) only when /usr/bin/chromium is missing outside CI; in CI a missing
 * browser is a failure, never a skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic',
];

const ROOT = new URL('../../', import.meta.url).pathname;

function newestMtimeMs(paths: string[]): number {
  let newest = 0;
  for (const p of paths) {
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtimeMs(readdirSync(p).map((n) => join(p, n))) : st.mtimeMs);
  }
  return newest;
}

/**
 * Build web/dist (scripts/build-web.mjs) unless it is newer than every source it is made from
 * (web/src, web/public, the shared matrix and metrics). `npm ci` already built it in CI.
 */
export function ensureWebBuilt(): void {
  const app = join(ROOT, 'web', 'dist', 'index.html.gz');
  const sources = ['web/src', 'web/public', 'builder/constants.ts', 'builder/metrics.ts', 'scripts/build-web.mjs'].map((p) => join(ROOT, p));
  if (existsSync(app) && statSync(app).mtimeMs >= newestMtimeMs(sources)) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs'), '--quiet'], { stdio: 'inherit' });
}

/** Where screenshots and measurements go (git-ignored). */
export const ARTIFACTS_DIR = join(ROOT, 'test-artifacts', 'web');

/** Launch headless Chromium, or `undefined` with a message when it is absent and CI is not set. */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM_PATH)) {
    if (process.env.CI) throw new Error(`${CHROMIUM_PATH} is missing; CI must install Debian's chromium (see .ci/run)`);
    console.log(`SKIP browser tests: ${CHROMIUM_PATH} is missing (apt-get install -y chromium); they run in CI.`);
    return undefined;
  }
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
