/**
 * The API Lambda's configuration and its `handler` export built from `process.env` alone (the stack's
 * variable names, endpoints from `AWS_ENDPOINT_URL_*`) against dynalite, s3rver and fauxqs in-process;
 * and the bucket-listing device directory.
 */
import { PassThrough, type Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { devicePrefix, fallbackPrefix, windowObjectKey } from '../../builder/constants.js';
import type { ApiGatewayV2Result } from '../../aws/lambda-http-api.js';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { encodeCatalogItem, encodeSampleItem } from '../../aws/dynamodb-item.js';
import { cloudDevices, deviceIdsOfKeys } from '../../cloud/api-devices.js';
import { cloudApiConfig } from '../../cloud/api-wiring.js';
import { LambdaConfigError } from '../../cloud/lambda-builder.js';
import { v2Event } from '../support/api-transports.js';
import { startFauxqsQueue, type FauxqsHandle } from '../support/fauxqs.js';
import { FAKE_CREDENTIALS, startS3rver, type S3rverHandle } from '../support/s3rver.js';
import { startDynalite, type DynaliteHandle } from '../support/dynalite.js';
import { createJobsTable } from '../support/jobs-table.js';

const BASE = { SNAPSHOT_BUCKET: 'b', SAMPLES_TABLE: 's', JOBS_TABLE: 'j', REFRESH_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/q' };

const config = suite('cloudApiConfig');
config('reads the stack names with defaults for the optional ones', () => {
  assert.equal(cloudApiConfig(BASE), {
    bucket: 'b', samplesTable: 's', jobsTable: 'j', queueUrl: BASE.REFRESH_QUEUE_URL, deviceIds: undefined, defaultDeviceId: undefined,
    corsOrigins: ['*'], inlineWindows: ['1h', '10h', '1d'], freshBudgetMs: undefined,
  });
  const c = cloudApiConfig({ ...BASE, DEVICE_IDS: 'a,b', CORS_ORIGINS: 'https://x.example, https://y.example', FRESH_INLINE_WINDOWS: 'none', FRESH_BUDGET_MS: '2500' });
  assert.equal([c.deviceIds, c.corsOrigins, c.inlineWindows, c.freshBudgetMs], [['a', 'b'], ['https://x.example', 'https://y.example'], [], 2500]);
});
config('names the variable that is missing or invalid', () => {
  const variableOf = (env: Record<string, string>) => {
    try {
      cloudApiConfig(env);
      return undefined;
    } catch (err) {
      assert.instance(err, LambdaConfigError);
      return (err as LambdaConfigError).variable;
    }
  };
  for (const name of Object.keys(BASE)) assert.is(variableOf({ ...BASE, [name]: '' }), name);
  assert.is(variableOf({ ...BASE, FRESH_INLINE_WINDOWS: '1h,2h' }), 'FRESH_INLINE_WINDOWS');
  assert.is(variableOf({ ...BASE, FRESH_BUDGET_MS: '0' }), 'FRESH_BUDGET_MS');
  assert.is(variableOf({ ...BASE, FRESH_BUDGET_MS: '3s' }), 'FRESH_BUDGET_MS');
  assert.is(variableOf({ ...BASE, DEVICE_IDS: 'ok,../etc' }), 'DEVICE_IDS');
});
config.run();

const devices = suite('cloudDevices');
devices('lists device folders under snapshots/ only, once per TTL', async () => {
  assert.equal(deviceIdsOfKeys(['snapshots/a/latest_1h.snapshots', 'snapshots/a/x', 'snapshots/b:2/y', 'fallback/snapshots/c/z', 'snapshots/../w']), ['a', 'b:2']);
  let listings = 0;
  let keys = [devicePrefix('pi-one') + windowObjectKey('1h')];
  let nowMs = 0;
  const d = cloudDevices({ store: { list: async () => (listings++, keys) }, clock: { nowMs: () => nowMs }, ttlMs: 1000 });
  assert.equal(await d.list(), ['pi-one']);
  keys = [...keys, devicePrefix('pi-two') + windowObjectKey('1d'), fallbackPrefix('pi-three') + windowObjectKey('1h')];
  nowMs = 999;
  assert.equal(await d.list(), ['pi-one'], 'cached');
  nowMs = 1000;
  assert.equal(await d.list(), ['pi-one', 'pi-two']);
  assert.is(listings, 2);
  assert.is(await d.defaultId(), undefined);
  const fixed = cloudDevices({ deviceIds: ['x'], defaultId: 'x', store: { list: async () => assert.unreachable() as never }, clock: { nowMs: () => 0 } });
  assert.equal([await fixed.list(), await fixed.defaultId()], [['x'], 'x']);
});
devices.run();

const entry = suite('lambda-api handler from process.env (dynalite + s3rver + fauxqs)');
let db: DynaliteHandle;
let s3: S3rverHandle;
let q: FauxqsHandle;
let streamPrelude: { statusCode: number; headers: Record<string, string> } | undefined;
entry.before(async () => {
  [db, s3, q] = await Promise.all([startDynalite(), startS3rver(), startFauxqsQueue()]);
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, AWS_ENDPOINT_URL_SQS: q.endpoint,
    SNAPSHOT_BUCKET: s3.bucket, SAMPLES_TABLE: db.table, JOBS_TABLE: await createJobsTable(db.client), REFRESH_QUEUE_URL: q.queueUrl,
    DEVICE_IDS: 'pi-one', LOG_LEVEL: 'error',
  });
});
entry.after(async () => {
  await Promise.all([db.close(), s3.close(), q.close()]);
});
entry('serves 404 not_built before any build, queues POST /samples/refresh on SQS, and streams through streamHandler', async () => {
  // Stand-in for the Lambda runtime's globals, so the module also defines `streamHandler`.
  (globalThis as Record<string, unknown>).awslambda = {
    streamifyResponse: (fn: unknown) => fn,
    HttpResponseStream: { from: (out: Writable, p: unknown) => ((streamPrelude = p as typeof streamPrelude), out) },
  };
  const { handler, streamHandler } = await import('../../cloud/lambda-api.js');
  const latest = (await handler(v2Event('/samples/latest?window=1h'))) as ApiGatewayV2Result;
  assert.is(latest.statusCode, 404);
  assert.is(JSON.parse(latest.body).error.code, 'not_built');
  const refused = (await handler(v2Event('/samples/refresh?window=3m&samples=250', { method: 'POST' }))) as ApiGatewayV2Result;
  assert.equal([refused.statusCode, JSON.parse(refused.body).error.code], [409, 'no_samples'], 'no catalogue item yet: nothing to build from');
  await db.client.send(new PutItemCommand({ TableName: db.table, Item: encodeCatalogItem('pi-one', [{ deviceId: 'pi-one', seriesId: 'bme.tempC', sensorId: 'bme', metric: 'tempC', unit: '°C', kind: 'gauge' }]) }));
  const posted = (await handler(v2Event('/samples/refresh?window=3m&samples=250&device=pi-one', { method: 'POST' }))) as ApiGatewayV2Result;
  assert.is(posted.statusCode, 202);
  const { requestId } = JSON.parse(posted.body);
  const messages = await q.receive();
  assert.equal(messages.map((m) => JSON.parse(m.Body!)), [{ requestId, deviceId: 'pi-one', window: '3m', granularity: 250 }]);
  const status = (await handler(v2Event(`/samples/refresh/${requestId}`))) as ApiGatewayV2Result;
  assert.is(JSON.parse(status.body).status, 'queued');
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  await (streamHandler as unknown as (e: unknown, s: Writable) => Promise<void>)(v2Event('/samples/latest?window=2h'), sink);
  assert.is(streamPrelude!.statusCode, 400);
  assert.is(JSON.parse(Buffer.concat(chunks).toString('utf8')).error.parameter, 'window');
});
entry('serves /samples/range from DynamoDB items (DynamoDbSource), the 20-minute outage as a null point', async () => {
  const { handler } = await import('../../cloud/lambda-api.js');
  const toMs = Date.parse('2024-03-10T13:00:00Z');
  const hole = { afterMs: toMs - 40 * 60_000 - 10_000, resumeMs: toMs - 20 * 60_000 };
  let n = 0;
  for (let t = toMs - 3_600_000 + 10_000; t <= toMs; t += 10_000) {
    if (t > hole.afterMs && t < hole.resumeMs) continue;
    await db.client.send(new PutItemCommand({ TableName: db.table, Item: encodeSampleItem('pi-one', t, { 'bme.tempC': 20 + (t % 7) / 10 }).item }));
    n++;
  }
  const res = (await handler(v2Event(`/samples/range?from=${toMs - 3_600_000 + 1}&to=${toMs}&samples=1000&device=pi-one`))) as ApiGatewayV2Result;
  assert.is(res.statusCode, 200);
  const body = JSON.parse(res.isBase64Encoded ? Buffer.from(res.body, 'base64').toString('utf8') : res.body);
  assert.equal([body.resolution, body.samplesRead], ['raw', n]);
  const pts = body.series[0].points as Array<{ tsMs: number; value: number | null }>;
  assert.equal(pts.filter((p) => p.value === null).map((p) => p.tsMs), [(hole.afterMs + hole.resumeMs) / 2]);
  assert.is(pts.filter((p) => p.value !== null).length, n);
});
entry.run();
