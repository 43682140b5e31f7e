/**
 * The one pass-through of the `SampleBuffer` port: every call goes to `inner` unchanged. Decorators
 * (`BatchingBuffer`, `ObservedBuffer`) extend it and override only what they change, so a method added
 * to the port is delegated in one place.
 */
import type { Sample, SeriesInfo } from '../../builder/types.js';
import type { InsertResult, SampleBuffer, SeriesStats } from './ports.js';

export class DelegatingBuffer implements SampleBuffer {
  constructor(protected readonly inner: SampleBuffer) {}

  defineSeries(series: readonly SeriesInfo[]): void {
    this.inner.defineSeries(series);
  }
  insert(deviceId: string, samples: readonly Sample[], states?: ReadonlyArray<readonly [string, string]>): InsertResult {
    return this.inner.insert(deviceId, samples, states);
  }
  deleteOlderThan(cutoffMs: number, maxRows: number): number {
    return this.inner.deleteOlderThan(cutoffMs, maxRows);
  }
  newestTsMs(deviceId: string): number | undefined {
    return this.inner.newestTsMs(deviceId);
  }
  stats(deviceId?: string): SeriesStats[] {
    return this.inner.stats(deviceId);
  }
  getState(key: string): string | undefined {
    return this.inner.getState(key);
  }
  setState(key: string, value: string): void {
    this.inner.setState(key, value);
  }
  sizeBytes(): number {
    return this.inner.sizeBytes();
  }
  close(): void {
    this.inner.close();
  }
}
