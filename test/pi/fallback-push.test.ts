/** runFallbackPush (`sensorctl rebuild --fallback`) against s3rver + a real SQLite buffer (temp file). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fallbackPrefix } from '../../builder/constants.js';
import { S3ObjectStore } from '../../aws/s3-object-store.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { runFallbackPush } from '../../pi/fallback-push.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';
import { FIXTURE_DEVICE as DEV, FIXTURE_SERIES, fixtureSamples } from '../support/bme280-fixture.js';
import { runBuild } from '../../builder/run-build.js';
import { silentLog as silent } from '../../builder/ports.js';

Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
const samples = fixtureSamples();
let s3: S3rverHandle;
let buffer: SqliteBuffer;
let dir: string;

const p = suite('runFallbackPush');
p.before(async () => {
  s3 = await startS3rver();
  dir = mkdtempSync(join(tmpdir(), 'fallback-push-'));
  buffer = SqliteBuffer.open(join(dir, 'sensorctl.db'));
  buffer.defineSeries(FIXTURE_SERIES);
  buffer.insert(DEV, samples);
});
p.after(async () => {
  buffer.close();
  rmSync(dir, { recursive: true, force: true });
  await s3.close();
});
p('pushes all 24 snapshots, their meta and its state under fallback/ only', async () => {
  const nowMs = Math.max(...samples.map((s) => s.tsMs)) + 60_000;
  const r = await runFallbackPush({ bucket: s3.bucket, deviceId: DEV, buffer, env: { AWS_ENDPOINT_URL: s3.endpoint }, log: silent, build: runBuild, nowMs: () => nowMs });
  assert.is(r.snapshots.filter((s) => s.ok).length, 24);
  const keys = await new S3ObjectStore(s3.client, s3.bucket).list('');
  assert.is(keys.filter((k) => k.startsWith(fallbackPrefix(DEV))).length, 48);
  assert.ok(keys.every((k) => k.startsWith('fallback/')));
  assert.ok(keys.some((k) => k.startsWith(`fallback/state/${DEV}/`)));
});
p('rejects a missing bucket and an unknown window by name', async () => {
  const base = { bucket: s3.bucket, deviceId: DEV, buffer, env: {}, log: silent, build: runBuild };
  await runFallbackPush({ ...base, bucket: undefined }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /^--bucket/));
  await runFallbackPush({ ...base, windows: ['5m'] }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /^--window: unknown window 5m/));
});
p.run();
