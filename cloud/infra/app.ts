#!/usr/bin/env -S npx tsx
/**
 * CDK app entry (`npm run synth`, and `cdk.json`'s `app` for `npm run deploy`). Synthesises the one
 * stack into `cdk.out/` offline: no AWS account, no network. The stack is environment-agnostic unless
 * CDK_DEFAULT_ACCOUNT/REGION are set (the CDK CLI sets them on deploy).
 *
 * Context values (`-c key=value` on the CDK CLI, or env on synth): `deviceIds` (SENSORCTL_DEVICE_IDS,
 * comma-separated, default `pi`: the Pis' deviceIds the builder Lambda builds), `alarmEmail` (SENSORCTL_ALARM_EMAIL),
 * `apiProvisionedConcurrency` (SENSORCTL_API_PROVISIONED_CONCURRENCY), `expectedDevices`
 * (SENSORCTL_EXPECTED_DEVICES, default 1,000: sizes the builder's reserved concurrency), `stackName` (default Sensorctl).
 *
 * The page: with bundling (synth, deploy) `scripts/build-web.mjs` runs first, so the stack uploads the
 * page of the current sources, the same `web/dist` the Pi serves. Without bundling (tests) `web/dist`
 * is not built: the upload is left out unless `pageDir` names a built page.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { BUNDLE_HANDLER, lambdaCode, PLACEHOLDER_HANDLER, REPO_ROOT } from './lambda-code.js';
import { builtPageDir } from './page.js';
import { SensorStack } from './sensor-stack.js';

/** The API bundle's streaming export (cloud/lambda-api.ts `streamHandler`) for the function URL. */
const STREAM_HANDLER = 'index.streamHandler';
/** Devices built when no `deviceIds` context is given: set yours with `-c deviceIds=pi-kitchen,pi-garden`. */
const DEFAULT_DEVICE_IDS = 'pi';

/** The page build the Pi serves and the stack uploads. */
export const WEB_DIST = join(REPO_ROOT, 'web', 'dist');

/** Build the page into `web/dist` (`scripts/build-web.mjs`); throws with its output when the build fails. */
function buildPage(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-web.mjs'), '--quiet'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Build the app and its stack. `bundle: false` always uses placeholder Lambda code and does not build
 * the page (tests); `pageDir` then names a built page to upload (default: none).
 * @returns also `placeholders` (Lambdas with placeholder code) and `page` (the directory uploaded, or undefined).
 */
export function buildApp(options: { outdir?: string; bundle?: boolean; pageDir?: string } = {}): { app: App; stack: SensorStack; placeholders: string[]; page: string | undefined } {
  const app = new App({ outdir: options.outdir ?? join(REPO_ROOT, 'cdk.out') });
  const ctx = (key: string, env: string): string | undefined => (app.node.tryGetContext(key) as string | undefined) ?? process.env[env];
  const bundle = options.bundle ?? true;
  const builder = lambdaCode('builder', bundle);
  const api = lambdaCode('api', bundle);
  if (bundle && options.pageDir === undefined) buildPage();
  const page = options.pageDir !== undefined ? builtPageDir(options.pageDir) : bundle ? builtPageDir(WEB_DIST) : undefined;
  if (options.pageDir !== undefined && !page) throw new Error(`pageDir ${options.pageDir} holds no index.html: build the page first (node scripts/build-web.mjs)`);
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const expectedDevices = ctx('expectedDevices', 'SENSORCTL_EXPECTED_DEVICES');
  const stack = new SensorStack(app, ctx('stackName', 'SENSORCTL_STACK_NAME') ?? 'Sensorctl', {
    env: account && region ? { account, region } : undefined,
    description: 'sensorctl: samples table, snapshot bucket + CloudFront, builder and API Lambdas, monitoring',
    builderCode: builder.code,
    builderHandler: builder.isPlaceholder ? PLACEHOLDER_HANDLER : BUNDLE_HANDLER,
    apiCode: api.code,
    apiHandler: api.isPlaceholder ? PLACEHOLDER_HANDLER : BUNDLE_HANDLER,
    apiStreamHandler: api.isPlaceholder ? PLACEHOLDER_HANDLER : STREAM_HANDLER,
    deviceIds: (ctx('deviceIds', 'SENSORCTL_DEVICE_IDS') ?? DEFAULT_DEVICE_IDS).split(',').map((d) => d.trim()).filter(Boolean),
    alarmEmail: ctx('alarmEmail', 'SENSORCTL_ALARM_EMAIL'),
    apiProvisionedConcurrency: Number(ctx('apiProvisionedConcurrency', 'SENSORCTL_API_PROVISIONED_CONCURRENCY') ?? 0),
    expectedDevices: expectedDevices === undefined ? undefined : Number(expectedDevices),
    pageDir: page,
  });
  const placeholders = [builder.isPlaceholder && 'builder', api.isPlaceholder && 'api'].filter((x): x is string => Boolean(x));
  return { app, stack, placeholders, page };
}

const isEntry = process.argv[1] && /cloud\/infra\/app\.(ts|js)$/.test(process.argv[1]);
if (isEntry) {
  const { app, stack, placeholders, page } = buildApp();
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string }> };
  const count = Object.keys(template.Resources).length;
  process.stderr.write(`synth: ${stack.stackName} → ${assembly.directory}/${stack.templateFile} (${count} resources)\n`);
  if (placeholders.length) {
    process.stderr.write(`synth: placeholder code for the ${placeholders.join(' and ')} Lambda (entry file missing: see cloud/infra/lambda-code.ts)\n`);
  }
  process.stderr.write(page ? `synth: page ${page} → the page bucket, served at / of the distribution\n` : 'synth: no page uploaded (web/dist/index.html missing after the build: is web/src/main.ts there?)\n');
}
