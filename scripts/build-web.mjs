#!/usr/bin/env node
// Bundles the dashboard (web/src/main.ts + CSS, uPlot included) into web/dist with esbuild, so the
// page needs no CDN and no build-time network, then copies web/public/* beside it and writes a
// gzip copy (`<file>.gz`, level 9) of every text file, for servers and S3 uploads that serve
// `Content-Encoding: gzip` without compressing per request. Prints each file's raw and gzip size.
// The script and stylesheet get content-hashed names (`app.<10 hex>.js`, `app.<10 hex>.css`, written
// into index.html), so servers cache them for a year (`immutable`) and only index.html revalidates.
// Runs on `npm ci` (prepare) and `npm run build:web`.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants } from 'node:zlib';

const ROOT = new URL('..', import.meta.url).pathname;
const SRC = join(ROOT, 'web', 'src');
const PUBLIC = join(ROOT, 'web', 'public');
const OUT = join(ROOT, 'web', 'dist');
if (!existsSync(join(SRC, 'main.ts'))) {
  console.log('build-web: no web/src/main.ts yet; nothing to bundle');
  process.exit(0);
}
// Files are overwritten in place (no rm of the folder), so a server reading web/dist meanwhile never finds it gone.
mkdirSync(OUT, { recursive: true });
const bundled = await build({
  write: false,
  entryPoints: [join(SRC, 'main.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  outfile: join(OUT, 'app.js'), // CSS imported by main.ts lands in app.css
  loader: { '.css': 'css' },
  legalComments: 'none',
  logLevel: 'warning',
});
const hashed = {};
for (const file of bundled.outputFiles) {
  const ext = file.path.endsWith('.css') ? 'css' : 'js';
  const name = `app.${createHash('sha256').update(file.contents).digest('hex').slice(0, 10)}.${ext}`;
  writeFileSync(join(OUT, name), file.contents);
  hashed[`app.${ext}`] = name;
}
// Earlier builds' assets (hashed or not) go: index.html names only the new ones.
for (const name of readdirSync(OUT)) {
  if (/^app\.([0-9a-f]{10}\.)?(js|css)(\.gz)?$/.test(name) && !Object.values(hashed).some((h) => name === h || name === `${h}.gz`)) rmSync(join(OUT, name));
}
for (const name of readdirSync(PUBLIC)) {
  if (name !== 'index.html') copyFileSync(join(PUBLIC, name), join(OUT, name));
}
const html = readFileSync(join(PUBLIC, 'index.html'), 'utf8')
  .replace('href="app.css"', `href="${hashed['app.css']}"`)
  .replace('src="app.js"', `src="${hashed['app.js']}"`);
writeFileSync(join(OUT, 'index.html'), html);
const rows = [];
for (const name of readdirSync(OUT).sort()) {
  if (!/\.(html|js|css|json|svg|txt)$/.test(name)) continue;
  const body = readFileSync(join(OUT, name));
  const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(join(OUT, `${name}.gz`), gz);
  rows.push(`${name} ${body.length} B, gzip ${gz.length} B`);
}
if (!process.argv.includes('--quiet')) console.log(`build-web: bundled into ${OUT}\n  ${rows.join('\n  ')}`);
