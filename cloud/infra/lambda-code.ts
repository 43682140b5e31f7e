/**
 * Code assets of the two Lambdas. When the entry file exists (`cloud/lambda-builder.ts`,
 * `cloud/lambda-api.ts`) it is bundled here with esbuild (ESM, Node.js 22, AWS SDK v3 left out: the
 * Lambda runtime provides it); otherwise an inline placeholder handler stands in, so `npm run synth`
 * works before the Lambda code lands. The placeholder answers 503 and logs that it is one.
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

/**
 * The code for `name`: an esbuild bundle of its entry when the file exists and `bundle` is true,
 * else the placeholder.
 * @returns the code and whether it is the placeholder.
 */
export function lambdaCode(name: LambdaName, bundle: boolean, outRoot = join(REPO_ROOT, 'dist', 'lambda-infra')): { code: lambda.Code; isPlaceholder: boolean } {
  const entry = join(REPO_ROOT, LAMBDA_ENTRIES[name]);
  if (!bundle || !existsSync(entry)) return { code: placeholderCode(name), isPlaceholder: true };
  const outDir = join(outRoot, name);
  mkdirSync(outDir, { recursive: true });
  buildSync({
    entryPoints: [entry],
    outfile: join(outDir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: false,
    external: ['@aws-sdk/*'],
    // ESM bundles that pull CommonJS dependencies need a require() in scope.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  return { code: lambda.Code.fromAsset(outDir), isPlaceholder: false };
}
