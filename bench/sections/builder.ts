/**
 * Builder figures (issue 2 §7): wall time and samples read of `runBuild` over the SQLite buffer and a
 * directory store (`piBuildDeps` of pi/pi-build-deps.ts, snapshots and state without fsync), for all 24 snapshots:
 * 1. `--at` build (as of the dataset's instant, from one range read, state untouched);
 * 2. scheduled full rebuild (`full: true`, state saved, journal released);
 * 3. incremental build after one new minute of samples (each series at 10 s) was inserted (3 times,
 *    median reported);
 * 4. the daemon's ticks: one window per run after 30 s of samples, CPU and what the directory store
 *    wrote per run, and per day with each window on its cadence.
 * Beside 1 and 2, the GROUP BY baseline of the same 24 snapshots from `groupby/*` as a ratio
 * (builder / GROUP BY). The baseline only computes the buckets; the builder also renders, gzips,
 * validates and writes 24 payloads + 24 meta (+ 6 state objects).
 * Leaves `primary.dataDir` (snapshots of the primary dataset) in `ctx.shared` for `api/loopback`.
 */
import { join } from 'node:path';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import type { Clock, Logger } from '../../builder/ports.js';
import { runBuild, type BuildDeps, type BuildOptions, type BuildReport } from '../../builder/run-build.js';
import { WINDOWS, WINDOW_NAMES, type Window } from '../../builder/constants.js';
import { FsObjectStore } from '../../platform/fs-object-store.js';
import type { Sample } from '../../builder/types.js';
import { piBuildDeps } from '../../pi/pi-build-deps.js';
import { timed, type BenchContext, type BenchSection, type Figure } from '../section.js';

const MINUTE_MS = 60_000;
const STEP_MS = 10_000;

/** Errors reach stderr; the rest of the builder's log is not benchmark output. */
const quietLog = (ctx: BenchContext): Logger => ({
  error: (m, f) => ctx.log(`builder error: ${m} ${JSON.stringify(f ?? {})}`),
  warn: (m, f) => ctx.log(`builder warn: ${m} ${JSON.stringify(f ?? {})}`),
  info: () => {},
  debug: () => {},
});

/** A wall clock shifted so that "now" starts at `startMs`; `advance` moves it forward (durations stay real). */
function shiftedClock(startMs: number): Clock & { advance(ms: number): void } {
  let offsetMs = startMs - Date.now();
  return { nowMs: () => Date.now() + offsetMs, advance: (ms) => void (offsetMs += ms) };
}

interface Target {
  label: 'primary' | 'year';
  dbPath: string;
  deviceId: string;
  atMs: number;
  groupByMs: number | undefined;
}

/** One run: wall time, CPU time of this process (user + system, steadier than wall time on a shared machine). */
async function build(run: () => Promise<BuildReport>, what: string): Promise<{ ms: number; cpuMs: number; report: BuildReport }> {
  const cpu0 = process.cpuUsage();
  const { ms, result: report } = await timed(run);
  const cpu = process.cpuUsage(cpu0);
  if (!report.ok) throw new Error(`${what}: ${report.failed} snapshot(s) failed: ${report.snapshots.find((s) => !s.ok)?.error}`);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, report };
}

const INCREMENTAL_RUNS = 3;

const modes = (r: BuildReport): string => [...new Set(r.windows.map((w) => w.mode ?? '?'))].join('/');
const rawRead = (r: BuildReport): number => r.windows.reduce((a, w) => a + w.rawSamplesRead, 0);

/** The three builds on one buffer; returns the figures. */
async function builderFigures(ctx: BenchContext, t: Target): Promise<Figure[]> {
  const buffer = SqliteBuffer.open(t.dbPath);
  const dataDir = join(ctx.tmpDir, `${t.label}-data`);
  const clock = shiftedClock(t.atMs);
  const deps = piBuildDeps({ source: buffer, snapshotDir: dataDir, deviceId: t.deviceId, log: quietLog(ctx), clock });
  const run = (o: BuildOptions) => () => runBuild(deps, o);
  try {
    const at = await build(run({ atMs: t.atMs }), 'at-build');
    const full = await build(run({ full: true }), 'full rebuild');
    // INCREMENTAL_RUNS times: one new minute after the last build instant (every series of the
    // device, one sample per 10 s), then an incremental build; the median run is reported.
    const series = await buffer.listSeries(t.deviceId);
    const incs: Array<Awaited<ReturnType<typeof build>> & { inserted: number }> = [];
    for (let i = 0; i < INCREMENTAL_RUNS; i++) {
      clock.advance(MINUTE_MS);
      const endMs = Math.floor(clock.nowMs() / STEP_MS) * STEP_MS;
      const minute: Sample[] = [];
      for (let ts = endMs - MINUTE_MS + STEP_MS; ts <= endMs; ts += STEP_MS) {
        for (const s of series) minute.push({ seriesId: s.seriesId, tsMs: ts, value: 20 + ((ts / STEP_MS) % 7) });
      }
      const inserted = buffer.insert(t.deviceId, minute).inserted;
      incs.push({ ...(await build(run({}), 'incremental build')), inserted });
    }
    const ticks = await windowTicks(deps, buffer, t.deviceId, clock, series.map((s) => s.seriesId));
    const sorted = [...incs].sort((a, b) => a.ms - b.ms);
    const inc = sorted[Math.floor(sorted.length / 2)];
    const inserted = inc.inserted;
    ctx.shared.set(`${t.label}.dataDir`, dataDir);
    ctx.shared.set(`${t.label}.builtAtMs`, inc.report.atMs);
    ctx.shared.set(`${t.label}.ticks`, ticks); // footprint/daemon prints the tick figures beside its goals

    const vsGroupBy = (ms: number): Pick<Figure, 'baseline' | 'ratio'> =>
      t.groupByMs === undefined ? {} : { baseline: { name: 'SQLite GROUP BY, same 24 snapshots', value: t.groupByMs, unit: 'ms' }, ratio: ms / t.groupByMs };
    const iso = new Date(t.atMs).toISOString();
    return [
      { name: `rebuild --at ${iso} (24 snapshots)`, value: at.ms, unit: 'ms', ...vsGroupBy(at.ms), note: `CPU ${at.cpuMs.toFixed(0)} ms; ${modes(at.report)}; shared range read ${at.report.fullReadMs.toFixed(0)} ms` },
      { name: 'rebuild --at: samples read', value: at.report.samplesRead, unit: 'samples', note: `of which ${rawRead(at.report)} for raw 500 variants` },
      { name: 'full rebuild (full: true, state saved)', value: full.ms, unit: 'ms', ...vsGroupBy(full.ms), note: `CPU ${full.cpuMs.toFixed(0)} ms; ${modes(full.report)}; shared range read ${full.report.fullReadMs.toFixed(0)} ms` },
      { name: 'full rebuild: samples read', value: full.report.samplesRead, unit: 'samples', note: `of which ${rawRead(full.report)} for raw 500 variants` },
      { name: `incremental after 1 new minute (${inserted} samples)`, value: inc.ms, unit: 'ms', ...(full.ms > 0 ? { baseline: { name: 'full rebuild', value: full.ms, unit: 'ms' }, ratio: inc.ms / full.ms } : {}), note: `median of ${incs.length} (${sorted.map((x) => x.ms.toFixed(0)).join('/')} ms); CPU ${inc.cpuMs.toFixed(0)} ms; ${series.length} series × 6 at 10 s; ${modes(inc.report)}` },
      { name: 'incremental: samples read', value: inc.report.samplesRead, unit: 'samples', note: `change reads of 6 windows + ${rawRead(inc.report)} for raw 500 variants` },
      ...tickFigures(ticks),
    ];
  } finally {
    buffer.close();
  }
}

const TICK_RUNS = 5;
const TICK_NEW_MS = 30_000;

interface Tick {
  cpuMs: number;
  bytes: number;
  files: number;
  fsyncs: number;
}

/**
 * The daemon's pattern: one window per run, after 30 s of new samples, with the same deps (and so the
 * same in-memory state cache) every time. Per window, the median of `TICK_RUNS` runs: CPU, and what
 * the directory store wrote (its own counters: files, bytes, fsyncs).
 */
async function windowTicks(deps: BuildDeps, buffer: SqliteBuffer, deviceId: string, clock: ReturnType<typeof shiftedClock>, seriesIds: string[]): Promise<Map<Window, Tick>> {
  const store = deps.store instanceof FsObjectStore ? deps.store : undefined;
  const runs = new Map<Window, Tick[]>(WINDOW_NAMES.map((w) => [w, []]));
  for (let i = 0; i < TICK_RUNS; i++) {
    for (const w of WINDOW_NAMES) {
      clock.advance(TICK_NEW_MS);
      const endMs = Math.floor(clock.nowMs() / STEP_MS) * STEP_MS;
      const fresh: Sample[] = [];
      for (let ts = endMs - TICK_NEW_MS + STEP_MS; ts <= endMs; ts += STEP_MS) for (const id of seriesIds) fresh.push({ seriesId: id, tsMs: ts, value: 20 + ((ts / STEP_MS) % 7) });
      buffer.insert(deviceId, fresh);
      const before = { ...(store?.writes ?? { files: 0, bytes: 0, fsyncs: 0, unlinks: 0 }) };
      const r = await build(() => runBuild(deps, { windows: [w] }), `${w} tick`);
      const after = store?.writes ?? before;
      runs.get(w)!.push({ cpuMs: r.cpuMs, bytes: after.bytes - before.bytes, files: after.files - before.files, fsyncs: after.fsyncs - before.fsyncs });
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return new Map([...runs].map(([w, ts]) => [w, { cpuMs: median(ts.map((x) => x.cpuMs)), bytes: median(ts.map((x) => x.bytes)), files: median(ts.map((x) => x.files)), fsyncs: median(ts.map((x) => x.fsyncs)) }]));
}

function tickFigures(ticks: Map<Window, Tick>): Figure[] {
  const perDay = (f: (t: Tick) => number) => WINDOW_NAMES.reduce((a, w) => a + (f(ticks.get(w)!) * 86_400_000) / WINDOWS[w].rebuildEveryMs, 0);
  const all = WINDOW_NAMES.reduce((a, w) => a + ticks.get(w)!.cpuMs, 0);
  return [
    { name: 'tick: 1h window after 30 s of samples, CPU', value: ticks.get('1h')!.cpuMs, unit: 'ms', note: `goal ≤ 20 ms; median of ${TICK_RUNS}; per window: ${WINDOW_NAMES.map((w) => `${w} ${ticks.get(w)!.cpuMs.toFixed(0)}`).join(', ')} ms` },
    { name: 'tick: all six windows, one run each, CPU', value: all, unit: 'ms', note: 'goal ≤ 60 ms; sum of the per-window medians' },
    { name: 'tick: bytes the builder writes per day', value: perDay((t) => t.bytes) / 1e6, unit: 'MB/day', note: `each window on its cadence, counted at the directory store; per run: ${WINDOW_NAMES.map((w) => `${w} ${(ticks.get(w)!.bytes / 1000).toFixed(1)}`).join(', ')} kB` },
    { name: 'tick: files the builder writes per day', value: perDay((t) => t.files), unit: 'files/day', note: `fsyncs per day: ${perDay((t) => t.fsyncs).toFixed(0)} (snapshots and state are not fsynced)` },
  ];
}

export const builderPrimary: BenchSection = {
  name: 'builder/primary',
  needs: ['import/primary', 'groupby/primary'],
  skip: (ctx) => (ctx.shared.has('primary.dbPath') ? undefined : 'needs import/primary'),
  run: (ctx) =>
    builderFigures(ctx, {
      label: 'primary',
      dbPath: ctx.shared.get('primary.dbPath') as string,
      deviceId: ctx.shared.get('primary.deviceId') as string,
      atMs: ctx.shared.get('primary.atMs') as number,
      groupByMs: ctx.shared.get('groupby/primary.totalMs') as number | undefined,
    }),
};

export const builderYear: BenchSection = {
  name: 'builder/year',
  needs: ['generate/year', 'groupby/year'],
  skip: (ctx) => (ctx.shared.has('year.dbPath') ? undefined : 'needs generate/year (--year)'),
  run: (ctx) =>
    builderFigures(ctx, {
      label: 'year',
      dbPath: ctx.shared.get('year.dbPath') as string,
      deviceId: 'year',
      atMs: ctx.shared.get('year.atMs') as number,
      groupByMs: ctx.shared.get('groupby/year.totalMs') as number | undefined,
    }),
};


