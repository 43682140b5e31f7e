/**
 * In-memory `ObjectStore` and `SampleSource` for the cloud tests (the builder branch has its own
 * memory store; this one stays local to test/cloud). The source's change cursor is an index into its
 * append log, so `readSince` returns exactly what was appended after a read.
 */
import { createHash } from 'node:crypto';
import type { ChangeBatch, ObjectHeaders, ObjectInfo, ObjectStore, SampleSource, StoredObject } from '../../builder/ports.js';
import type { Sample, SeriesInfo } from '../../builder/types.js';

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, StoredObject>();
  private seq = 0;
  async put(key: string, body: Uint8Array, headers: ObjectHeaders) {
    this.objects.set(key, { key, body: body.slice(), headers: { ...headers }, lastModifiedMs: ++this.seq, etag: `"${createHash('md5').update(body).digest('hex')}"`, bytes: body.byteLength });
    return {};
  }
  async get(key: string) {
    const o = this.objects.get(key);
    return o && { ...o };
  }
  async head(key: string): Promise<ObjectInfo | undefined> {
    const o = this.objects.get(key);
    if (!o) return undefined;
    const { body: _body, ...info } = o;
    return info;
  }
  async promote(stagedKey: string, key: string, headers: ObjectHeaders) {
    const o = this.objects.get(stagedKey);
    if (!o) throw new Error(`promote: no ${stagedKey}`);
    this.objects.set(key, { ...o, key, headers: { ...headers } });
    this.objects.delete(stagedKey);
    return {};
  }
  async delete(key: string) {
    this.objects.delete(key);
  }
  async list(prefix: string) {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}

export class MemorySampleSource implements SampleSource {
  private readonly log: Sample[] = [];
  constructor(private readonly series: SeriesInfo[], samples: readonly Sample[] = []) {
    this.log.push(...samples);
  }
  append(samples: readonly Sample[]): void {
    this.log.push(...samples);
  }
  async listSeries(deviceId: string) {
    return this.series.filter((s) => s.deviceId === deviceId).sort((a, b) => (a.seriesId < b.seriesId ? -1 : 1));
  }
  async readRange(_deviceId: string, fromMs: number, toMs: number) {
    const picked = this.log
      .filter((s) => s.tsMs >= fromMs && s.tsMs <= toMs)
      .sort((a, b) => (a.seriesId < b.seriesId ? -1 : a.seriesId > b.seriesId ? 1 : a.tsMs - b.tsMs));
    const cursor = String(this.log.length);
    return { cursor, chunks: (async function* () { yield picked; })() };
  }
  async readSince(_deviceId: string, cursor: string | undefined, limit: number): Promise<ChangeBatch> {
    if (cursor === undefined) return { samples: [], cursor: '0', hasMore: false, cursorExpired: true };
    const from = Number(cursor);
    const samples = this.log.slice(from, from + limit);
    return { samples, cursor: String(from + samples.length), hasMore: from + samples.length < this.log.length, cursorExpired: false };
  }
  async release() {}
}
