/**
 * A built page as `scripts/build-web.mjs` lays it out (index.html naming hashed `app.<10 hex>.js` and
 * `.css`, a copied config.json, `.gz` copies), written into a temp directory, for stack tests that
 * synthesize the page upload without building the real page.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** File names in the fixture. */
export const BUILT_PAGE_FILES = {
  html: 'index.html',
  js: 'app.0123456789.js',
  css: 'app.abcdef0123.css',
  config: 'config.json',
} as const;

/** Write the fixture; `remove()` deletes it. */
export function writeBuiltPage(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sensorctl-page-'));
  writeFileSync(join(dir, BUILT_PAGE_FILES.html), `<!doctype html><link rel="stylesheet" href="${BUILT_PAGE_FILES.css}"><script type="module" src="${BUILT_PAGE_FILES.js}"></script>`);
  writeFileSync(join(dir, BUILT_PAGE_FILES.js), 'console.log("page");');
  writeFileSync(join(dir, BUILT_PAGE_FILES.css), 'body{margin:0}');
  writeFileSync(join(dir, BUILT_PAGE_FILES.config), JSON.stringify({ api: '', devices: [] }));
  writeFileSync(join(dir, `${BUILT_PAGE_FILES.html}.gz`), 'not really gzip');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
