/**
 * A `SampleBuffer` that holds inserted samples in memory and writes them to the durable buffer in one
 * insert (one transaction) per device when `flush()` is called: the daemon flushes every
 * `storage.commitEveryMs` (default 60 s) and on stop, so a power cut loses at most that much of the
 * samples while the SD card sees one commit a minute instead of one per sample tick.
 * `setState` is held too (the latest value per key; `getState` sees it at once) and written in the
 * same transaction as the samples, so the sensors' status costs no commit of its own: the stored
 * status and pulse counts are as old as the last commit, like the samples. A key's first value in
 * this process is written at once (a status appears as soon as the sampler starts).
 * Everything else (series, retention, reads) goes straight to the inner buffer; reads do not
 * see held samples until the next flush. The first insert after start is written at once (not held),
 * so a fresh or just-recovered database holds a sample within one sample interval, and an error of the
 * inner buffer (disk full, damaged file) surfaces to the sampler at start as without batching.
 * While the last commit failed for space (`StorageFullError`), `insert` throws that error instead of
 * holding more: the sampler counts each such reading lost with cause `disk-full` and names the state
 * once, as without batching, and memory does not grow while the disk stays full; what was held before
 * is committed by the first commit that finds space again.
 */
import type { Sample } from '../../builder/types.js';
import type { InsertResult, SampleBuffer } from './ports.js';
import { StorageFullError } from './errors.js';
import { DelegatingBuffer } from './delegating-buffer.js';

/** Default of `storage.commitEveryMs`: at most this many ms of samples are lost on a power cut. */
export const DEFAULT_COMMIT_EVERY_MS = 60_000;

export class BatchingBuffer extends DelegatingBuffer {
  private held = new Map<string, Sample[]>();
  private heldCount = 0;
  private readonly heldStates = new Map<string, string>();
  private readonly writtenKeys = new Set<string>();
  private isFirstWritten = false;
  private storageFull?: StorageFullError;

  constructor(inner: SampleBuffer) {
    super(inner);
  }

  /**
   * Hold `samples` for the next flush (the very first insert is written at once). Returns them all as
   * `inserted`: duplicates of stored rows are found (and skipped) when the batch is written.
   * @throws {StorageFullError} while the last commit failed for space (the samples are not held).
   */
  override insert(deviceId: string, samples: readonly Sample[], states: ReadonlyArray<readonly [string, string]> = []): InsertResult {
    if (this.storageFull) throw this.storageFull;
    if (!this.isFirstWritten) {
      const written = this.inner.insert(deviceId, samples, states);
      this.isFirstWritten = true;
      for (const [key] of states) this.writtenKeys.add(key);
      return written;
    }
    for (const [key, value] of states) this.heldStates.set(key, value);
    const list = this.held.get(deviceId);
    if (list) list.push(...samples);
    else this.held.set(deviceId, [...samples]);
    this.heldCount += samples.length;
    return { inserted: samples.length, duplicates: 0 };
  }

  /** Samples held in memory, not yet committed. */
  heldSamples(): number {
    return this.heldCount;
  }

  /**
   * Write every held sample: one `insert` (transaction) per device, the held states with the first
   * device's. A device whose write throws keeps its samples (and the states, when they were in its
   * transaction) held for the next flush (a full disk may clear) and the first error is rethrown after
   * the other devices were written. Held states with no sample to ride with are written one by one.
   * @returns rows stored and duplicates skipped, summed over the devices written.
   */
  flush(): InsertResult {
    const total: InsertResult = { inserted: 0, duplicates: 0 };
    let failure: unknown;
    for (const [deviceId, samples] of [...this.held]) {
      const states = [...this.heldStates];
      try {
        const r = this.inner.insert(deviceId, samples, states);
        total.inserted += r.inserted;
        total.duplicates += r.duplicates;
        this.held.delete(deviceId);
        this.heldCount -= samples.length;
        for (const [key, value] of states) if (this.heldStates.get(key) === value) this.heldStates.delete(key);
      } catch (err) {
        failure ??= err;
      }
    }
    try {
      for (const [key, value] of [...this.heldStates]) {
        this.inner.setState(key, value);
        this.heldStates.delete(key);
      }
    } catch (err) {
      failure ??= err;
    }
    this.storageFull = failure instanceof StorageFullError ? failure : undefined;
    if (failure !== undefined) throw failure;
    return total;
  }

  /** The held value of `key` when there is one, else the stored one. */
  override getState(key: string): string | undefined {
    return this.heldStates.get(key) ?? this.inner.getState(key);
  }
  /** Hold `value` for the next flush; the first value of a key in this process is written at once. */
  override setState(key: string, value: string): void {
    if (this.writtenKeys.has(key)) {
      this.heldStates.set(key, value);
      return;
    }
    this.inner.setState(key, value);
    this.writtenKeys.add(key);
  }
  /** Flush, then close the inner buffer. */
  override close(): void {
    this.flush();
    super.close();
  }
}
