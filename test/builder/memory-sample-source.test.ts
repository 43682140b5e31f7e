/**
 * The in-memory SampleSource (MemoryBuffer) must behave like the SQLite buffer's journal (cursor = insertion seq,
 * duplicates ignored and not journaled, release/cursorExpired): the same script runs on both.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import type { SampleSource } from '../../builder/ports.js';
import type { Sample } from '../../builder/types.js';
import { MemoryBuffer } from '../support/memory-buffer.js';
import { DEVICE, gauge } from '../support/builder-harness.js';
import { sampleSourceContract } from '../support/sample-source-contract.js';

sampleSourceContract('MemoryBuffer', async () => {
  const source = new MemoryBuffer(4);
  return {
    source,
    define: async (series) => source.defineSeries(series),
    add: async (deviceId, samples) => void source.insert(deviceId, samples),
    close: async () => source.close(),
  };
}, 'from-start');

const SERIES = [gauge('a.tempC'), gauge('b.rhPct', 'rhPct', '%RH')];
const s = (seriesId: string, tsMs: number, value: number): Sample => ({ seriesId, tsMs, value });

async function collect(chunks: AsyncIterable<Sample[]>): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const c of chunks) out.push(...c);
  return out;
}

async function script(src: SampleSource & { insert(d: string, x: Sample[]): unknown }) {
  const log: unknown[] = [];
  src.insert(DEVICE, [s('a.tempC', 3000, 1), s('b.rhPct', 1000, 2), s('a.tempC', 1000, 3)]);
  const range = await src.readRange(DEVICE, 1000, 2999);
  log.push(range.cursor, await collect(range.chunks));
  src.insert(DEVICE, [s('a.tempC', 3000, 99), s('a.tempC', 500, 4)]); // a duplicate (ignored) and a backfill
  const page1 = await src.readSince(DEVICE, range.cursor, 10);
  log.push(page1);
  src.insert(DEVICE, [s('b.rhPct', 2000, 5), s('b.rhPct', 2001, 6), s('b.rhPct', 2002, 7)]);
  const page2 = await src.readSince(DEVICE, page1.cursor, 2);
  log.push(page2, await src.readSince(DEVICE, page2.cursor, 2));
  await src.release(DEVICE, page2.cursor);
  log.push(await src.readSince(DEVICE, page1.cursor, 10)); // expired
  log.push(await src.readSince(DEVICE, page2.cursor, 10));
  await src.release(DEVICE, String(Number(page2.cursor) + 1)); // everything read so far
  src.insert(DEVICE, [s('a.tempC', 9000, 8)]);
  log.push(await src.readSince(DEVICE, String(Number(page2.cursor) + 1), 10)); // after an emptied journal
  log.push((await src.readRange(DEVICE, 0, 1e9)).cursor);
  return log;
}

const parity = suite('MemoryBuffer as a SampleSource');
parity('answers a script of inserts, range reads, paged change reads and releases exactly like SqliteBuffer', async () => {
  const mem = new MemoryBuffer();
  mem.defineSeries(SERIES);
  const sql = SqliteBuffer.open(':memory:');
  sql.defineSeries(SERIES);
  try {
    const a = await script(mem);
    const b = await script(sql);
    assert.equal(a, b);
    assert.equal((a[2] as { samples: Sample[] }).samples, [s('a.tempC', 500, 4)]);
    assert.is((a[5] as { cursorExpired: boolean }).cursorExpired, true);
    assert.equal((a[7] as { samples: Sample[] }).samples, [s('a.tempC', 9000, 8)], 'a sample stored after the journal was emptied is still seen');
  } finally {
    sql.close();
  }
});
parity.run();
