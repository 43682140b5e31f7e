/** runCloudRebuild (`sensorctl rebuild --cloud`) against dynalite + s3rver, endpoints via AWS_ENDPOINT_URL_*. */
import { getPublished } from '../support/builder-harness.js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gunzipSync } from 'node:zlib';
import { devicePrefix } from '../../builder/constants.js';
import { S3ObjectStore } from '../../aws/s3-object-store.js';
import type { Payload } from '../../builder/types.js';
import { CloudRebuildUsageError, runCloudRebuild } from '../../cloud/cloud-rebuild.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';
import { FIXTURE_DEVICE as DEV, FIXTURE_SERIES, fixtureSamples } from '../support/bme280-fixture.js';
import { runBuild } from '../../builder/run-build.js';
import { samplesToItems, startDynalite, writeCatalog, writeItems, type DynaliteHandle } from '../support/dynalite.js';
import { silentLog as silent } from '../../builder/ports.js';

let db: DynaliteHandle;
let s3: S3rverHandle;
Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });

const r = suite('runCloudRebuild');
r.before(async () => {
  [db, s3] = await Promise.all([startDynalite(), startS3rver()]);
  await writeCatalog(db.client, db.table, DEV, FIXTURE_SERIES);
  await writeItems(db.client, db.table, samplesToItems(DEV, fixtureSamples()));
});
r.after(async () => {
  await Promise.all([db.close(), s3.close()]);
});
const env = () => ({ AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_DYNAMODB: db.endpoint });

r('builds the 24 snapshots of a device as of --at from DynamoDB into S3', async () => {
  const reports = await runCloudRebuild({ table: db.table, bucket: s3.bucket, deviceIds: [DEV], at: '2019-09-30T16:00:00Z', env: env(), log: silent, build: runBuild });
  assert.is(reports[0].built, 24);
  assert.ok(reports[0].itemsRead > 4000);
  const store = new S3ObjectStore(s3.client, s3.bucket);
  const p = JSON.parse(gunzipSync((await getPublished(store, devicePrefix(DEV), '1d', 100))!.body).toString()) as Payload;
  assert.is(p.to, '2019-09-30T16:00:00.000Z');
});
r('names the missing or bad option', async () => {
  const base = { table: db.table, bucket: s3.bucket, deviceIds: [DEV], env: env(), log: silent, build: runBuild };
  for (const [over, option] of [[{ table: undefined }, '--table'], [{ bucket: undefined }, '--bucket'], [{ deviceIds: [] }, '--device'], [{ at: 'yesterday' }, '--at'], [{ windows: ['2h'] }, '--window']] as const) {
    try {
      await runCloudRebuild({ ...base, ...over });
      assert.unreachable();
    } catch (err) {
      assert.instance(err, CloudRebuildUsageError);
      assert.is((err as CloudRebuildUsageError).option, option);
    }
  }
});
r.run();
