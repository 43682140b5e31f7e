/**
 * A `SampleBuffer` that tells observers what was stored, once the write was accepted: the MQTT
 * publisher and the metrics read samples from here (including samples the daemon holds for its next
 * batched commit, `batching-buffer.ts`), and the
 * sampler never waits for them. Observers run synchronously and must only queue work; an observer
 * that throws is reported through `onObserverError` and never fails the insert.
 */
import type { Sample, SeriesInfo } from '../../builder/types.js';
import type { InsertResult, SampleBuffer } from './ports.js';
import { DelegatingBuffer } from './delegating-buffer.js';

/** What an observer may hear about. */
export interface BufferObserver {
  /** Series declared (at sampler start). */
  seriesDefined?(series: readonly SeriesInfo[]): void;
  /** `samples` of `deviceId` were handed to `insert` and accepted: committed, or held for the daemon's next batched commit (`result` counts new rows). */
  samplesStored?(deviceId: string, samples: readonly Sample[], result: InsertResult): void;
}

export class ObservedBuffer extends DelegatingBuffer {
  private readonly observers: BufferObserver[] = [];

  constructor(inner: SampleBuffer, private readonly onObserverError: (err: unknown) => void = () => undefined) {
    super(inner);
  }

  /** Add an observer; returns a function that removes it. */
  observe(observer: BufferObserver): () => void {
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  override defineSeries(series: readonly SeriesInfo[]): void {
    super.defineSeries(series);
    this.tell((o) => o.seriesDefined?.(series));
  }

  override insert(deviceId: string, samples: readonly Sample[], states?: ReadonlyArray<readonly [string, string]>): InsertResult {
    const result = super.insert(deviceId, samples, states);
    this.tell((o) => o.samplesStored?.(deviceId, samples, result));
    return result;
  }

  private tell(call: (o: BufferObserver) => void): void {
    for (const o of this.observers) {
      try {
        call(o);
      } catch (err) {
        this.onObserverError(err);
      }
    }
  }
}

/** The latest stored value of one series. */
export interface LatestSample {
  series: SeriesInfo;
  tsMs: number;
  value: number;
}

/**
 * Observer keeping the newest stored value of each series and the count of stored samples, for
 * `/metrics`. Empty after a restart until each series' next sample.
 */
export class LatestValues implements BufferObserver {
  private readonly series = new Map<string, SeriesInfo>();
  private readonly latest = new Map<string, LatestSample>();
  /** Samples newly stored since start (duplicates not counted). */
  storedSamples = 0;

  seriesDefined(series: readonly SeriesInfo[]): void {
    for (const s of series) this.series.set(`${s.deviceId}\u0000${s.seriesId}`, s);
  }

  samplesStored(deviceId: string, samples: readonly Sample[], result: InsertResult): void {
    this.storedSamples += result.inserted;
    for (const sample of samples) {
      const key = `${deviceId}\u0000${sample.seriesId}`;
      const series = this.series.get(key);
      const prev = this.latest.get(key);
      if (series && (!prev || prev.tsMs <= sample.tsMs)) this.latest.set(key, { series, tsMs: sample.tsMs, value: sample.value });
    }
  }

  /** Newest value per series, in series order of declaration. */
  values(): LatestSample[] {
    return [...this.latest.values()];
  }

  /** The declared series (the publisher's lookup of unit and kind). */
  seriesOf(deviceId: string, seriesId: string): SeriesInfo | undefined {
    return this.series.get(`${deviceId}\u0000${seriesId}`);
  }

  allSeries(): SeriesInfo[] {
    return [...this.series.values()];
  }
}
