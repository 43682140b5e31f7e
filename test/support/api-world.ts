/**
 * A complete API under test: a versioned memory store holding real-valued snapshots, a device
 * directory, a controllable fresh builder, in-process jobs, a fixed clock and a manual scheduler.
 *
 * Snapshots (device `pi-test`, as of 2019-09-30T16:00:00Z, one sample a minute for two days, with
 * no samples from 11:00 to 12:00): 1h and 1d canonical at every granularity (1h/500 is raw);
 * 10h/100 canonical stale + newer fallback; 10d/100 canonical stale + older fallback; 1d/100 has an
 * older version; 3m and 12m never built.
 */
import { createApi } from '../../api/create-api.js';
import { cachedSnapshotStore } from '../../api/cached-snapshot-store.js';
import { MemoryRefreshJobs } from '../../api/memory-refresh-jobs.js';
import type { ApiOptions, BuildRequest, FreshBuilder } from '../../api/ports.js';
import { GRANULARITIES, type Window } from '../../builder/constants.js';
import type { Payload } from '../../builder/types.js';
import { MemoryObjectStore } from './memory-object-store.js';
import { ManualScheduler } from './manual-scheduler.js';
import { buildPayload, putSnapshot, sampleSeries, type FixtureSeries } from './snapshot-fixtures.js';

export const DEVICE = 'pi-test';
export const OTHER_DEVICE = 'pi-shed';
export const TO_MS = Date.UTC(2019, 8, 30, 16, 0, 0);
export const GAP = { fromMs: Date.UTC(2019, 8, 30, 11, 0, 0), toMs: Date.UTC(2019, 8, 30, 12, 0, 0) };
export const HOUR_MS = 3_600_000;

/** A fresh builder that computes from the fixture samples; can be held (`hold`) or made to fail. */
export class TestFreshBuilder implements FreshBuilder {
  calls: BuildRequest[] = [];
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  failWith: string | undefined;

  constructor(private readonly series: FixtureSeries[], private readonly nowMs: () => number) {}

  /** Builds wait until `release()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async build(request: BuildRequest, onProgress?: (fraction: number) => void): Promise<Payload> {
    this.calls.push(request);
    onProgress?.(0.5);
    if (this.gate) await this.gate;
    if (this.failWith) throw new Error(this.failWith);
    const nowMs = this.nowMs();
    return buildPayload({ ...request, toMs: nowMs, generatedAtMs: nowMs, series: this.series });
  }
}

export interface World {
  store: MemoryObjectStore;
  series: FixtureSeries[];
  clock: { nowMs(): number; setMs(ms: number): void };
  scheduler: ManualScheduler;
  builder: TestFreshBuilder;
  jobs: MemoryRefreshJobs;
  api: (req: Request) => Promise<Response>;
  /** Payloads as stored, by `${source}:${window}:${granularity}`. */
  stored: Map<string, Payload>;
  oldVersionId: string;
}

async function putAll(w: World): Promise<void> {
  const make = (window: Window, granularity: (typeof GRANULARITIES)[number], ageMs = 0) =>
    buildPayload({ device: DEVICE, window, granularity, toMs: TO_MS - ageMs, generatedAtMs: TO_MS - ageMs + 2000, series: w.series });
  const old = make('1d', 100, 10 * 60_000);
  w.oldVersionId = (await putSnapshot(w.store, old)).versionId!;
  w.stored.set('old:1d:100', old);
  for (const window of ['1h', '1d'] as const) {
    for (const g of GRANULARITIES) {
      const payload = make(window, g);
      await putSnapshot(w.store, payload);
      w.stored.set(`canonical:${window}:${g}`, payload);
    }
  }
  const staleMeta = { stale: true, consecutiveFailures: 3, lastError: 'DynamoDB throttled' };
  await putSnapshot(w.store, make('10h', 100, 2 * HOUR_MS), { meta: staleMeta });
  const fallback10h = make('10h', 100, HOUR_MS);
  await putSnapshot(w.store, fallback10h, { isFallback: true });
  w.stored.set('fallback:10h:100', fallback10h);
  const canonical10d = make('10d', 100, HOUR_MS);
  await putSnapshot(w.store, canonical10d, { meta: staleMeta });
  await putSnapshot(w.store, make('10d', 100, 3 * HOUR_MS), { isFallback: true });
  w.stored.set('canonical:10d:100', canonical10d);
}

/** Build the world; `options` go to `createApi`; `readCache`: the API reads through `cachedSnapshotStore` (1 s, on the world's clock), as the Pi and cloud wire it. */
export async function makeWorld(options: ApiOptions = {}, o: { readCache?: boolean } = {}): Promise<World> {
  let nowMs = TO_MS + 5000;
  const clock = { nowMs: () => nowMs, setMs: (ms: number) => void (nowMs = ms) };
  const series = sampleSeries(DEVICE, TO_MS - 2 * 86_400_000, TO_MS, 60_000).map((s) => ({
    ...s,
    samples: s.samples.filter((x) => x.tsMs < GAP.fromMs || x.tsMs >= GAP.toMs),
  }));
  const scheduler = new ManualScheduler();
  const builder = new TestFreshBuilder(series, clock.nowMs);
  const jobs = new MemoryRefreshJobs({ builder, clock });
  const store = new MemoryObjectStore({ versioned: true });
  const devices = { list: async () => [DEVICE, OTHER_DEVICE], defaultId: async () => DEVICE, withSamples: async () => [DEVICE] };
  const api = createApi({ store: o.readCache ? cachedSnapshotStore(store, clock) : store, devices, fresh: builder, jobs, clock, scheduler, options: { corsOrigins: ['https://dash.example'], ...options } });
  const world: World = { store, series, clock, scheduler, builder, jobs, api, stored: new Map(), oldVersionId: '' };
  await putAll(world);
  return world;
}
