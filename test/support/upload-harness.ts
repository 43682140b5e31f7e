/**
 * Wiring for upload tests: a SQLite buffer in a temp file with the upload queue enabled, dynalite
 * with the table created, optionally a fault proxy in front, and an `Uploader` with short backoffs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../builder/ports.js';
import type { Sample, SeriesInfo } from '../../builder/types.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { openDatabase, type Db } from '../../sqlite/sqlite-db.js';
import { SqliteUploadQueue } from '../../sqlite/sqlite-upload-queue.js';
import { Uploader, type UploaderOptions } from '../../agent/upload/uploader.js';
import { nodeMonotonicScheduler } from '../../platform/node-monotonic-scheduler.js';
import { createTable, DynamoDbSink } from '../../aws/dynamodb-sink.js';
import { startDynalite, type DynaliteHandle } from './dynalite.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

/** A logger that keeps lines for assertions. */
export function memoryLogger(): Logger & { lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

export const FAST_RETRY: Partial<UploaderOptions> = { minBackoffMs: 1, maxBackoffMs: 20, attempts: 8, leaseMs: 60_000 };

export interface Harness {
  dir: string;
  dbPath: string;
  /** The connection `buffer` and `queue` share (raw SQL checks in tests); `buffer.close()` closes it. */
  db: Db;
  buffer: SqliteBuffer;
  queue: SqliteUploadQueue;
  dynalite: DynaliteHandle;
  proxy: FaultProxy;
  table: string;
  log: ReturnType<typeof memoryLogger>;
  uploader(options?: Partial<UploaderOptions>, nowMs?: () => number): Uploader;
  close(): Promise<void>;
}

let tableSeq = 0;

/** Start everything; `series`/`samples` are inserted with the queue enabled. */
export async function startHarness(series: SeriesInfo[], samples: Sample[] = [], dynalite?: DynaliteHandle): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'sensorctl-upload-'));
  const dbPath = join(dir, 'sensorctl.db');
  const db = openDatabase(dbPath);
  const buffer = SqliteBuffer.openOn(db);
  const queue = SqliteUploadQueue.open(db);
  queue.setEnabled(true);
  buffer.defineSeries(series);
  if (samples.length) buffer.insert(series[0].deviceId, samples);
  const ownDynalite = !dynalite;
  const dyn = dynalite ?? (await startDynalite());
  const proxy = await startFaultProxy(dyn.endpoint);
  const table = `samples-${process.pid}-${++tableSeq}`;
  await createTable(dyn.client, table);
  const log = memoryLogger();
  const client = dyn.uploadClient(proxy.endpoint);
  return {
    dir,
    dbPath,
    db,
    buffer,
    queue,
    dynalite: dyn,
    proxy,
    table,
    log,
    uploader: (options = {}, nowMs = () => Date.now()) => new Uploader(queue, new DynamoDbSink(client, table), { nowMs }, nodeMonotonicScheduler, log, { ...FAST_RETRY, ...options }),
    close: async () => {
      client.destroy();
      buffer.close();
      await proxy.stop();
      if (ownDynalite) await dyn.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
