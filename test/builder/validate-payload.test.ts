import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { metaProblems, payloadProblems } from '../../builder/validate-payload.js';
import { runBuild } from '../../builder/run-build.js';
import { allSnapshots } from '../../builder/constants.js';
import type { BucketPoint, Payload, SnapshotMeta } from '../../builder/types.js';
import { MemoryObjectStore } from '../support/memory-object-store.js';
import { MemoryBuffer } from '../support/memory-buffer.js';
import { DEVICE, FakeClock, gauge, readMetaOf, readPayload, silentLog } from '../support/builder-harness.js';
import { isDateTime, metaSchemaErrors, payloadSchemaErrors } from '../support/json-schemas.js';
const AT = Date.parse('2024-03-10T12:00:00Z');

async function built(): Promise<{ payloads: Payload[]; metas: SnapshotMeta[]; neverBuilt: SnapshotMeta }> {
  const source = new MemoryBuffer();
  source.defineSeries([gauge('a.tempC')]);
  source.insert(DEVICE, Array.from({ length: 3000 }, (_, i) => ({ seriesId: 'a.tempC', tsMs: AT - i * 45_000, value: 21 + Math.sin(i) })));
  const store = new MemoryObjectStore();
  await runBuild({ source, store, clock: new FakeClock(AT), log: silentLog, deviceId: DEVICE, builder: 'lambda' });
  const payloads: Payload[] = [];
  const metas: SnapshotMeta[] = [];
  for (const { window, granularity } of allSnapshots()) {
    payloads.push((await readPayload(store, window, granularity))!);
    metas.push((await readMetaOf(store, window, granularity))!);
  }
  const failing = new MemoryObjectStore();
  let puts = 0; // the publish put is denied; the put recording the failure (stale metas) goes through
  failing.faults = (op) => (op === 'put' && puts++ === 0 ? new Error('denied') : undefined);
  await runBuild({ source, store: failing, clock: new FakeClock(AT), log: silentLog, deviceId: DEVICE, builder: 'lambda' }, { windows: ['1h'] });
  return { payloads, metas, neverBuilt: (await readMetaOf(failing, '1h', 20))! };
}

const payload = suite('payloadProblems');
payload('accepts every built payload, which also satisfies payload.schema.json (raw and bucketed)', async () => {
  const { payloads } = await built();
  assert.ok(payloads.some((p) => p.resolution === 'raw') && payloads.some((p) => p.resolution === 'bucketed'));
  for (const p of payloads) {
    assert.equal(payloadProblems(p), [], `${p.window}/${p.granularity}`);
    assert.equal(payloadSchemaErrors(p), [], `${p.window}/${p.granularity}`);
  }
});
payload('names what is wrong: a missing bucket, a misaligned start, values in an empty bucket, an unknown window', async () => {
  const { payloads } = await built();
  const p = structuredClone(payloads.find((x) => x.resolution === 'bucketed' && x.granularity === 20)!);
  const points = p.series[0].points as BucketPoint[];
  const empty = points.findIndex((x) => x.count === 0);
  const dropped = { ...p, series: [{ ...p.series[0], points: points.slice(1) }] };
  assert.match(payloadProblems(dropped).join('\n'), '19 points, expected 20');
  const shifted = structuredClone(p);
  (shifted.series[0].points as BucketPoint[])[3].startMs += 1;
  assert.match(payloadProblems(shifted).join('\n'), 'points[3].startMs');
  if (empty >= 0) {
    const filled = structuredClone(p);
    (filled.series[0].points as BucketPoint[])[empty].avg = 0;
    assert.match(payloadProblems(filled).join('\n'), 'must be null in an empty bucket');
  }
  assert.match(payloadProblems({ ...p, window: '2h' }).join('\n'), 'window "2h"');
  assert.equal(payloadSchemaErrors({ ...p, window: '2h' }), ['/window enum: must be equal to one of the allowed values']);
  assert.equal(payloadSchemaErrors({ ...p, extra: 1 }), ['/ additionalProperties: must NOT have additional properties']);
  assert.equal(payloadProblems('nope'), ['payload must be a JSON object']);
});
payload.run();

const meta = suite('metaProblems');
meta('accepts built meta and the meta of a never-built failing snapshot, both per meta.schema.json', async () => {
  const { metas, neverBuilt } = await built();
  for (const m of [...metas, neverBuilt]) {
    assert.equal(metaProblems(m), []);
    assert.equal(metaSchemaErrors(m), []);
  }
  assert.equal([neverBuilt.stale, neverBuilt.generatedAt, neverBuilt.builder], [true, null, 'lambda']);
  assert.is(metas[0].expiresAt, new Date(AT + 2 * 30_000).toISOString());
});
meta('rejects meta with payload fields half null or a bad digest', async () => {
  const { metas } = await built();
  assert.match(metaProblems({ ...metas[0], sha256: null }).join('\n'), 'sha256');
  assert.match(metaProblems({ ...metas[0], sha256: 'abc' }).join('\n'), '64 hex');
  assert.equal(metaSchemaErrors({ ...metas[0], sha256: 'abc' }), ['/sha256 pattern: must match pattern "^[0-9a-f]{64}$"']);
});
meta.run();

// The hand-written validator these tests used before ignored every keyword it did not implement
// (`format` among them): a payload or meta breaking one passed. ajv checks them all.
const strict = suite('JSON Schemas checked by ajv');
strict('rejects times that are strings but not RFC 3339 date-times (format, which the old subset ignored)', async () => {
  const { payloads, metas } = await built();
  const p = payloads[0];
  assert.equal(payloadSchemaErrors({ ...p, to: 'yesterday' }), ['/to format: must match format "date-time"']);
  assert.equal(payloadSchemaErrors({ ...p, from: '2019-02-30T00:00:00Z', generatedAt: '2019-09-30 16:00:00' }), [
    '/from format: must match format "date-time"',
    '/generatedAt format: must match format "date-time"',
  ]);
  assert.equal(metaSchemaErrors({ ...metas[0], expiresAt: '1569859200000' }), ['/expiresAt format: must match format "date-time"']);
  assert.equal(metaSchemaErrors({ ...metas[0], expiresAt: null }), [], 'null stays allowed');
});
strict('reports every violation at its path, down into the series and points', async () => {
  const { payloads } = await built();
  const p = structuredClone(payloads.find((x) => x.resolution === 'bucketed')!);
  (p.series[0].points as BucketPoint[])[2].count = -1;
  (p.series[0] as { kind: string }).kind = 'rate';
  const errors = payloadSchemaErrors(p);
  assert.ok(errors.includes('/series/0/kind enum: must be equal to one of the allowed values'), errors.join('\n'));
  assert.ok(errors.includes('/series/0/points/2/count minimum: must be >= 0'), errors.join('\n'));
});
strict('date-time: RFC 3339 shape and a real calendar instant', () => {
  for (const ok of ['2019-09-30T16:00:00.000Z', '2019-09-30T16:00:00Z', '2016-12-31T23:59:60Z', '2019-09-30t18:00:00+02:00', '2024-02-29T00:00:00Z']) assert.ok(isDateTime(ok), ok);
  for (const bad of ['2019-09-30', '2019-09-30T16:00Z', '2019-02-29T00:00:00Z', '2019-09-30T24:00:00Z', '2019-09-30T16:60:00Z', '2019-09-30T16:00:00+24:00', '2019-09-30T16:00:00', ' 2019-09-30T16:00:00Z']) assert.not.ok(isDateTime(bad), bad);
});
strict.run();
