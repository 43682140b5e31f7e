/**
 * The `SampleSource` contract (builder/ports.ts): one suite every adapter that runs locally must
 * pass. Run against `MemoryBuffer` (test/builder/memory-sample-source.test.ts), `SqliteBuffer`
 * (test/sqlite/sqlite-source-contract.test.ts) and `DynamoDbSource` on dynalite
 * (test/aws/dynamodb-source-contract.test.ts). `buffer-contract.ts` adds what a `SampleBuffer`
 * must do on top (dedupe, journal expiry after `release`, retention).
 *
 * The suite only writes what every source can take: series are declared before any read, and each
 * `add` uses timestamps later than any earlier `add` of that device (DynamoDB keeps one item per
 * instant and finds changes by time, so a rewritten or backfilled instant is adapter-specific).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SampleSource } from '../../builder/ports.js';
import type { Sample, SeriesInfo } from '../../builder/types.js';

/** A fresh, empty source, how to fill it, and how to dispose of it. */
export interface ContractSource {
  source: SampleSource;
  /** Declare series (of any devices); called once per test, before any add or read. */
  define(series: readonly SeriesInfo[]): Promise<void>;
  /** Store `deviceId`'s samples as one write (timestamps later than any earlier add of the device). */
  add(deviceId: string, samples: readonly Sample[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * What `readSince(deviceId, undefined, …)` answers: `from-start` returns every change from the
 * beginning (the port's default; SQLite and memory), `expired` answers `cursorExpired: true` so the
 * consumer reads in full (DynamoDB, which has no change log to start from).
 */
export type StartCursor = 'from-start' | 'expired';

const T: SeriesInfo = { deviceId: 'pi-1', seriesId: 'bme280.tempC', sensorId: 'bme280', metric: 'tempC', unit: '°C', kind: 'gauge' };
const P: SeriesInfo = { ...T, seriesId: 'bme280.pressurePa', metric: 'pressurePa', unit: 'Pa' };
const R: SeriesInfo = { deviceId: 'pi-1', seriesId: 'rain.pulses', sensorId: 'rain', metric: 'pulses', unit: 'pulses', kind: 'counter' };
const OTHER: SeriesInfo = { ...T, deviceId: 'pi-2' };

/** `n` samples of `seriesId` every `stepMs` from `startMs`; values are exact in binary (x.25 steps). */
const ramp = (seriesId: string, n: number, startMs: number, stepMs = 10_000, base = 20): Sample[] =>
  Array.from({ length: n }, (_, i) => ({ seriesId, tsMs: startMs + i * stepMs, value: base + i / 4 }));

const byKey = (a: Sample, b: Sample) => (a.seriesId < b.seriesId ? -1 : a.seriesId > b.seriesId ? 1 : a.tsMs - b.tsMs);
const sorted = (xs: readonly Sample[]) => [...xs].sort(byKey);
const bySeriesId = (xs: readonly SeriesInfo[]) => [...xs].sort((a, b) => (a.seriesId < b.seriesId ? -1 : 1));

/** Every row of a chunked read, and how many chunks it came in. */
export async function collect(chunks: AsyncIterable<Sample[]>): Promise<{ rows: Sample[]; chunkCount: number }> {
  const rows: Sample[] = [];
  let chunkCount = 0;
  for await (const c of chunks) {
    chunkCount++;
    rows.push(...c);
  }
  return { rows, chunkCount };
}

export function sampleSourceContract(name: string, open: () => Promise<ContractSource>, start: StartCursor): void {
  const s = suite<{ c?: ContractSource }>(`SampleSource contract: ${name}`, {});
  s.before.each(async (ctx) => {
    ctx.c = await open();
  });
  s.after.each(async (ctx) => {
    await ctx.c?.close();
  });

  s('listSeries gives exactly the device’s declared series, and none for an unknown device', async ({ c }) => {
    await c!.define([T, P, R, OTHER]);
    await c!.add('pi-1', [{ seriesId: T.seriesId, tsMs: 1_000, value: 1 }, { seriesId: P.seriesId, tsMs: 1_000, value: 2 }, { seriesId: R.seriesId, tsMs: 1_000, value: 3 }]);
    await c!.add('pi-2', [{ seriesId: OTHER.seriesId, tsMs: 1_000, value: 4 }]);
    assert.equal(bySeriesId(await c!.source.listSeries('pi-1')), bySeriesId([T, P, R]));
    assert.equal(await c!.source.listSeries('pi-2'), [OTHER]);
    assert.equal(await c!.source.listSeries('pi-9'), []);
  });

  s('readRange returns every sample of the device with from <= tsMs <= to, grouped by series, time ascending', async ({ c }) => {
    await c!.define([T, P, OTHER]);
    const mine = [...ramp(T.seriesId, 50, 1_000), ...ramp(P.seriesId, 50, 1_000, 10_000, 1000)];
    await c!.add('pi-1', mine);
    await c!.add('pi-2', ramp(OTHER.seriesId, 50, 1_000));
    const fromMs = 101_000; // the 11th sample, inclusive
    const toMs = 301_000; // the 31st sample, inclusive
    const { cursor, chunks } = await c!.source.readRange('pi-1', fromMs, toMs);
    assert.type(cursor, 'string');
    const { rows } = await collect(chunks);
    assert.equal(sorted(rows), sorted(mine.filter((x) => x.tsMs >= fromMs && x.tsMs <= toMs)));
    assert.is(rows.length, 42);
    const order = rows.map((r) => r.seriesId).filter((id, i, all) => i === 0 || all[i - 1] !== id);
    assert.is(order.length, 2, `each series contiguous, got runs ${order.join(', ')}`);
    for (const id of order) {
      const ts = rows.filter((r) => r.seriesId === id).map((r) => r.tsMs);
      assert.equal(ts, [...ts].sort((a, b) => a - b), `${id} in time order`);
    }
  });

  // Only on a device without samples: after an empty read of a span that misses stored samples, the
  // DynamoDB cursor (a time watermark) hands those samples over as changes, the SQLite journal does not.
  s('readRange of a device without samples gives no samples but a usable cursor', async ({ c }) => {
    await c!.define([T]);
    const { cursor, chunks } = await c!.source.readRange('pi-1', 500_000, 600_000);
    assert.equal((await collect(chunks)).rows, []);
    await c!.add('pi-1', ramp(T.seriesId, 2, 700_000));
    const batch = await c!.source.readSince('pi-1', cursor, 100);
    assert.is(batch.cursorExpired, false);
    assert.equal(sorted(batch.samples), ramp(T.seriesId, 2, 700_000));
  });

  s('readSince after a readRange cursor returns exactly the samples stored after the read, then nothing', async ({ c }) => {
    await c!.define([T, P]);
    await c!.add('pi-1', [...ramp(T.seriesId, 5, 1_000), ...ramp(P.seriesId, 5, 1_000)]);
    const { cursor, chunks } = await c!.source.readRange('pi-1', 0, 1e12);
    assert.is((await collect(chunks)).rows.length, 10);
    const later = [...ramp(T.seriesId, 3, 100_000, 1_000, 30), ...ramp(P.seriesId, 3, 100_000, 1_000, 900)];
    await c!.add('pi-1', later);
    const batch = await c!.source.readSince('pi-1', cursor, 100);
    assert.equal(sorted(batch.samples), sorted(later));
    assert.is(batch.hasMore, false);
    assert.is(batch.cursorExpired, false);
    const again = await c!.source.readSince('pi-1', batch.cursor, 100);
    assert.equal(again.samples, []);
    assert.is(again.hasMore, false);
    assert.is(again.cursorExpired, false);
  });

  s('readSince pages by limit: no page over it, hasMore until the last, every change exactly once', async ({ c }) => {
    await c!.define([T]);
    await c!.add('pi-1', ramp(T.seriesId, 2, 1_000));
    let { cursor } = await c!.source.readRange('pi-1', 0, 1e12);
    const later = ramp(T.seriesId, 7, 100_000);
    await c!.add('pi-1', later);
    const seen: Sample[] = [];
    const pages: Array<{ n: number; hasMore: boolean }> = [];
    for (let i = 0; i < 10; i++) {
      const page = await c!.source.readSince('pi-1', cursor, 3);
      assert.is(page.cursorExpired, false);
      pages.push({ n: page.samples.length, hasMore: page.hasMore });
      seen.push(...page.samples);
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    assert.equal(pages, [{ n: 3, hasMore: true }, { n: 3, hasMore: true }, { n: 1, hasMore: false }]);
    assert.equal(sorted(seen), later);
  });

  s('readSince returns only the asked device’s changes', async ({ c }) => {
    await c!.define([T, OTHER]);
    await c!.add('pi-1', ramp(T.seriesId, 2, 1_000));
    const { cursor } = await c!.source.readRange('pi-1', 0, 1e12);
    await c!.add('pi-2', ramp(OTHER.seriesId, 4, 100_000));
    await c!.add('pi-1', ramp(T.seriesId, 2, 200_000));
    const batch = await c!.source.readSince('pi-1', cursor, 100);
    assert.equal(sorted(batch.samples), ramp(T.seriesId, 2, 200_000));
  });

  s(`readSince without a cursor (${start})`, async ({ c }) => {
    await c!.define([T]);
    const all = ramp(T.seriesId, 4, 1_000);
    await c!.add('pi-1', all);
    const batch = await c!.source.readSince('pi-1', undefined, 100);
    assert.type(batch.cursor, 'string');
    if (start === 'from-start') {
      assert.is(batch.cursorExpired, false);
      assert.equal(sorted(batch.samples), all);
    } else {
      assert.is(batch.cursorExpired, true);
      assert.equal(batch.samples, []);
    }
  });

  s('release of a cursor keeps that cursor valid for the changes after it', async ({ c }) => {
    await c!.define([T]);
    await c!.add('pi-1', ramp(T.seriesId, 3, 1_000));
    const { cursor, chunks } = await c!.source.readRange('pi-1', 0, 1e12);
    await collect(chunks);
    await c!.source.release('pi-1', cursor);
    await c!.add('pi-1', ramp(T.seriesId, 2, 100_000));
    const batch = await c!.source.readSince('pi-1', cursor, 100);
    assert.is(batch.cursorExpired, false);
    assert.equal(sorted(batch.samples), ramp(T.seriesId, 2, 100_000));
  });

  s.run();
}
