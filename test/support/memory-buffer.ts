/**
 * The one in-memory `SampleSource` for tests, and an in-memory `SampleBuffer`, with the semantics of
 * `sqlite/sqlite-buffer.ts`: dedupe on (device, series, tsMs) (a repeat is ignored and not
 * journaled), a change journal with sequence numbers for `readSince` (cursor = the last sequence
 * number seen), `release` that forgets changes (older cursors then expire), retention guards as
 * predicates. `test/support/buffer-contract.ts` and `test/support/sample-source-contract.ts` check
 * that it and `SqliteBuffer` agree; `test/builder/memory-sample-source.test.ts` replays one script on both.
 */
import type { ChangeBatch, SampleSource } from '../../builder/ports.js';
import type { Sample, SeriesInfo } from '../../builder/types.js';
import type { InsertResult, SampleBuffer, SeriesStats } from '../../agent/buffer/ports.js';
import { BufferError } from '../../agent/buffer/errors.js';
import { isPastRetention } from '../../agent/buffer/retention.js';

interface Change {
  seq: number;
  deviceId: string;
  sample: Sample;
}

const key = (deviceId: string, seriesId: string) => `${deviceId}\u0000${seriesId}`;

export class MemoryBuffer implements SampleBuffer, SampleSource {
  private readonly series = new Map<string, SeriesInfo>();
  /** series key → (tsMs → value) */
  private readonly samples = new Map<string, Map<number, number>>();
  private journal: Change[] = [];
  private seq = 0;
  private released = 0;
  private readonly state = new Map<string, string>();
  private readonly guards = new Map<string, (deviceId: string, tsMs: number) => boolean>();
  /** Samples returned by `readRange` / `readSince` since construction, for tests that count reads. */
  readonly reads = { range: 0, since: 0 };
  /** @param chunkRows most samples per `readRange` chunk (default 1000, so tests see several chunks). */
  constructor(readonly chunkRows = 1_000) {}

  /** A buffer holding `series` and `deviceId`'s `samples` (default device: the first series'). */
  static holding(series: readonly SeriesInfo[], samples: readonly Sample[] = [], deviceId = series[0]?.deviceId): MemoryBuffer {
    const buffer = new MemoryBuffer();
    buffer.defineSeries(series);
    if (samples.length) {
      if (deviceId === undefined) throw new BufferError('holding: samples given without a series or device');
      buffer.insert(deviceId, samples);
    }
    return buffer;
  }

  defineSeries(series: readonly SeriesInfo[]): void {
    for (const s of series) {
      const old = this.series.get(key(s.deviceId, s.seriesId));
      if (old && (old.unit !== s.unit || old.kind !== s.kind || old.metric !== s.metric)) {
        throw new BufferError(`series ${s.deviceId}/${s.seriesId} is stored as ${old.metric} [${old.unit}, ${old.kind}], not ${s.metric} [${s.unit}, ${s.kind}]`);
      }
    }
    for (const s of series) {
      const k = key(s.deviceId, s.seriesId);
      if (!this.series.has(k)) {
        this.series.set(k, { ...s });
        this.samples.set(k, new Map());
      }
    }
  }

  insert(deviceId: string, samples: readonly Sample[], states: ReadonlyArray<readonly [string, string]> = []): InsertResult {
    for (const s of samples) {
      if (!this.series.has(key(deviceId, s.seriesId))) throw new BufferError(`series ${deviceId}/${s.seriesId} is not defined; call defineSeries first`);
      if (!Number.isInteger(s.tsMs) || !Number.isFinite(s.value)) {
        throw new BufferError(`sample ${s.seriesId}@${s.tsMs}: expected integer tsMs and a finite value, got ${s.value}`);
      }
    }
    let inserted = 0;
    for (const s of samples) {
      const m = this.samples.get(key(deviceId, s.seriesId))!;
      if (m.has(s.tsMs)) continue;
      m.set(s.tsMs, s.value);
      this.journal.push({ seq: ++this.seq, deviceId, sample: { seriesId: s.seriesId, tsMs: s.tsMs, value: s.value } });
      inserted++;
    }
    for (const [k, v] of states) this.state.set(k, v);
    return { inserted, duplicates: samples.length - inserted };
  }

  addRetentionGuard(name: string, keep: (deviceId: string, tsMs: number) => boolean): void {
    this.guards.set(name, keep);
  }

  deleteOlderThan(cutoffMs: number, maxRows: number): number {
    let deleted = 0;
    for (const [k, m] of this.samples) {
      const deviceId = this.series.get(k)!.deviceId;
      const old = [...m.keys()].filter((t) => isPastRetention(t, cutoffMs) && ![...this.guards.values()].some((g) => g(deviceId, t))).sort((a, b) => a - b);
      for (const t of old) {
        if (deleted >= maxRows) return deleted;
        m.delete(t);
        deleted++;
      }
    }
    return deleted;
  }

  newestTsMs(deviceId: string): number | undefined {
    let newest: number | undefined;
    for (const [k, m] of this.samples) {
      if (this.series.get(k)!.deviceId !== deviceId) continue;
      for (const t of m.keys()) if (newest === undefined || t > newest) newest = t;
    }
    return newest;
  }

  stats(deviceId?: string): SeriesStats[] {
    const out: SeriesStats[] = [];
    for (const [k, s] of this.series) {
      if (deviceId !== undefined && s.deviceId !== deviceId) continue;
      const ts = [...this.samples.get(k)!.keys()];
      out.push({ ...s, count: ts.length, firstTsMs: ts.length ? Math.min(...ts) : undefined, lastTsMs: ts.length ? Math.max(...ts) : undefined });
    }
    return out.sort((a, b) => a.deviceId.localeCompare(b.deviceId) || a.seriesId.localeCompare(b.seriesId));
  }

  getState(k: string): string | undefined {
    return this.state.get(k);
  }

  setState(k: string, value: string): void {
    this.state.set(k, value);
  }

  sizeBytes(): number {
    return 0;
  }

  close(): void {}

  async listSeries(deviceId: string): Promise<SeriesInfo[]> {
    return [...this.series.values()].filter((s) => s.deviceId === deviceId);
  }

  async readRange(deviceId: string, fromMs: number, toMs: number): Promise<{ cursor: string; chunks: AsyncIterable<Sample[]> }> {
    const cursor = String(Math.max(this.seq, this.released));
    const chunks: Sample[][] = [];
    for (const [k, s] of this.series) {
      if (s.deviceId !== deviceId) continue;
      const rows = [...this.samples.get(k)!].filter(([t]) => t >= fromMs && t <= toMs).sort((a, b) => a[0] - b[0]);
      this.reads.range += rows.length;
      for (let i = 0; i < rows.length; i += this.chunkRows) {
        chunks.push(rows.slice(i, i + this.chunkRows).map(([tsMs, value]) => ({ seriesId: s.seriesId, tsMs, value })));
      }
    }
    async function* gen() {
      yield* chunks;
    }
    return { cursor, chunks: gen() };
  }

  async readSince(deviceId: string, cursor: string | undefined, limit: number): Promise<ChangeBatch> {
    const after = cursor === undefined ? 0 : Number(cursor);
    if (after < this.released) return { samples: [], cursor: cursor ?? '0', hasMore: false, cursorExpired: true };
    const rest = this.journal.filter((c) => c.seq > after);
    const page = rest.slice(0, limit);
    const samples = page.filter((c) => c.deviceId === deviceId).map((c) => c.sample);
    this.reads.since += samples.length;
    return {
      samples,
      cursor: page.length ? String(page[page.length - 1].seq) : String(after),
      hasMore: rest.length > limit,
      cursorExpired: false,
    };
  }

  async release(_deviceId: string, cursor: string): Promise<void> {
    const seq = Number(cursor);
    if (!Number.isInteger(seq) || seq < 0) throw new BufferError(`release: cursor ${cursor} is not a journal sequence number`);
    if (seq <= this.released) return;
    this.journal = this.journal.filter((c) => c.seq > seq);
    this.released = seq;
  }
}
