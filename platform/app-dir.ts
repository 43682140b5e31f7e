/**
 * Where the app is installed and its version, the same whether a module runs from the TypeScript
 * sources (`platform/app-dir.ts`, under tsx in development and tests) or compiled
 * (`dist/platform/app-dir.js`, what `bin/sensorctl.js` and the systemd unit run).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const COMPILED = import.meta.url.endsWith('/dist/platform/app-dir.js');

/** Absolute path of the app root: the directory holding `package.json`, `bin/sensorctl.js` and `dist/`; no trailing slash. */
export const APP_DIR = fileURLToPath(new URL(COMPILED ? '../..' : '..', import.meta.url)).replace(/\/$/, '');

/** The compiled CLI the systemd unit runs (`npm ci` or `npm run build` writes it). */
export const COMPILED_CLI = `${APP_DIR}/dist/cli/sensorctl.js`;

let version: string | undefined;
/** The app's version from its `package.json` (read once). */
export function appVersion(): string {
  version ??= (JSON.parse(readFileSync(`${APP_DIR}/package.json`, 'utf8')) as { version: string }).version;
  return version;
}
