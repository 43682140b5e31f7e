#!/usr/bin/env node
// Bundles the dashboard (web/src/main.ts + CSS, uPlot included) into web/dist with esbuild, so the
// page needs no CDN and no build-time network. Runs on `npm ci` (prepare) and `npm run build:web`.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const SRC = join(ROOT, 'web', 'src');
const OUT = join(ROOT, 'web', 'dist');
mkdirSync(OUT, { recursive: true });
if (!existsSync(join(SRC, 'main.ts'))) {
  console.log('build-web: no web/src/main.ts yet; nothing to bundle');
  process.exit(0);
}
await build({
  entryPoints: [join(SRC, 'main.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  outfile: join(OUT, 'app.js'),
  loader: { '.css': 'css' },
  legalComments: 'none',
  logLevel: 'warning',
});
for (const name of readdirSync(join(ROOT, 'web', 'public'))) copyFileSync(join(ROOT, 'web', 'public', name), join(OUT, name));
console.log(`build-web: bundled into ${OUT}`);
