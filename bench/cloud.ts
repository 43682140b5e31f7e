/**
 * Benchmark section "cloud builder": the builder Lambda handler against dynalite (DynamoDB) + s3rver
 * (S3) in-process, on generated data (4 series at 10 s intervals, one item per instant). For each
 * span: a full build of all 24 snapshots (first run, reads the whole span), then an incremental run
 * after one new minute (6 new items). Figures: handler duration, items read, RCU (dynalite reports
 * what DynamoDB would charge for the same reads).
 * Loading a whole year (3.15 M items) into dynalite takes too long here, so spans are shorter and the
 * year's full-build figures are EXTRAPOLATED linearly in items (labelled so); the incremental run does
 * not depend on the span (it reads only new items), which the measured spans show.
 *
 * `export cloudBenchSection()` for bench/run.ts; or run alone: `tsx bench/cloud.ts [days...]`.
 */
import { WINDOW_NAMES } from '../builder/constants.js';
import { S3ObjectStore } from '../aws/s3-object-store.js';
import type { Sample, SeriesInfo } from '../builder/types.js';
import { createBuilderHandler, type ScheduledResult } from '../cloud/builder-handler.js';
import { runBuild, type RunBuild } from '../builder/run-build.js';
import { DynamoDbSource } from '../aws/dynamodb-source.js';
import { startS3rver } from '../test/support/s3rver.js';
import { samplesToItems, startDynalite, writeCatalog, writeItems } from '../test/support/dynalite.js';

const DEV = 'bench-pi';
const STEP_MS = 10_000;
const DAY_MS = 86_400_000;
const YEAR_ITEMS = (365 * DAY_MS) / STEP_MS;
const SERIES: SeriesInfo[] = (['tempC', 'rhPct', 'pressurePa', 'illuminanceLux'] as const).map((metric) => ({
  deviceId: DEV, seriesId: `sim.${metric}`, sensorId: 'sim', metric, unit: '', kind: 'gauge',
}));

/** Deterministic plausible values: daily cycle plus a small hash-based wobble. */
function samplesAt(tsMs: number): Sample[] {
  const day = Math.sin((2 * Math.PI * (tsMs % DAY_MS)) / DAY_MS);
  const wobble = ((tsMs / STEP_MS) * 2654435761) % 1000 / 1000 - 0.5;
  const base = [21 + 3 * day, 45 - 10 * day, 101_325 + 200 * day, Math.max(0, 300 * day)];
  return SERIES.map((s, i) => ({ seriesId: s.seriesId, tsMs, value: Math.round((base[i] + wobble) * 100) / 100 }));
}

export interface CloudBenchRow {
  spanDays: number;
  items: number;
  loadMs: number;
  full: { durationMs: number; itemsRead: number; consumedRcu: number };
  incremental: { durationMs: number; itemsRead: number; consumedRcu: number };
  extrapolated: boolean;
}

async function measureSpan(spanDays: number, build: RunBuild): Promise<CloudBenchRow> {
  const [db, s3] = await Promise.all([startDynalite(), startS3rver()]);
  try {
    const endMs = Date.UTC(2026, 0, 1);
    let nowMs = endMs;
    const clock = { nowMs: () => nowMs };
    await writeCatalog(db.client, db.table, DEV, SERIES);
    const loadStart = performance.now();
    const chunk = 5_000;
    let items = 0;
    for (let t = endMs - spanDays * DAY_MS; t < endMs; t += chunk * STEP_MS) {
      const samples: Sample[] = [];
      for (let u = t; u < Math.min(endMs, t + chunk * STEP_MS); u += STEP_MS) samples.push(...samplesAt(u));
      const batch = samplesToItems(DEV, samples);
      items += batch.length;
      await writeItems(db.client, db.table, batch);
    }
    const loadMs = performance.now() - loadStart;
    const handler = createBuilderHandler({
      bucket: new S3ObjectStore(s3.client, s3.bucket),
      sourceFor: () => new DynamoDbSource(db.client, db.table, clock),
      build, clock, log: { error() {}, warn() {}, info() {}, debug() {} }, discoverDevices: async () => [DEV], emit: () => {},
    });
    const run = async () => {
      const t0 = performance.now();
      const r = ((await handler({ windows: [...WINDOW_NAMES] })) as ScheduledResult).reports[0];
      if (r.error) throw new Error(r.error);
      return { durationMs: Math.round(performance.now() - t0), itemsRead: r.itemsRead, consumedRcu: Math.round(r.consumedRcu * 10) / 10 };
    };
    const full = await run();
    const minute: Sample[] = [];
    for (let u = endMs; u < endMs + 60_000; u += STEP_MS) minute.push(...samplesAt(u));
    await writeItems(db.client, db.table, samplesToItems(DEV, minute));
    nowMs = endMs + 60_000;
    const incremental = await run();
    return { spanDays, items, loadMs: Math.round(loadMs), full, incremental, extrapolated: false };
  } finally {
    await Promise.all([db.close(), s3.close()]);
  }
}

/**
 * Year figures from the largest measured span: items and RCU of the full build scale linearly in items;
 * its duration = the span-independent part (publishing 24 snapshots, about the incremental run's
 * duration) + the reading part (full − incremental) scaled in items.
 */
function extrapolateYear(row: CloudBenchRow): CloudBenchRow {
  const f = YEAR_ITEMS / row.items;
  const readMs = Math.max(0, row.full.durationMs - row.incremental.durationMs);
  return {
    spanDays: 365, items: YEAR_ITEMS, loadMs: Math.round(row.loadMs * f), extrapolated: true,
    full: { durationMs: Math.round(row.incremental.durationMs + readMs * f), itemsRead: Math.round(row.full.itemsRead * f), consumedRcu: Math.round(row.full.consumedRcu * f) },
    incremental: row.incremental,
  };
}

/** Run the section; `spans` in days. Returns rows (the last one extrapolated to a year) and a printable table. */
export async function cloudBenchSection(spans: number[] = [1, 7], build: RunBuild = runBuild): Promise<{ title: string; rows: CloudBenchRow[]; table: string; builder: string }> {
  const rows: CloudBenchRow[] = [];
  for (const d of spans) rows.push(await measureSpan(d, build));
  rows.push(extrapolateYear(rows[rows.length - 1]));
  const builder = build === runBuild ? 'builder core' : 'an injected build';
  const lines = [
    `cloud builder: Lambda handler, dynalite + s3rver, 4 series @ 10 s, all 24 snapshots; ${builder}`,
    'span      items      full ms  full items  full RCU   incr ms  incr items  incr RCU  items ratio',
    ...rows.map((r) =>
      [
        `${r.spanDays} d${r.extrapolated ? '*' : ''}`.padEnd(8), String(r.items).padStart(9), String(r.full.durationMs).padStart(10), String(r.full.itemsRead).padStart(11),
        String(r.full.consumedRcu).padStart(9), String(r.incremental.durationMs).padStart(9), String(r.incremental.itemsRead).padStart(11),
        String(r.incremental.consumedRcu).padStart(9), `${Math.round(r.full.itemsRead / r.incremental.itemsRead)}x`.padStart(12),
      ].join(' '),
    ),
    '* extrapolated from the largest measured span: full items/RCU linear in items, full ms = publish part + read part × items; incremental as measured.',
  ];
  return { title: 'cloud builder', rows, table: lines.join('\n'), builder };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const spans = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const out = await cloudBenchSection(spans.length ? spans : undefined);
  console.log(out.table);
}

/** A figure in the shape of `bench/section.ts` (`Figure`) on the main branch. */
export interface CloudFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

/**
 * The section for `bench/sections/index.ts` (shape `BenchSection`: `{ name, run(ctx) → Figure[] }`).
 * Spans 1 d and 7 d (with `--year`: 1 d, 7 d and 30 d); the year's full build is extrapolated (noted).
 */
export const CLOUD_BENCH_SECTION = {
  name: 'cloud/lambda',
  async run(ctx: { flags: { year: boolean }; log(message: string): void }): Promise<CloudFigure[]> {
    ctx.log('cloud/lambda: loading dynalite and running the handler');
    const { rows, builder } = await cloudBenchSection(ctx.flags.year ? [1, 7, 30] : [1, 7]);
    return rows.flatMap((r) => {
      const span = `${r.spanDays}d`;
      const note = r.extrapolated ? `extrapolated from ${rows[rows.length - 2].spanDays} d; ${builder}` : builder;
      return [
        { name: `full build ${span}: handler time`, value: r.full.durationMs, unit: 'ms', note },
        { name: `full build ${span}: items read`, value: r.full.itemsRead, unit: 'items', note },
        { name: `full build ${span}: read capacity`, value: r.full.consumedRcu, unit: 'RCU', note },
        { name: `incremental (1 new min) on ${span}: handler time`, value: r.incremental.durationMs, unit: 'ms', note },
        { name: `incremental (1 new min) on ${span}: items read`, value: r.incremental.itemsRead, unit: 'items', note },
        { name: `incremental (1 new min) on ${span}: read capacity`, value: r.incremental.consumedRcu, unit: 'RCU', note },
        { name: `items read full / incremental, ${span}`, value: Math.round(r.full.itemsRead / r.incremental.itemsRead), unit: 'x', note },
      ];
    });
  },
};
