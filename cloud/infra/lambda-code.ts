/**
 * Code assets of the two Lambdas, and the one way they are bundled (`bundleLambda`): the stack's
 * assets at synth (`lambdaCode`) and the zips of `npm run build:lambda` (scripts/build-lambda.ts) are
 * the same esbuild build: ESM `index.mjs` for Node.js 22 and up (the stack runs `LAMBDA_RUNTIME`,
 * Node.js 24), handler `index.handler`, the AWS SDK v3 and Powertools **bundled** (the code runs the
 * exact SDK version the tests ran, not whatever the runtime ships). When an entry file is missing an
 * inline placeholder stands in, so `npm run synth` works before the Lambda code lands; it answers 503.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** Repository root. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Lambda entry files, relative to the repository root. */
export const LAMBDA_ENTRIES = { builder: 'cloud/lambda-builder.ts', api: 'cloud/lambda-api.ts' } as const;
export type LambdaName = keyof typeof LAMBDA_ENTRIES;

/** Handler export name in the bundle (`index.mjs` → `handler`). */
export const BUNDLE_HANDLER = 'index.handler';
export const PLACEHOLDER_HANDLER = 'index.handler';

/** Inline placeholder (CommonJS, as `Code.fromInline` writes index.js). */
export function placeholderCode(name: LambdaName): lambda.Code {
  return lambda.Code.fromInline(
    `exports.handler = async () => { console.log(${JSON.stringify(`sensorctl ${name} placeholder: ${LAMBDA_ENTRIES[name]} was not present at synth time`)}); ` +
      `return { statusCode: 503, headers: { 'content-type': 'application/json' }, body: '{"error":{"status":503,"code":"not_deployed"}}' }; };`,
  );
}

/** esbuild target of the bundles: the oldest Lambda Node.js runtime they may run on. */
export const BUNDLE_TARGET = 'node22';

/**
 * Bundle the Lambda `name` into `outDir/index.mjs` (+ `index.mjs.map`): the only bundling of the
 * Lambdas. `keepNames` because error classes set `name` from `new.target.name`; a `createRequire`
 * banner lets bundled CommonJS code `require` Node built-ins from ESM.
 * @returns the bundle's path.
 */
export function bundleLambda(name: LambdaName, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'index.mjs');
  buildSync({
    entryPoints: [join(REPO_ROOT, LAMBDA_ENTRIES[name])],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    minify: true,
    keepNames: true,
    sourcemap: 'external',
    legalComments: 'none',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * The code for `name`: `bundleLambda`'s output when the entry exists and `bundle` is true, else the
 * placeholder.
 * @returns the code and whether it is the placeholder.
 */
export function lambdaCode(name: LambdaName, bundle: boolean, outRoot = join(REPO_ROOT, 'dist', 'lambda')): { code: lambda.Code; isPlaceholder: boolean } {
  if (!bundle || !existsSync(join(REPO_ROOT, LAMBDA_ENTRIES[name]))) return { code: placeholderCode(name), isPlaceholder: true };
  const outDir = join(outRoot, name);
  bundleLambda(name, outDir);
  return { code: lambda.Code.fromAsset(outDir), isPlaceholder: false };
}
