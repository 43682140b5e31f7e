/**
 * Contract of the `SampleBuffer` + `SampleSource` ports, run against every implementation that works
 * locally (`SqliteBuffer` on a temp file, `MemoryBuffer`). Each test opens a fresh buffer via `open`
 * and closes it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SampleSource } from '../../builder/ports.js';
import type { Sample, SeriesInfo } from '../../builder/types.js';
import type { SampleBuffer } from '../../agent/buffer/ports.js';
import { collect } from './sample-source-contract.js';
import { RETENTION_MS } from '../../builder/constants.js';
import { isPastRetention, runRetention } from '../../agent/buffer/retention.js';

export type ContractBuffer = SampleBuffer & SampleSource;

const T: SeriesInfo = { deviceId: 'pi-1', seriesId: 'bme280.tempC', sensorId: 'bme280', metric: 'tempC', unit: '°C', kind: 'gauge' };
const P: SeriesInfo = { ...T, seriesId: 'bme280.pressurePa', metric: 'pressurePa', unit: 'Pa' };
const OTHER: SeriesInfo = { ...T, deviceId: 'pi-2' };

const ramp = (seriesId: string, n: number, startMs = 0, stepMs = 10_000): Sample[] =>
  Array.from({ length: n }, (_, i) => ({ seriesId, tsMs: startMs + i * stepMs, value: 20 + i / 100 }));

export function bufferContract(name: string, open: () => ContractBuffer): void {
  const s = suite(`${name} (SampleBuffer + SampleSource contract)`);
  const withBuffer = (fn: (b: ContractBuffer) => unknown) => async () => {
    const b = open();
    try {
      await fn(b);
    } finally {
      b.close();
    }
  };

  s('stores the same (series, tsMs) once and counts the second write as a duplicate', withBuffer((b) => {
    b.defineSeries([T]);
    assert.equal(b.insert('pi-1', ramp(T.seriesId, 3)), { inserted: 3, duplicates: 0 });
    assert.equal(b.insert('pi-1', [{ seriesId: T.seriesId, tsMs: 10_000, value: 99 }, { seriesId: T.seriesId, tsMs: 30_000, value: 1 }]), { inserted: 1, duplicates: 1 });
    const st = b.stats('pi-1');
    assert.is(st.length, 1);
    assert.is(st[0].count, 4);
    assert.is(st[0].firstTsMs, 0);
    assert.is(st[0].lastTsMs, 30_000);
  }));

  s('rejects samples of an undeclared series and stores nothing of that batch', withBuffer((b) => {
    b.defineSeries([T]);
    assert.throws(() => b.insert('pi-1', [...ramp(T.seriesId, 2), { seriesId: 'nope', tsMs: 1, value: 1 }]), /not defined/);
    assert.is(b.stats('pi-1')[0].count, 0);
  }));

  s('refuses to redefine a series with another unit and accepts the same definition again', withBuffer((b) => {
    b.defineSeries([T]);
    b.defineSeries([T]);
    assert.throws(() => b.defineSeries([{ ...T, unit: '°F' }]), /stored as tempC/);
  }));

  s('rejects a non-integer timestamp or a non-finite value', withBuffer((b) => {
    b.defineSeries([T]);
    assert.throws(() => b.insert('pi-1', [{ seriesId: T.seriesId, tsMs: 1.5, value: 1 }]), /integer tsMs/);
    assert.throws(() => b.insert('pi-1', [{ seriesId: T.seriesId, tsMs: 1, value: Number.NaN }]), /finite/);
  }));

  s('readRange returns every sample in [from, to] ordered by series then time, in several chunks', withBuffer(async (b) => {
    b.defineSeries([T, P, OTHER]);
    b.insert('pi-1', ramp(P.seriesId, 2_500).reverse());
    b.insert('pi-1', ramp(T.seriesId, 2_500));
    b.insert('pi-2', ramp(OTHER.seriesId, 10));
    const { rows, chunkCount } = await collect((await b.readRange('pi-1', 10_000, 20_000_000)).chunks);
    assert.ok(chunkCount >= 2, `chunks ${chunkCount}`);
    const bySeries = [...new Set(rows.map((r) => r.seriesId))];
    assert.is(bySeries.length, 2);
    for (const id of bySeries) {
      const ts = rows.filter((r) => r.seriesId === id).map((r) => r.tsMs);
      assert.is(ts.length, 2_000, `${id}: 10 s .. 20000 s inclusive`);
      assert.is(ts[0], 10_000);
      assert.is(ts[ts.length - 1], 20_000_000);
      assert.ok(ts.every((t, i) => i === 0 || t > ts[i - 1]));
    }
    // series are contiguous: once a series ends it does not come back
    const firstOfSecond = rows.findIndex((r) => r.seriesId === bySeries[1]);
    assert.ok(rows.slice(firstOfSecond).every((r) => r.seriesId === bySeries[1]));
  }));

  s('readSince after a readRange cursor returns exactly the samples stored after the read', withBuffer(async (b) => {
    b.defineSeries([T]);
    b.insert('pi-1', ramp(T.seriesId, 5));
    const { cursor, chunks } = await b.readRange('pi-1', 0, 1e15);
    assert.is((await collect(chunks)).rows.length, 5);
    b.insert('pi-1', [{ seriesId: T.seriesId, tsMs: -5_000, value: 1 }, { seriesId: T.seriesId, tsMs: 0, value: 2 }]);
    const batch = await b.readSince('pi-1', cursor, 100);
    assert.equal(batch.samples, [{ seriesId: T.seriesId, tsMs: -5_000, value: 1 }]);
    assert.is(batch.hasMore, false);
    assert.is(batch.cursorExpired, false);
  }));

  s('readSince pages by limit and only returns the asked device', withBuffer(async (b) => {
    b.defineSeries([T, OTHER]);
    b.insert('pi-1', ramp(T.seriesId, 5));
    b.insert('pi-2', ramp(OTHER.seriesId, 5));
    const p1 = await b.readSince('pi-1', undefined, 3);
    assert.is(p1.samples.length, 3);
    assert.is(p1.hasMore, true);
    const p2 = await b.readSince('pi-1', p1.cursor, 3);
    assert.equal(p2.samples.map((x) => x.tsMs), [30_000, 40_000]);
    assert.is(p2.hasMore, true);
    const p3 = await b.readSince('pi-1', p2.cursor, 100);
    assert.is(p3.samples.length, 0, 'the rest belongs to pi-2');
    assert.is(p3.hasMore, false);
  }));

  s('release forgets changes: an older cursor then reports cursorExpired', withBuffer(async (b) => {
    b.defineSeries([T]);
    b.insert('pi-1', ramp(T.seriesId, 4));
    const p = await b.readSince('pi-1', undefined, 2);
    await b.release('pi-1', p.cursor);
    assert.is((await b.readSince('pi-1', undefined, 10)).cursorExpired, true);
    const rest = await b.readSince('pi-1', p.cursor, 10);
    assert.equal(rest.samples.map((x) => x.tsMs), [20_000, 30_000]);
    const { cursor } = await b.readRange('pi-1', 0, 1);
    assert.is((await b.readSince('pi-1', cursor, 10)).cursorExpired, false, 'a fresh readRange cursor is valid after release');
    let err: unknown;
    await b.release('pi-1', 'x').catch((e) => (err = e));
    assert.match(String(err), /cursor x is not a journal sequence number/);
  }));

  s('issue 14: retention at its cut-off: a sample exactly at now - RETENTION_MS is kept, one 1 ms older goes (isPastRetention)', withBuffer(async (b) => {
    const nowMs = Date.UTC(2027, 2, 1);
    const cutoffMs = nowMs - RETENTION_MS;
    b.defineSeries([T]);
    b.insert('pi-1', [cutoffMs - 1, cutoffMs, cutoffMs + 1].map((tsMs) => ({ seriesId: T.seriesId, tsMs, value: 20 })));
    const r = await runRetention(b, { nowMs: () => nowMs }, async () => undefined);
    assert.equal([r.cutoffMs, r.deleted], [cutoffMs, 1]);
    const [st] = b.stats('pi-1');
    assert.equal([st.firstTsMs, st.count], [cutoffMs, 2], 'the sample at the cut-off is kept');
    assert.equal([cutoffMs - 1, cutoffMs, cutoffMs + 1].map((t) => isPastRetention(t, cutoffMs)), [true, false, false], 'the predicate says the same');
  }));

  s('deleteOlderThan deletes oldest first, at most maxRows per call, until it returns 0', withBuffer((b) => {
    b.defineSeries([T, P]);
    b.insert('pi-1', [...ramp(T.seriesId, 10), ...ramp(P.seriesId, 10)]);
    assert.is(b.deleteOlderThan(50_000, 7), 7);
    assert.is(b.deleteOlderThan(50_000, 7), 3);
    assert.is(b.deleteOlderThan(50_000, 7), 0);
    for (const st of b.stats('pi-1')) {
      assert.is(st.count, 5);
      assert.is(st.firstTsMs, 50_000);
    }
  }));

  s('newestTsMs is the newest sample of the device, undefined when empty', withBuffer((b) => {
    b.defineSeries([T, OTHER]);
    assert.is(b.newestTsMs('pi-1'), undefined);
    b.insert('pi-1', ramp(T.seriesId, 3));
    b.insert('pi-2', ramp(OTHER.seriesId, 9));
    assert.is(b.newestTsMs('pi-1'), 20_000);
  }));

  s('keeps small key/value state and overwrites it', withBuffer((b) => {
    assert.is(b.getState('k'), undefined);
    b.setState('k', 'a');
    b.setState('k', 'b');
    assert.is(b.getState('k'), 'b');
  }));

  s.run();
}
