/** runFallbackPush (`sensorctl rebuild --fallback`) against s3rver + a real SQLite buffer (temp file). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRANULARITIES, WINDOW_NAMES, fallbackPrefix, windowObjectKey } from '../../builder/constants.js';
import { readWindowObject } from '../../builder/publish.js';
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
p('pushes all 24 snapshots, with their metas and the rollup state, as one window object per window under fallback/ only', async () => {
  const nowMs = Math.max(...samples.map((s) => s.tsMs)) + 60_000;
  const r = await runFallbackPush({ bucket: s3.bucket, deviceId: DEV, buffer, env: { AWS_ENDPOINT_URL: s3.endpoint }, log: silent, build: runBuild, nowMs: () => nowMs });
  assert.is(r.snapshots.filter((s) => s.ok).length, 24);
  const bucket = new S3ObjectStore(s3.client, s3.bucket);
  const keys = await bucket.list('');
  assert.equal(keys.sort(), WINDOW_NAMES.map((w) => fallbackPrefix(DEV) + windowObjectKey(w)).sort(), 'one object per window, nothing else (no state key)');
  for (const w of WINDOW_NAMES) {
    const object = (await readWindowObject(bucket, fallbackPrefix(DEV), w))!;
    for (const g of GRANULARITIES) {
      const meta = object.metas.get(g)!;
      assert.equal([meta.builder, meta.stale, meta.key, meta.generatedAt], ['pi', false, fallbackPrefix(DEV) + windowObjectKey(w), new Date(nowMs).toISOString()], `${w}/${g}`);
      assert.is(object.payload(g)!.byteLength, meta.bytes);
    }
    assert.ok(object.state()!.byteLength > 0, `${w}: the fallback's rollup state is in its window object`);
  }
});
p('rejects a missing bucket and an unknown window by name', async () => {
  const base = { bucket: s3.bucket, deviceId: DEV, buffer, env: {}, log: silent, build: runBuild };
  await runFallbackPush({ ...base, bucket: undefined }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /^--bucket/));
  await runFallbackPush({ ...base, windows: ['5m'] }).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /^--window: unknown window 5m/));
});
p.run();
