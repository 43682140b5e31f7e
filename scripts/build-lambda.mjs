#!/usr/bin/env node
// `npm run build:lambda`: bundles each Lambda entry in cloud/ with esbuild (platform node, target
// node20, ESM `index.mjs`, handler `index.handler`) and zips it with yazl into dist/lambda/<name>.zip.
// The AWS SDK v3 is BUNDLED, not taken from the runtime: the zip then runs the exact SDK version the
// tests ran, and tree-shaking keeps it small. A `createRequire` banner lets bundled CommonJS code
// `require` Node built-ins from ESM.
// Entries: cloud/lambda-builder.ts -> builder.zip; cloud/lambda-api.ts -> api.zip (when it exists).
import { build } from 'esbuild';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yazl from 'yazl';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'dist/lambda');
const ENTRIES = [
  { name: 'builder', entry: 'cloud/lambda-builder.ts' },
  { name: 'api', entry: 'cloud/lambda-api.ts' },
].filter((e) => existsSync(join(ROOT, e.entry)));

function zip(files, target) {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    // Fixed mtime so the same code gives the same zip (stable CDK asset hashes).
    for (const [name, path] of files) z.addBuffer(readFileSync(path), name, { mtime: new Date('2020-01-01T00:00:00Z'), mode: 0o644 });
    z.outputStream.pipe(createWriteStream(target)).on('close', resolve).on('error', reject);
    z.end();
  });
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
for (const { name, entry } of ENTRIES) {
  const dir = join(OUT, name);
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile: join(dir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    keepNames: true, // error classes set `name` from `new.target.name`
    sourcemap: 'external',
    legalComments: 'none',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  const target = join(OUT, `${name}.zip`);
  await zip([['index.mjs', join(dir, 'index.mjs')], ['index.mjs.map', join(dir, 'index.mjs.map')]], target);
  console.log(`${entry} -> ${target.slice(ROOT.length)} (${(statSync(target).size / 1024).toFixed(0)} KiB, handler index.handler)`);
}
