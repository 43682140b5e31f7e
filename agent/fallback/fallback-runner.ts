/**
 * Adapter around the fallback policy (`fallback.ts`): reads the cloud's meta of each window (one
 * granularity, the 20-point meta of `latest_{w}.snapshots` under `snapshots/{deviceId}/`), asks the
 * policy, and for the windows it names runs the builder on the Pi's own samples (SQLite) with builder
 * `pi`, writing window objects (payloads and the fallback's own rollup state) under
 * `fallbackPrefix(deviceId)` through a store fenced to `fallback/` (it can never write canonical keys). The source is passed on with `release` made
 * a no-op: the Pi's edge builder owns the SQLite journal, and a fallback build must not trim changes the
 * edge builder still needs (the fallback's own cursors may then expire: it rebuilds in full, rarely).
 * The daemon calls `check(windows)` at each window's cloud cadence (`fallbackCheckGroups` in fallback.ts); `sensorctl rebuild --fallback` calls
 * `pushNow()`. Policy state lives in memory (a restart starts counting again).
 */
import { CLOUD_SCHEDULED_WINDOWS, devicePrefix, fallbackPrefix, WINDOW_NAMES, type Window } from '../../builder/constants.js';
import type { Clock, Logger, ObjectStore, SampleSource } from '../../builder/ports.js';
import { WriteFencedObjectStore } from '../../builder/prefixed-object-store.js';
import type { BuildReport, RunBuild } from '../../builder/run-build.js';
import { readWindowMetas } from '../../builder/publish.js';
import { decideFallback, DEFAULT_FALLBACK_OPTIONS, initialFallbackState, type FallbackDecision, type FallbackOptions, type FallbackState, type MetaObservation } from './fallback.js';

/** Granularity whose meta stands for its window in checks. */
export const CHECKED_GRANULARITY = 20;
/** Only keys under this prefix may be written by the Pi. */
export const FALLBACK_ROOT = 'fallback/';

export interface FallbackRunnerDeps {
  deviceId: string;
  /** The snapshot bucket (S3ObjectStore over the whole bucket). Only read through for meta; writes are fenced. */
  bucket: ObjectStore;
  /** The Pi's samples (the SQLite buffer). */
  source: SampleSource;
  /** `runBuild` (builder/run-build.ts); tests pass a fake of its type. */
  build: RunBuild;
  clock: Clock;
  log: Logger;
  options?: Partial<FallbackOptions>;
}

export interface FallbackCheckReport {
  decision: FallbackDecision;
  pushed?: BuildReport;
}

/** The store the Pi pushes through: the bucket, refusing every write outside `fallback/` before any request. */
export function fallbackStore(bucket: ObjectStore): ObjectStore {
  return new WriteFencedObjectStore(bucket, FALLBACK_ROOT);
}

export class FallbackRunner {
  private policyState: FallbackState = initialFallbackState();
  private readonly options: FallbackOptions;
  readonly store: ObjectStore;

  constructor(private readonly deps: FallbackRunnerDeps) {
    this.options = { ...DEFAULT_FALLBACK_OPTIONS, ...deps.options };
    this.store = fallbackStore(deps.bucket);
  }

  private async observe(w: Window): Promise<MetaObservation> {
    try {
      const meta = (await readWindowMetas(this.deps.bucket, devicePrefix(this.deps.deviceId), w))?.get(CHECKED_GRANULARITY);
      return meta ? { kind: 'meta', meta } : { kind: 'absent' };
    } catch (err) {
      return { kind: 'unreadable', error: (err as Error).message };
    }
  }

  private push(windows: readonly Window[]): Promise<BuildReport> {
    const { deviceId, source, clock, log } = this.deps;
    const keepJournal: SampleSource = {
      listSeries: (d) => source.listSeries(d),
      readRange: (d, from, to) => source.readRange(d, from, to),
      readSince: (d, cursor, limit) => source.readSince(d, cursor, limit),
      release: async () => {},
    };
    return this.deps.build(
      { source: keepJournal, store: this.store, clock, log, deviceId, builder: 'pi', prefix: fallbackPrefix(deviceId) },
      { windows },
    );
  }

  /**
   * One scheduled check of `windows` (default: every window the cloud builds on a schedule): read
   * their cloud metas (the window objects' headers only, `readWindowMetas`), decide, push what the
   * policy says. The daemon checks each window at its cloud cadence (`fallbackCheckGroups`): the
   * metas change only when the cloud builds. Never throws for cloud trouble.
   */
  async check(windows: readonly Window[] = CLOUD_SCHEDULED_WINDOWS): Promise<FallbackCheckReport> {
    const observed: Partial<Record<Window, MetaObservation>> = {};
    // On-read windows (`CLOUD_ON_READ_WINDOWS`) have no cloud meta: not read, not pushed.
    for (const w of windows) observed[w] = await this.observe(w);
    const decision = decideFallback(this.policyState, observed, this.deps.clock.nowMs(), this.options);
    this.policyState = decision.state;
    if (decision.stopped.length) this.deps.log.info('cloud builds fresh again; fallback push stopped', { windows: decision.stopped.join(',') });
    if (decision.push.length === 0) return { decision };
    this.deps.log.warn('cloud builds stale or late; pushing fallback snapshots', { windows: decision.push.join(','), verdicts: JSON.stringify(decision.verdicts) });
    return { decision, pushed: await this.push(decision.push) };
  }

  /** `sensorctl rebuild --fallback`: push every window now, whatever the cloud says. */
  pushNow(windows: readonly Window[] = WINDOW_NAMES): Promise<BuildReport> {
    return this.push(windows);
  }
}
