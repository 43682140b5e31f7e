/**
 * Decides whether the wall clock may stamp samples. Pure policy over the readings' wall and
 * monotonic times. A Pi has no RTC: after a power cut it boots with a stale saved time and NTP steps
 * it later. The clock is trusted when it is not earlier than the build date nor than the newest
 * stored or issued sample (which also catches a jump backwards), and, when the optional sync signal
 * is given, when that says synchronized.
 *
 * Untrusted: samples are held with their monotonic time (bounded), and restamped from the monotonic
 * clock once the clock is trusted: tsMs = monoAtRead + (wallNow − monoNow). A restamped sample that
 * would still be at or before the floor is discarded with a log line. Nothing is ever stamped with
 * an untrusted time, no sample older than the newest stored one is handed out, and no sample before
 * `MIN_SAMPLE_TS_MS` (2000-01-01) whatever the build date says. At shutdown
 * `drain` hands out what is still held (clock trusted by then) or counts and logs it as discarded.
 */
import type { Logger } from '../../builder/ports.js';
import { MIN_SAMPLE_TS_MS, type Sample } from '../../builder/types.js';

export interface ClockGuardOptions {
  /** Epoch ms of the build (`BUILD_DATE_MS`). */
  buildDateMs: number;
  /** Newest sample already stored for this device (epoch ms), if any. */
  newestStoredMs?: number;
  /** Optional: false while the system says the clock is not NTP-synchronized. */
  isSynchronized?: () => boolean;
  /** Most samples held while untrusted; the oldest are dropped beyond (default 10 000). */
  maxHeld?: number;
  log: Logger;
}

/** A reading's samples with their times; `tsMs` of each sample is ignored while held. */
interface Held {
  monoMs: number;
  samples: Array<{ seriesId: string; value: number }>;
}

export interface ClockGuardStatus {
  isTrusted: boolean;
  held: number;
  discarded: number;
  restamped: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export class ClockGuard {
  private floorMs: number;
  private held: Held[] = [];
  private heldCount = 0;
  private trusted?: boolean;
  private discarded = 0;
  private restamped = 0;

  constructor(private readonly options: ClockGuardOptions) {
    this.floorMs = Math.max(MIN_SAMPLE_TS_MS, options.buildDateMs, options.newestStoredMs ?? -Infinity);
  }

  status(): ClockGuardStatus {
    return { isTrusted: this.trusted ?? false, held: this.heldCount, discarded: this.discarded, restamped: this.restamped };
  }

  private isTrustedAt(wallMs: number): boolean {
    if (wallMs < this.floorMs) return false;
    return this.options.isSynchronized ? this.options.isSynchronized() : true;
  }

  /**
   * Samples read at (`wallMs`, `monoMs`), values keyed by series. Returns what may be stored now,
   * with epoch-ms stamps: held samples restamped (oldest first) and then this reading's, or nothing
   * while the clock is untrusted.
   */
  admit(wallMs: number, monoMs: number, values: Array<{ seriesId: string; value: number }>): Sample[] {
    const ok = this.isTrustedAt(wallMs);
    if (ok !== this.trusted) this.logChange(ok, wallMs);
    this.trusted = ok;
    if (!ok) {
      this.hold({ monoMs, samples: values });
      return [];
    }
    const out = this.release(wallMs, monoMs);
    for (const v of values) out.push({ seriesId: v.seriesId, tsMs: wallMs, value: v.value });
    if (values.length) this.floorMs = Math.max(this.floorMs, wallMs);
    return out;
  }

  /**
   * At shutdown: never drop held samples silently. When the clock is trusted at (`wallMs`, `monoMs`)
   * the held samples are returned restamped (store them); otherwise they are counted as discarded
   * and logged in one warning line with the count. Nothing is held afterwards.
   */
  drain(wallMs: number, monoMs: number): Sample[] {
    if (!this.held.length) return [];
    if (this.isTrustedAt(wallMs)) {
      if (this.trusted === false) this.logChange(true, wallMs);
      this.trusted = true;
      return this.release(wallMs, monoMs);
    }
    const count = this.heldCount;
    this.discarded += count;
    this.held = [];
    this.heldCount = 0;
    this.options.log.warn(`shutdown with the clock still untrusted: ${count} held samples discarded (no trustworthy time to stamp them with)`, { discarded: count, now: iso(wallMs) });
    return [];
  }

  private hold(h: Held): void {
    if (!h.samples.length) return;
    this.held.push(h);
    this.heldCount += h.samples.length;
    const max = this.options.maxHeld ?? 10_000;
    while (this.heldCount > max) {
      const dropped = this.held.shift()!;
      this.heldCount -= dropped.samples.length;
      this.discarded += dropped.samples.length;
      if (this.discarded === dropped.samples.length) this.options.log.warn('clock still untrusted: dropping the oldest held samples', { maxHeld: max });
    }
  }

  private release(wallMs: number, monoMs: number): Sample[] {
    if (!this.held.length) return [];
    const offsetMs = wallMs - monoMs;
    const out: Sample[] = [];
    let dropped = 0;
    for (const h of this.held) {
      const tsMs = Math.round(h.monoMs + offsetMs);
      if (tsMs <= this.floorMs || tsMs > wallMs) {
        dropped += h.samples.length;
        continue;
      }
      for (const s of h.samples) out.push({ seriesId: s.seriesId, tsMs, value: s.value });
    }
    this.restamped += out.length;
    this.discarded += dropped;
    this.options.log.info('clock trusted: held samples restamped from the monotonic clock', { restamped: out.length, discarded: dropped, offsetMs });
    if (dropped) this.options.log.warn('held samples discarded: restamped time not after the newest stored sample', { discarded: dropped, floor: iso(this.floorMs) });
    this.held = [];
    this.heldCount = 0;
    return out;
  }

  private logChange(ok: boolean, wallMs: number): void {
    if (ok) {
      if (this.trusted === false) this.options.log.info('system clock is trustworthy again', { now: iso(wallMs) });
      return;
    }
    const why = this.options.isSynchronized && wallMs >= this.floorMs ? 'not synchronized yet'
      : wallMs < MIN_SAMPLE_TS_MS ? `${iso(wallMs)} is before ${iso(MIN_SAMPLE_TS_MS)}, the earliest time a sample may carry (clock never set)`
        : `${iso(wallMs)} is before ${iso(this.floorMs)} (build date or newest stored sample; clock not set or jumped backwards)`;
    this.options.log.warn(`system clock untrusted: ${why}; holding samples until it is`, { now: iso(wallMs) });
  }
}
