/**
 * `npm run build:lambda` (scripts/build-lambda.ts, through the stack's own `bundleLambda`): the zip exists, and the bundled handler runs
 * against dynalite + s3rver with only the documented environment, building the 1h window's 4 snapshots.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';
import { startDynalite, writeCatalog, type DynaliteHandle } from '../support/dynalite.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const bundle = suite('build:lambda bundle');
let db: DynaliteHandle;
let s3: S3rverHandle;
bundle.before(async () => {
  [db, s3] = await Promise.all([startDynalite(), startS3rver()]);
  // The device's catalogue item (as its uploader writes it) is how the builder finds it.
  await writeCatalog(db.client, db.table, 'pi-one', [{ deviceId: 'pi-one', seriesId: 'bme.tempC', sensorId: 'bme', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
});
bundle.after(async () => {
  await Promise.all([db.close(), s3.close()]);
});

bundle('writes dist/lambda/builder.zip holding index.mjs', () => {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-lambda.ts'], { cwd: ROOT, stdio: 'pipe' });
  const zip = readFileSync(ROOT + 'dist/lambda/builder.zip');
  assert.equal([...zip.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], 'a zip local file header');
  assert.ok(zip.includes(Buffer.from('index.mjs')));
});

bundle('the bundled handler runs from TABLE_NAME, BUCKET_NAME and AWS_ENDPOINT_URL_*, discovering its device from the catalogue index', async () => {
  Object.assign(process.env, {
    TABLE_NAME: db.table, BUCKET_NAME: s3.bucket, LOG_LEVEL: 'error',
    AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
  const log = console.log;
  const lines: string[] = [];
  console.log = (line: string) => lines.push(line);
  try {
    const mod = (await import(pathToFileURL(ROOT + 'dist/lambda/builder/index.mjs').href)) as { handler(e: unknown): Promise<{ reports: Array<{ deviceId: string; error?: string; built: number }> }> };
    const out = await mod.handler({ windows: ['1h'] });
    assert.is(out.reports[0].deviceId, 'pi-one');
    assert.is(out.reports[0].error, undefined);
    assert.is(out.reports[0].built, 4);
  } finally {
    console.log = log;
  }
  const emf = lines.map((l) => JSON.parse(l)).find((l) => l._aws);
  assert.is(emf.deviceId, 'pi-one');
  assert.is(emf.service, 'sensorctl-builder', 'Powertools Metrics is in the bundle');
});
bundle.run();
