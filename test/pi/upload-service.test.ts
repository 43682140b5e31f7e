import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { openDatabase } from '../../sqlite/sqlite-db.js';
import { SqliteUploadQueue } from '../../sqlite/sqlite-upload-queue.js';
import { DEFAULT_CLOUD } from '../../agent/config/upload-config.js';
import { formatUploadStatus, startUploads, uploadStatus } from '../../pi/upload-service.js';
import { createTable } from '../../aws/dynamodb-sink.js';
import { startDynalite, type DynaliteHandle } from '../support/dynalite.js';
import { memoryLogger } from '../support/upload-harness.js';
import { BME280_SERIES, DEVICE_ID, diffItems, dynamoItems, loadBme280Month, sqliteItems } from '../support/upload-fixture.js';

let dyn: DynaliteHandle;
const saved = { ...process.env };
const start = suite('startUploads');
start.before(async () => {
  dyn = await startDynalite();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dyn.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDSVC',
    AWS_SECRET_ACCESS_KEY: 'svc-secret',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  });
});
start.after(async () => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  await dyn.close();
});

start('without a cloud section disables the queue: new samples are not enqueued', () => {
  const db = openDatabase(':memory:');
  const buffer = SqliteBuffer.openOn(db);
  SqliteUploadQueue.open(db).setEnabled(true);
  assert.is(startUploads({ db, cloud: undefined, log: memoryLogger() }), undefined);
  buffer.defineSeries(BME280_SERIES);
  buffer.insert(DEVICE_ID, [{ seriesId: BME280_SERIES[0].seriesId, tsMs: 1_000, value: 20 }]);
  assert.is(uploadStatus(db).backlogItems, 0);
  assert.match(formatUploadStatus(uploadStatus(db)), 'no uplink configured');
  buffer.close();
});

start('with a cloud section enqueues new samples and its schedule uploads them (SDK chain + endpoint from env)', async () => {
  await createTable(dyn.client, 'svc-samples');
  const db = openDatabase(':memory:');
  const buffer = SqliteBuffer.openOn(db);
  buffer.defineSeries(BME280_SERIES);
  const running = startUploads({ db, cloud: { ...DEFAULT_CLOUD, table: 'svc-samples', uploadEveryMs: 86_400_000 }, log: memoryLogger() })!;
  buffer.insert(DEVICE_ID, loadBme280Month('2019/09').slice(0, 300));
  assert.is(uploadStatus(db).backlogItems, sqliteItems(db, DEVICE_ID).size);
  assert.is(await running.schedule.runNow(), true);
  await running.schedule.stop();
  running.service.close();
  const s = uploadStatus(db);
  assert.is(s.backlogItems, 0);
  assert.ok(s.lastSuccess !== undefined);
  assert.match(formatUploadStatus(s), /^upload: backlog 0 items \(0 rows\); last success 20\d\d-/);
  assert.is(diffItems(sqliteItems(db, DEVICE_ID), await dynamoItems(dyn.client, 'svc-samples', DEVICE_ID)), undefined);
  buffer.close();
});

start.run();
