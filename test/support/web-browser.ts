/**
 * Debian's Chromium driven by playwright-core for the dashboard tests. `launchChromium()` returns
 * `undefined` (and says why) only when /usr/bin/chromium is missing outside CI; in CI a missing
 * browser is a failure, never a skip.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic',
];

/** Where screenshots and measurements go (git-ignored). */
export const ARTIFACTS_DIR = join(new URL('../../', import.meta.url).pathname, 'test-artifacts', 'web');

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
