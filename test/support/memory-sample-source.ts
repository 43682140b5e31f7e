/**
 * In-memory `SampleSource` with the same journal semantics as `sqlite/sqlite-buffer.ts`: samples are
 * unique per (device, series, tsMs) (a repeat is ignored and not journaled); every stored sample gets
 * the next insertion sequence number; `readSince(cursor)` returns samples with seq > cursor;
 * `release(cursor)` forgets seq ≤ cursor, after which an older cursor answers `cursorExpired`.
 */
import type { ChangeBatch, SampleSource } from '../../builder/ports.js';
import type { Sample, SeriesInfo } from '../../builder/types.js';

interface Entry {
  seq: number;
  deviceId: string;
  sample: Sample;
}

export class MemorySampleSource implements SampleSource {
  private readonly series = new Map<string, SeriesInfo>();
  private readonly stored = new Map<string, Sample>();
  private journal: Entry[] = [];
  private seq = 0;
  private released = 0;
  /** Counters for tests: samples returned by readRange / readSince since construction. */
  readonly reads = { range: 0, since: 0 };

  defineSeries(list: readonly SeriesInfo[]): void {
    for (const s of list) this.series.set(`${s.deviceId}\u0000${s.seriesId}`, s);
  }

  /** Store samples (ignoring repeats of a stored (series, tsMs)); returns how many were new. */
  insert(deviceId: string, samples: readonly Sample[]): number {
    let inserted = 0;
    for (const s of samples) {
      if (!this.series.has(`${deviceId}\u0000${s.seriesId}`)) throw new Error(`series ${deviceId}/${s.seriesId} not defined`);
      const k = `${deviceId}\u0000${s.seriesId}\u0000${s.tsMs}`;
      if (this.stored.has(k)) continue;
      this.stored.set(k, s);
      this.journal.push({ seq: ++this.seq, deviceId, sample: s });
      inserted++;
    }
    return inserted;
  }

  async listSeries(deviceId: string): Promise<SeriesInfo[]> {
    return [...this.series.values()].filter((s) => s.deviceId === deviceId);
  }

  async readRange(deviceId: string, fromMs: number, toMs: number): Promise<{ cursor: string; chunks: AsyncIterable<Sample[]> }> {
    const prefix = `${deviceId}\u0000`;
    const rows = [...this.stored.entries()]
      .filter(([k, s]) => k.startsWith(prefix) && s.tsMs >= fromMs && s.tsMs <= toMs)
      .map(([, s]) => s)
      .sort((a, b) => (a.seriesId < b.seriesId ? -1 : a.seriesId > b.seriesId ? 1 : a.tsMs - b.tsMs));
    this.reads.range += rows.length;
    const cursor = String(Math.max(this.seq, this.released));
    async function* chunks() {
      for (let i = 0; i < rows.length; i += 1000) yield rows.slice(i, i + 1000);
    }
    return { cursor, chunks: chunks() };
  }

  async readSince(deviceId: string, cursor: string | undefined, limit: number): Promise<ChangeBatch> {
    const after = cursor === undefined ? 0 : Number(cursor);
    if (after < this.released) return { samples: [], cursor: cursor ?? '0', hasMore: false, cursorExpired: true };
    const newer = this.journal.filter((e) => e.seq > after);
    const page = newer.slice(0, limit);
    const samples = page.filter((e) => e.deviceId === deviceId).map((e) => e.sample);
    this.reads.since += samples.length;
    return { samples, cursor: page.length ? String(page[page.length - 1].seq) : String(after), hasMore: newer.length > limit, cursorExpired: false };
  }

  async release(_deviceId: string, cursor: string): Promise<void> {
    const seq = Number(cursor);
    if (seq <= this.released) return;
    this.journal = this.journal.filter((e) => e.seq > seq);
    this.released = seq;
  }
}
