/**
 * Upload benchmark (issue 4): backlog drain rate of one day of 4 series at 10 s intervals
 * (8,640 instants = 34,560 samples = 8,640 items) from a SQLite buffer into dynalite on loopback, and
 * DynamoDB requests per 1,000 samples; once clean and once with a fault proxy answering 10 % of the
 * batches with 24 of 25 items unprocessed. dynalite runs in the same process (it shares the CPU with
 * the uploader), so the rate is a floor for the uploader, not a DynamoDB figure.
 *
 * Run alone: `npx tsx bench/upload.ts`. The lead's `bench/run.ts` runs `UPLOAD_BENCH_SECTION`
 * (shape `{ name, run(ctx) → Figure[] }`).
 */
import { nodeMonotonicScheduler } from '../platform/node-monotonic-scheduler.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeriesInfo } from '../builder/types.js';
import { SqliteBuffer } from '../sqlite/sqlite-buffer.js';
import { openDatabase } from '../sqlite/sqlite-db.js';
import { SqliteUploadQueue } from '../sqlite/sqlite-upload-queue.js';
import { createTable, DynamoDbSink } from '../aws/dynamodb-sink.js';
import { Uploader } from '../agent/upload/uploader.js';
import { startDynalite } from '../test/support/dynalite.js';
import { startFaultProxy, type Fault } from '../test/support/fault-proxy.js';
import { silentLog } from '../builder/ports.js';
import { systemClock } from '../platform/system-clock.js';

export interface UploadFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const DEVICE = 'pi-bench';
const SERIES: SeriesInfo[] = [
  ['bme280-76.tempC', 'tempC', '°C'],
  ['bme280-76.rhPct', 'rhPct', '%RH'],
  ['bme280-76.pressurePa', 'pressurePa', 'Pa'],
  ['bh1750-23.illuminanceLux', 'illuminanceLux', 'lx'],
].map(([seriesId, metric, unit]) => ({ deviceId: DEVICE, seriesId, sensorId: seriesId.split('.')[0], metric, unit, kind: 'gauge' as const }));
const INTERVAL_MS = 10_000;
const INSTANTS = 86_400_000 / INTERVAL_MS;

/** One scenario: fill a fresh buffer, drain it completely, return the figures. */
async function drain(label: string, plan: (index: number, keys: number) => Fault): Promise<UploadFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-upload-'));
  const dyn = await startDynalite();
  const proxy = await startFaultProxy(dyn.endpoint, (c) => (c.operation === 'BatchWriteItem' ? plan(c.index, c.keys.length) : { kind: 'pass' }));
  const client = dyn.uploadClient(proxy.endpoint);
  const db = openDatabase(join(dir, 'bench.db'));
  const buffer = SqliteBuffer.openOn(db);
  try {
    await createTable(client, 'bench-samples');
    const queue = SqliteUploadQueue.open(db);
    queue.setEnabled(true);
    buffer.defineSeries(SERIES);
    const t0 = Date.UTC(2026, 0, 1);
    const samples = Array.from({ length: INSTANTS }, (_, i) =>
      SERIES.map((s, k) => ({ seriesId: s.seriesId, tsMs: t0 + i * INTERVAL_MS, value: Math.round((20 + k * 10 + Math.sin(i / 500 + k)) * 100) / 100 })),
    ).flat();
    buffer.insert(DEVICE, samples);
    const uploader = new Uploader(queue, new DynamoDbSink(client, 'bench-samples'), systemClock, nodeMonotonicScheduler, silentLog, {
      chunkItems: 1_000_000,
      minBackoffMs: 10,
      maxBackoffMs: 200,
    });
    const start = performance.now();
    const r = await uploader.runOnce();
    const seconds = (performance.now() - start) / 1000;
    if (r.remaining.items !== 0 || r.written !== INSTANTS) throw new Error(`${label}: drained ${r.written} of ${INSTANTS} items (${r.stoppedBy})`);
    return [
      { name: `${label}: drain rate`, value: INSTANTS / seconds, unit: 'items/s', note: `${INSTANTS} items, ${samples.length} samples, 25/batch, 4 in flight` },
      { name: `${label}: drain rate`, value: samples.length / seconds, unit: 'samples/s' },
      { name: `${label}: requests per 1,000 samples`, value: (r.requests * 1000) / samples.length, unit: 'requests', note: `${r.requests} BatchWriteItem (${r.retried} retries)` },
      { name: `${label}: write units per sample`, value: INSTANTS / samples.length, unit: 'WRU', note: '1 WRU per item (< 1 KB), 4 samples per item' },
    ];
  } finally {
    client.destroy();
    buffer.close();
    await proxy.stop();
    await dyn.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both scenarios' figures. */
export async function runUploadBench(): Promise<UploadFigure[]> {
  const clean = await drain('upload/clean', () => ({ kind: 'pass' }));
  const faulty = await drain('upload/10% of batches 24/25 unprocessed', (index, keys) => (index % 10 === 5 && keys === 25 ? { kind: 'unprocessed', keep: 1 } : { kind: 'pass' }));
  return [...clean, ...faulty];
}

/** The section for `bench/run.ts`. */
export const UPLOAD_BENCH_SECTION = { name: 'upload/dynalite', run: async () => runUploadBench() };

if (process.argv[1] && /bench\/upload\.ts$/.test(process.argv[1])) {
  for (const f of await runUploadBench()) console.log(`${f.name.padEnd(48)} ${f.value.toFixed(2).padStart(10)} ${f.unit.padEnd(9)} ${f.note ?? ''}`);
}
