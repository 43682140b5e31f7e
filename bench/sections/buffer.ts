/**
 * Buffer and importer figures: import rate and bytes per sample on the primary dataset
 * (bme280-livingroom) and on a generated year of 4 series at 10 s (12.6 M samples, `--year`), and the
 * baseline the builder is compared with: the 24 snapshots' buckets (count/sum/min/max per series and
 * bucket) computed by plain SQLite `GROUP BY` over the raw table.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { openDatabase, type Db } from '../../sqlite/sqlite-db.js';
import { listInputFiles } from '../../agent/import/input-files.js';
import { runImport } from '../../agent/import/run-import.js';
import { allSnapshots, bucketMsOf, WINDOW_NAMES } from '../../builder/constants.js';
import { METRICS } from '../../builder/metrics.js';
import type { Sample } from '../../builder/types.js';
import { timed, type BenchContext, type BenchSection, type Figure } from '../section.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const PRIMARY = resolve(ROOT, '../shared/datasets/bme280-livingroom');
const FIXTURE = join(ROOT, 'test/fixtures/bme280-livingroom');
/** The instant the primary dataset's snapshots are computed "as of" (the issue's `rebuild --at`). */
export const PRIMARY_AT_MS = Date.parse('2019-09-30T16:00:00Z');
const YEAR_SERIES = ['tempC', 'rhPct', 'pressurePa', 'illuminanceLux'] as const;
const YEAR_STEP_MS = 10_000;
const YEAR_END_MS = Date.parse('2025-01-01T00:00:00Z');

/** Drop the builder journal (as a builder that caught up would) and fold the WAL in, then measure. */
async function settledBytesPerSample(b: SqliteBuffer, deviceId: string): Promise<{ bytes: number; samples: number }> {
  const { cursor, chunks } = await b.readRange(deviceId, 0, -1);
  for await (const _ of chunks);
  await b.release(deviceId, cursor);
  b.checkpoint();
  const samples = b.stats(deviceId).reduce((a, s) => a + s.count, 0);
  const { pageSizeBytes, pageCount, freePages } = b.pageStats();
  return { bytes: (pageCount - freePages) * pageSizeBytes, samples };
}

/**
 * The 24 snapshots' buckets by GROUP BY, as of `atMs`; returns per-window ms and total rows out.
 * Buckets as the builder makes them: width `bucketMsOf(w, g)`, aligned to epoch multiples, the last
 * one containing `atMs`. SQLite walks the primary key per series but sorts for the GROUP BY (it cannot
 * know `ts_ms / w` is monotonic): "USE TEMP B-TREE FOR GROUP BY" in the query plan. Later sections
 * read `groupby/primary.totalMs` / `groupby/year.totalMs` from `ctx.shared` to print ratios.
 */
function groupByBaseline(db: Db, deviceId: string, atMs: number): { perWindowMs: Record<string, number>; totalMs: number; buckets: number } {
  const pks = (db.prepare('SELECT series_pk FROM series WHERE device_id = ?').pluck().all(deviceId) as number[]).join(',');
  const perWindowMs: Record<string, number> = {};
  let buckets = 0;
  let totalMs = 0;
  for (const { window, granularity } of allSnapshots()) {
    const w = bucketMsOf(window, granularity);
    const lastStart = Math.floor(atMs / w) * w;
    const from = lastStart - (granularity - 1) * w;
    const sql = `SELECT series_pk, ts_ms / ${w} AS bucket, count(*), sum(value), min(value), max(value)
      FROM samples WHERE series_pk IN (${pks}) AND ts_ms >= ? AND ts_ms <= ? GROUP BY series_pk, bucket`;
    const t0 = performance.now();
    buckets += db.prepare(sql).raw().all(from, atMs).length;
    const ms = performance.now() - t0;
    perWindowMs[window] = (perWindowMs[window] ?? 0) + ms;
    totalMs += ms;
  }
  return { perWindowMs, totalMs, buckets };
}

function groupByFigures(r: ReturnType<typeof groupByBaseline>): Figure[] {
  return [
    { name: 'all 24 snapshots', value: r.totalMs, unit: 'ms', note: `${r.buckets} non-empty buckets` },
    ...WINDOW_NAMES.map((w) => ({ name: `${w} (4 granularities)`, value: r.perWindowMs[w], unit: 'ms' })),
  ];
}

const importPrimary: BenchSection = {
  name: 'import/primary',
  async run(ctx: BenchContext) {
    const source = existsSync(PRIMARY) ? PRIMARY : FIXTURE;
    const path = join(ctx.tmpDir, 'primary.db');
    const b = SqliteBuffer.open(path);
    const files = listInputFiles([source]);
    const opts = { seriesPrefix: '', columnMap: {}, units: {}, ranges: {} };
    const { ms, result } = await timed(() => runImport(files, { deviceId: 'livingroom', options: opts, sink: { define: (s) => b.defineSeries([s]), insert: (x) => b.insert('livingroom', x) } }));
    b.checkpoint();
    const withJournal = b.sizeBytes();
    const settled = await settledBytesPerSample(b, 'livingroom');
    b.close();
    ctx.shared.set('primary.dbPath', path);
    ctx.shared.set('primary.deviceId', 'livingroom');
    ctx.shared.set('primary.atMs', PRIMARY_AT_MS);
    const note = source === PRIMARY ? '../shared/datasets/bme280-livingroom' : 'fixture cut (../shared missing)';
    return [
      { name: 'rows read', value: result.rowsRead, unit: 'rows', note },
      { name: 'import rate', value: result.rowsRead / (ms / 1000), unit: 'rows/s', note: `${(ms / 1000).toFixed(2)} s incl. parsing, profiling, dedupe, journal` },
      { name: 'bytes per sample (samples table)', value: settled.bytes / settled.samples, unit: 'bytes/sample', note: `${settled.samples} samples, journal released, WAL checkpointed` },
      { name: 'bytes per sample (file, journal unreleased)', value: withJournal / result.stored, unit: 'bytes/sample', note: 'each new row is also in builder_journal until the builder releases it' },
    ];
  },
};

const groupByPrimary: BenchSection = {
  name: 'groupby/primary',
  needs: ['import/primary'],
  skip: (ctx) => (ctx.shared.has('primary.dbPath') ? undefined : 'needs import/primary'),
  async run(ctx) {
    const db = openDatabase(ctx.shared.get('primary.dbPath') as string);
    const b = SqliteBuffer.openOn(db);
    try {
      const r = groupByBaseline(db, 'livingroom', PRIMARY_AT_MS);
      ctx.shared.set('groupby/primary.totalMs', r.totalMs);
      return groupByFigures(r);
    } finally {
      b.close();
    }
  },
};

const yearGenerate: BenchSection = {
  name: 'generate/year',
  skip: (ctx) => (ctx.flags.year ? undefined : 'run with --year (or BENCH_YEAR=1): 12.6 M samples'),
  async run(ctx) {
    const path = join(ctx.tmpDir, 'year.db');
    const b = SqliteBuffer.open(path);
    b.defineSeries(YEAR_SERIES.map((m) => ({ deviceId: 'year', seriesId: m, sensorId: 'gen', metric: m, unit: METRICS[m].unit, kind: METRICS[m].kind })));
    const start = YEAR_END_MS - 365 * 86_400_000;
    const BATCH = 200_000;
    const { ms, result: n } = await timed(() => {
      let stored = 0;
      let batch: Sample[] = [];
      for (let t = start; t < YEAR_END_MS; t += YEAR_STEP_MS) {
        const day = Math.sin((2 * Math.PI * t) / 86_400_000);
        batch.push({ seriesId: 'tempC', tsMs: t, value: 21 + 3 * day }, { seriesId: 'rhPct', tsMs: t, value: 50 - 10 * day },
          { seriesId: 'pressurePa', tsMs: t, value: 101_325 + 500 * day }, { seriesId: 'illuminanceLux', tsMs: t, value: Math.max(0, 800 * day) });
        if (batch.length >= BATCH) {
          stored += b.insert('year', batch).inserted;
          batch = [];
          if (stored % 2_000_000 < BATCH) ctx.log(`generate/year: ${(stored / 1e6).toFixed(1)} M samples`);
        }
      }
      return stored + b.insert('year', batch).inserted;
    });
    const settled = await settledBytesPerSample(b, 'year');
    b.close();
    ctx.shared.set('year.dbPath', path);
    ctx.shared.set('year.atMs', YEAR_END_MS - 1);
    return [
      { name: 'samples generated', value: n, unit: 'samples', note: '4 series × 10 s × 365 d' },
      { name: 'insert rate', value: n / (ms / 1000), unit: 'rows/s', note: `${(ms / 1000).toFixed(1)} s in ${BATCH}-row transactions via SqliteBuffer.insert` },
      { name: 'bytes per sample (samples table)', value: settled.bytes / settled.samples, unit: 'bytes/sample', note: `${(settled.bytes / 1e6).toFixed(0)} MB` },
    ];
  },
};

const groupByYear: BenchSection = {
  name: 'groupby/year',
  needs: ['generate/year'],
  skip: (ctx) => (ctx.shared.has('year.dbPath') ? undefined : 'needs generate/year (--year)'),
  async run(ctx) {
    const db = openDatabase(ctx.shared.get('year.dbPath') as string);
    const b = SqliteBuffer.openOn(db);
    try {
      const r = groupByBaseline(db, 'year', ctx.shared.get('year.atMs') as number);
      ctx.shared.set('groupby/year.totalMs', r.totalMs);
      return groupByFigures(r);
    } finally {
      b.close();
    }
  },
};

/** Import and GROUP BY baseline on the primary dataset. */
export const PRIMARY_BUFFER_SECTIONS: BenchSection[] = [importPrimary, groupByPrimary];
/** Generated year and its GROUP BY baseline (`--year`). */
export const YEAR_BUFFER_SECTIONS: BenchSection[] = [yearGenerate, groupByYear];
export const BUFFER_SECTIONS: BenchSection[] = [...PRIMARY_BUFFER_SECTIONS, ...YEAR_BUFFER_SECTIONS];
