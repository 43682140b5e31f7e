#!/usr/bin/env node
// Compiles the production TypeScript to JavaScript in dist/ (one .js per .ts, same folder layout, ES2022
// modules), so the CLI and the daemon start without a TypeScript compiler: `bin/sensorctl.js` and the
// systemd unit run dist/cli/sensorctl.js. esbuild only strips types (no bundling: every module keeps its
// own file, so a command's lazy `import()` still loads only what it uses); `npm run typecheck` is the
// type check. Runs on `npm ci` (prepare), `npm run build` and before `npm start`.
// Assets read at run time beside a module (the systemd unit template) are copied beside its .js.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'dist');
/** Folders shipped to the Pi and the Lambda; tests, bench, web/src (bundled by build-web) and the CDK app are not. */
const FOLDERS = ['agent', 'api', 'aws', 'builder', 'cli', 'cloud', 'hardware', 'mqtt', 'pi', 'platform', 'prometheus', 'sensors', 'sqlite', 'systemd'];
const SKIP = new Set([join(ROOT, 'cloud', 'infra')]);
const ASSETS = /\.service$/;

function walk(dir, into) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (SKIP.has(path)) continue;
    if (statSync(path).isDirectory()) walk(path, into);
    else if ((name.endsWith('.ts') && !name.endsWith('.d.ts')) || ASSETS.test(name)) into.push(path);
  }
  return into;
}

const files = FOLDERS.flatMap((f) => walk(join(ROOT, f), []));
const sources = files.filter((f) => f.endsWith('.ts'));
// Files are overwritten in place (no rm of dist/), so a CLI started meanwhile never finds it gone.
const started = performance.now();
await build({
  entryPoints: sources,
  outdir: OUT,
  outbase: ROOT,
  bundle: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  logLevel: 'warning',
});
for (const asset of files.filter((f) => !f.endsWith('.ts'))) {
  const to = join(OUT, relative(ROOT, asset));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(asset, to);
}
console.log(`build: ${sources.length} modules -> dist/ in ${Math.round(performance.now() - started)} ms`);
