/** DynamoDbSource against dynalite (a real DynamoDB protocol peer, in-process on 127.0.0.1). */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Sample } from '../../builder/types.js';
import { DynamoDbSource, SourceError } from '../../aws/dynamodb-source.js';
import { DEFAULT_CURSOR_POLICY, decodeCursor } from '../../aws/item-cursor.js';
import { FIXTURE_DEVICE as DEV, FIXTURE_SERIES, fixtureSamples } from '../support/bme280-fixture.js';
import { samplesToItems, startDynalite, writeCatalog, writeItems, type DynaliteHandle } from '../support/dynalite.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
let db: DynaliteHandle;
let nowMs = 0;
const clock = { nowMs: () => nowMs };
const all = fixtureSamples();
const lastTs = Math.max(...all.map((s) => s.tsMs));
const key = (s: Sample) => `${s.seriesId}@${s.tsMs}`;
const sortSamples = (xs: Sample[]) => [...xs].sort((a, b) => (a.seriesId < b.seriesId ? -1 : a.seriesId > b.seriesId ? 1 : a.tsMs - b.tsMs));

async function drain(src: DynamoDbSource, cursor: string, limit = 1_000_000) {
  const samples: Sample[] = [];
  for (;;) {
    const b = await src.readSince(DEV, cursor, limit);
    assert.not.ok(b.cursorExpired);
    samples.push(...b.samples);
    cursor = b.cursor;
    if (!b.hasMore) return { samples, cursor };
  }
}

async function collect(chunks: AsyncIterable<Sample[]>): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const c of chunks) out.push(...c);
  return out;
}

const setup = async () => {
  db = await startDynalite();
  await writeCatalog(db.client, db.table, DEV, FIXTURE_SERIES);
  await writeItems(db.client, db.table, samplesToItems(DEV, all));
  nowMs = lastTs + MIN;
};

const series = suite('DynamoDbSource.listSeries');
series.before(setup);
series.after(async () => db.close());
series('reads the series from the catalogue item, in id order', async () => {
  const src = new DynamoDbSource(db.client, db.table, clock);
  assert.equal(await src.listSeries(DEV), [...FIXTURE_SERIES].sort((a, b) => (a.seriesId < b.seriesId ? -1 : 1)));
  assert.equal(await src.listSeries('unknown-device'), []);
});
series.run();

const range = suite('DynamoDbSource.readRange');
range.before(setup);
range.after(async () => db.close());
range('returns every sample of the month, grouped by series then time, across many Query pages', async () => {
  const src = new DynamoDbSource(db.client, db.table, clock, { pageItems: 500, chunkSamples: 1000 });
  const { chunks } = await src.readRange(DEV, 0, lastTs);
  const got = await collect(chunks);
  assert.equal(got, sortSamples(all));
  const st = src.stats();
  assert.is(st.itemsRead, new Set(all.map((s) => s.tsMs)).size + 1, 'one per item plus the catalogue');
  assert.ok(st.requests > 9, `paginated (${st.requests} requests)`);
  assert.ok(st.consumedRcu > 0, 'consumed capacity is summed');
});
range('honours both bounds inclusively (BETWEEN) and never returns the catalogue item', async () => {
  const src = new DynamoDbSource(db.client, db.table, clock);
  const from = all[100].tsMs;
  const to = all[200].tsMs;
  const got = await collect((await src.readRange(DEV, from, to)).chunks);
  assert.equal(got, sortSamples(all.filter((s) => s.tsMs >= from && s.tsMs <= to)));
});
range.run();

const since = suite('DynamoDbSource.readSince');
since.before(setup);
since.after(async () => db.close());
since('answers cursorExpired for no cursor (read in full first)', async () => {
  const src = new DynamoDbSource(db.client, db.table, clock);
  assert.ok((await src.readSince(DEV, undefined, 100)).cursorExpired);
});
since('after a full read, a run after one new minute reads only the new item', async () => {
  const src = new DynamoDbSource(db.client, db.table, clock);
  const { cursor } = await src.readRange(DEV, 0, nowMs);
  const fresh: Sample[] = FIXTURE_SERIES.map((s, i) => ({ seriesId: s.seriesId, tsMs: lastTs + MIN, value: 20 + i }));
  await writeItems(db.client, db.table, samplesToItems(DEV, fresh));
  nowMs += MIN;
  src.resetStats();
  const got = await drain(src, cursor);
  assert.equal(sortSamples(got.samples), sortSamples(fresh));
  assert.is(src.stats().itemsRead, 1, 'only the one new item (the catalogue was read once, before)');
  assert.is(decodeCursor(got.cursor).highTsMs, lastTs + MIN);
});
since('pages by limit on item boundaries and hands every sample over exactly once', async () => {
  const src = new DynamoDbSource(db.client, db.table, clock);
  const half = all[Math.floor(all.length / 2)].tsMs;
  const { cursor } = await src.readRange(DEV, 0, half);
  const got = await drain(src, cursor, 50);
  const expected = all.filter((s) => s.tsMs > half).map(key).sort();
  assert.equal(got.samples.map(key).sort(), [...expected, ...FIXTURE_SERIES.map((s) => `${s.seriesId}@${lastTs + MIN}`)].sort());
});
since('folds an item that landed late but inside the lookback exactly once, at the next sweep', async () => {
  const src = new DynamoDbSource(db.client, db.table, clock, { sweepEveryMs: 10 * MIN, lookbackMs: HOUR });
  let { cursor } = await src.readRange(DEV, 0, nowMs);
  const late = { seriesId: 'bme280.tempC', tsMs: lastTs - 20 * MIN, value: 23.25 };
  await writeItems(db.client, db.table, samplesToItems(DEV, [late]));
  nowMs += MIN; // no sweep due yet: only tsMs > high is read
  let got = await drain(src, cursor);
  assert.equal(got.samples, []);
  nowMs += 10 * MIN; // sweep due: the lookback hour is re-read, only the unseen pair is handed over
  got = await drain(src, got.cursor);
  assert.equal(got.samples, [late]);
  nowMs += 10 * MIN; // a second sweep hands nothing over twice
  got = await drain(src, got.cursor);
  assert.equal(got.samples, []);
});
since('a backfill marker older than the lookback makes the cursor expire once, until the next full read', async () => {
  const src = new DynamoDbSource(db.client, db.table, clock);
  const { cursor } = await src.readRange(DEV, 0, nowMs);
  await writeCatalog(db.client, db.table, DEV, FIXTURE_SERIES, lastTs - 3 * 86_400_000);
  const nextRun = new DynamoDbSource(db.client, db.table, clock); // one source per run: the catalogue is read once per instance
  assert.ok((await nextRun.readSince(DEV, cursor, 100)).cursorExpired);
  const again = await nextRun.readRange(DEV, 0, nowMs);
  assert.not.ok((await nextRun.readSince(DEV, again.cursor, 100)).cursorExpired);
});
since('expires the cursor when the last full read is older than fullEveryMs (safety net)', async () => {
  const src = new DynamoDbSource(db.client, db.table, clock, { fullEveryMs: 86_400_000 });
  const { cursor } = await src.readRange(DEV, 0, nowMs);
  nowMs += 86_400_000;
  assert.ok((await src.readSince(DEV, cursor, 100)).cursorExpired);
});
since('reads eventually consistent by default (issue 14 cost: half the RRU), strongly on request', async () => {
  const seen: Array<{ command: string; consistent: unknown }> = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (db.client.middlewareStack as any).add(
    (next: (a: { input: Record<string, unknown> }) => Promise<unknown>, ctx: { commandName?: string }) => async (a: { input: Record<string, unknown> }) => {
      seen.push({ command: ctx.commandName ?? '', consistent: a.input.ConsistentRead });
      return next(a);
    },
    { step: 'initialize', name: 'recordConsistentRead' },
  );
  const { cursor } = await new DynamoDbSource(db.client, db.table, clock).readRange(DEV, lastTs - HOUR, nowMs);
  await new DynamoDbSource(db.client, db.table, clock).readSince(DEV, cursor, 100);
  assert.ok(seen.length >= 3, `${seen.length} requests`);
  assert.equal([...new Set(seen.map((r) => `${r.command} ${r.consistent}`))].sort(), ['GetItemCommand false', 'QueryCommand false']);
  seen.length = 0;
  await new DynamoDbSource(db.client, db.table, clock, { consistentRead: true }).readRange(DEV, lastTs - HOUR, nowMs);
  assert.equal([...new Set(seen.map((r) => `${r.command} ${r.consistent}`))].sort(), ['GetItemCommand true', 'QueryCommand true']);
  db.client.middlewareStack.remove('recordConsistentRead');
});
since('the default safety net re-reads in full weekly, not daily (issue 14 cost)', async () => {
  const src = new DynamoDbSource(db.client, db.table, clock);
  const { cursor } = await src.readRange(DEV, lastTs - HOUR, nowMs);
  const start = nowMs;
  nowMs = start + 6 * 86_400_000;
  assert.not.ok((await src.readSince(DEV, cursor, 1_000_000)).cursorExpired);
  nowMs = start + 7 * 86_400_000;
  assert.ok((await src.readSince(DEV, cursor, 100)).cursorExpired);
  assert.is(DEFAULT_CURSOR_POLICY.fullEveryMs, 7 * 86_400_000);
  nowMs = start;
});
since('translates a missing table into a SourceError naming table and device', async () => {
  const src = new DynamoDbSource(db.client, 'no-such-table', clock);
  try {
    await src.listSeries(DEV);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, SourceError);
    assert.match((err as Error).message, /no-such-table livingroom: ResourceNotFoundException/);
  }
});
since.run();
