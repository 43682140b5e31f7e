/**
 * SQLite adapter of the upload queue (`UploadQueue` + the uploader's counters), living in the
 * buffer's database file beside `samples`/`series` (component `upload` in `schema_versions`).
 *
 * Layout:
 * - `upload_pending(device_id, ts_ms, version, lease_id, lease_until_ms)`, key (device_id, ts_ms):
 *   one row per DynamoDB item not yet confirmed. The trigger `samples_to_upload` adds the row (or bumps
 *   `version` when another series lands at the same instant) on every sample insert — only while the
 *   queue is enabled (an uplink is configured). Leases (`lease_id` until `lease_until_ms`) keep two
 *   processes from sending one item at once; an expired lease frees the item (crash recovery).
 * - `upload_rejected(...)`: items that can never be written, with the reason and the item as JSON.
 * - `upload_state(key, value)`: `enabled`, counters and markers.
 *
 * Every write is one `writeTransaction` (BEGIN IMMEDIATE, whole-transaction retry on busy), so the
 * daemon and `sensorctl push` can share the file.
 */
import { randomUUID } from 'node:crypto';
import type { SeriesInfo } from '../builder/types.js';
import type { SeriesKind } from '../builder/constants.js';
import type { Backlog, UploadItem } from '../agent/buffer/ports.js';
import type { CounterName, UploadCounters, UploadLedger } from '../agent/upload/ports.js';
import { migrate, writeTransaction, type Db } from './sqlite-db.js';
import type { RetentionGuard } from './sqlite-buffer.js';

/** Migrations of component `upload`. Requires the buffer's tables (`samples`, `series`). */
export const UPLOAD_MIGRATIONS: readonly string[] = [
  `CREATE TABLE upload_pending (
     device_id TEXT NOT NULL,
     ts_ms INTEGER NOT NULL,
     version INTEGER NOT NULL DEFAULT 1,
     lease_id TEXT,
     lease_until_ms INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (device_id, ts_ms)
   ) WITHOUT ROWID;
   CREATE INDEX upload_pending_by_ts ON upload_pending (ts_ms);
   CREATE TABLE upload_rejected (
     id INTEGER PRIMARY KEY,
     device_id TEXT NOT NULL,
     ts_ms INTEGER NOT NULL,
     version INTEGER NOT NULL,
     reason TEXT NOT NULL,
     item_json TEXT NOT NULL,
     rejected_at_ms INTEGER NOT NULL
   );
   CREATE TABLE upload_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TRIGGER samples_to_upload AFTER INSERT ON samples
   WHEN EXISTS (SELECT 1 FROM upload_state WHERE key = 'enabled' AND value = '1')
   BEGIN
     INSERT INTO upload_pending (device_id, ts_ms, version)
       SELECT device_id, NEW.ts_ms, 1 FROM series WHERE series_pk = NEW.series_pk
       ON CONFLICT (device_id, ts_ms) DO UPDATE SET version = version + 1;
   END;`,
];

/**
 * True for a `samples` row (joined to its `series` row) whose item is still pending upload while an
 * uplink is configured (queue enabled): retention must keep it. Without an uplink nothing is kept.
 */
const SAMPLE_AWAITS_UPLOAD_SQL = `(EXISTS (SELECT 1 FROM upload_state us WHERE us.key = 'enabled' AND us.value = '1')
  AND EXISTS (SELECT 1 FROM upload_pending up WHERE up.device_id = series.device_id AND up.ts_ms = samples.ts_ms))`;

/** Create or update the queue's tables and trigger in `db` (idempotent). */
function ensureUploadSchema(db: Db): void {
  migrate(db, 'upload', UPLOAD_MIGRATIONS);
}

const COUNTER_NAMES: readonly CounterName[] = ['written', 'retried', 'unprocessed', 'rejected', 'requests', 'forcedLoss', 'skippedTicks'];
type KeyRef = Pick<UploadItem, 'deviceId' | 'tsMs'>;
type VersionedRef = Pick<UploadItem, 'deviceId' | 'tsMs' | 'version'>;

/**
 * What `sensorctl push` would send for `deviceId`, read-only (creates no table, so a dry run changes
 * nothing even on a database whose queue was never opened).
 * @returns `pendingItems`: items already queued (from `sinceMs` when given); `enqueueItems`: distinct
 *   stored instants from `sinceMs` that `enqueueSince` would add (0 without `sinceMs`).
 */
export function countUploadWork(db: Db, deviceId: string, sinceMs: number | undefined): { pendingItems: number; enqueueItems: number } {
  const hasQueue = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'upload_pending'").get() !== undefined;
  const pendingItems = hasQueue
    ? (db.prepare('SELECT count(*) AS n FROM upload_pending WHERE device_id = ? AND ts_ms >= ?').get(deviceId, sinceMs ?? -Number.MAX_SAFE_INTEGER) as { n: number }).n
    : 0;
  if (sinceMs === undefined) return { pendingItems, enqueueItems: 0 };
  const notQueued = hasQueue ? 'AND NOT EXISTS (SELECT 1 FROM upload_pending up WHERE up.device_id = se.device_id AND up.ts_ms = sa.ts_ms)' : '';
  const enqueueItems = (
    db
      .prepare(`SELECT count(DISTINCT sa.ts_ms) AS n FROM samples sa JOIN series se ON se.series_pk = sa.series_pk WHERE se.device_id = ? AND sa.ts_ms >= ? ${notQueued}`)
      .get(deviceId, sinceMs) as { n: number }
  ).n;
  return { pendingItems, enqueueItems };
}

/** True when the upload queue exists in `db` and is enabled (its trigger queues every stored sample). Read-only. */
export function isUploadQueueEnabled(db: Db): boolean {
  const hasQueue = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'upload_state'").get() !== undefined;
  return hasQueue && db.prepare("SELECT 1 FROM upload_state WHERE key = 'enabled' AND value = '1'").get() !== undefined;
}

/** Samples an import stored while no uplink was enabled: never queued; `push --since fromMs` queues them. */
export interface UnqueuedImport {
  fromMs: number;
  toMs: number;
  samples: number;
}

const unqueuedKey = (deviceId: string) => `import.unqueued.${deviceId}`;

/** Remember (merged with earlier ones) that an import stored `samples` in [`fromMs`, `toMs`] without queueing them. In the buffer's `state` table. */
export function recordUnqueuedImport(db: Db, deviceId: string, range: UnqueuedImport): UnqueuedImport {
  const prev = unqueuedImport(db, deviceId);
  const merged = prev ? { fromMs: Math.min(prev.fromMs, range.fromMs), toMs: Math.max(prev.toMs, range.toMs), samples: prev.samples + range.samples } : range;
  writeTransaction(db, () => db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(unqueuedKey(deviceId), JSON.stringify(merged)));
  return merged;
}

/** The unqueued imports of `deviceId`, or undefined. */
export function unqueuedImport(db: Db, deviceId: string): UnqueuedImport | undefined {
  const row = db.prepare('SELECT value FROM state WHERE key = ?').get(unqueuedKey(deviceId)) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as UnqueuedImport) : undefined;
}

/** Forget the unqueued imports of `deviceId` (after `enqueueSince` from their first instant queued them). */
export function clearUnqueuedImport(db: Db, deviceId: string): void {
  writeTransaction(db, () => db.prepare('DELETE FROM state WHERE key = ?').run(unqueuedKey(deviceId)));
}

export class SqliteUploadQueue implements UploadLedger {
  private constructor(private readonly db: Db) {}

  /**
   * Open the queue on a connection whose database already holds the buffer (after
   * `SqliteBuffer.openOn(db)` or on a second connection to the same file); migrates component `upload`.
   * The queue does not own `db`: whoever opened it closes it.
   */
  static open(db: Db): SqliteUploadQueue {
    ensureUploadSchema(db);
    return new SqliteUploadQueue(db);
  }

  /** Use the queue's tables without migrating (read-only connections; the schema must exist). */
  static attach(db: Db): SqliteUploadQueue {
    return new SqliteUploadQueue(db);
  }

  /**
   * The queue's guard for `SqliteBuffer.addRetentionGuard`: while the queue is enabled (an uplink is
   * configured), retention keeps every sample whose item is still pending upload. When the 365-day
   * limit must win, call `dropPendingOlderThan` first (counted as `forcedLoss`).
   */
  pendingSamplesGuard(): RetentionGuard {
    return { name: 'upload', keepIfSql: SAMPLE_AWAITS_UPLOAD_SQL };
  }

  /**
   * Read the newest pending item (the right edge of the queue's B-tree and of its time index, the
   * pages written last). Only for its error: SQLITE_CORRUPT when those pages are damaged.
   */
  readNewestRows(): void {
    this.db.prepare('SELECT * FROM upload_pending ORDER BY device_id DESC, ts_ms DESC LIMIT 1').get();
    this.db.prepare('SELECT ts_ms FROM upload_pending ORDER BY ts_ms DESC LIMIT 1').get();
  }

  /** Whether sample inserts are enqueued (an uplink is configured). */
  isEnabled(): boolean {
    return this.getMarker('enabled') === '1';
  }

  /** Start (true) or stop (false) enqueuing new samples. Existing pending items stay either way. */
  setEnabled(enabled: boolean): void {
    this.setMarker('enabled', enabled ? '1' : '0');
  }

  /**
   * Enqueue every stored instant with `tsMs >= sinceMs` (of `deviceId`, or all devices): for a queue
   * enabled on a database that already has samples (`sensorctl push --since`). Already-pending items
   * are left as they are. @returns items newly enqueued.
   */
  enqueueSince(sinceMs: number, deviceId?: string): number {
    return writeTransaction(this.db, () =>
      this.db
        .prepare(
          `INSERT INTO upload_pending (device_id, ts_ms, version)
             SELECT DISTINCT se.device_id, sa.ts_ms, 1 FROM samples sa JOIN series se ON se.series_pk = sa.series_pk
             WHERE sa.ts_ms >= ? AND (? IS NULL OR se.device_id = ?)
           ON CONFLICT (device_id, ts_ms) DO NOTHING`,
        )
        .run(sinceMs, deviceId ?? null, deviceId ?? null).changes,
    );
  }

  lease(limit: number, leaseMs: number, nowMs: number, options: { sinceTsMs?: number; deviceId?: string } = {}): { leaseId: string; items: UploadItem[] } {
    const leaseId = randomUUID();
    const items = writeTransaction(this.db, () => {
      const rows = this.db
        .prepare(
          `SELECT device_id, ts_ms, version FROM upload_pending
           WHERE lease_until_ms <= ? AND ts_ms >= ? AND (? IS NULL OR device_id = ?)
           ORDER BY ts_ms, device_id LIMIT ?`,
        )
        .all(nowMs, options.sinceTsMs ?? -Number.MAX_SAFE_INTEGER, options.deviceId ?? null, options.deviceId ?? null, limit) as Array<{
        device_id: string;
        ts_ms: number;
        version: number;
      }>;
      const take = this.db.prepare('UPDATE upload_pending SET lease_id = ?, lease_until_ms = ? WHERE device_id = ? AND ts_ms = ?');
      return rows.map((r) => {
        take.run(leaseId, nowMs + leaseMs, r.device_id, r.ts_ms);
        return { deviceId: r.device_id, tsMs: r.ts_ms, version: r.version, values: this.valuesAt(r.device_id, r.ts_ms) };
      });
    });
    return { leaseId, items };
  }

  /** Every stored value of `deviceId` at `tsMs`, by series id. */
  valuesAt(deviceId: string, tsMs: number): Record<string, number> {
    const values: Record<string, number> = {};
    const rows = this.db
      .prepare('SELECT se.series_id, sa.value FROM series se JOIN samples sa ON sa.series_pk = se.series_pk AND sa.ts_ms = ? WHERE se.device_id = ?')
      .raw()
      .all(tsMs, deviceId) as Array<[string, number]>;
    for (const [id, value] of rows) values[id] = value;
    return values;
  }

  ack(leaseId: string, items: readonly VersionedRef[]): void {
    writeTransaction(this.db, () => {
      const done = this.db.prepare('DELETE FROM upload_pending WHERE device_id = ? AND ts_ms = ? AND version = ?');
      const free = this.db.prepare('UPDATE upload_pending SET lease_id = NULL, lease_until_ms = 0 WHERE device_id = ? AND ts_ms = ? AND lease_id = ?');
      for (const i of items) if (done.run(i.deviceId, i.tsMs, i.version).changes === 0) free.run(i.deviceId, i.tsMs, leaseId);
    });
  }

  reject(leaseId: string, items: readonly VersionedRef[], reason: string, nowMs: number): void {
    writeTransaction(this.db, () => {
      const drop = this.db.prepare('DELETE FROM upload_pending WHERE device_id = ? AND ts_ms = ? AND version = ?');
      const log = this.db.prepare(
        'INSERT INTO upload_rejected (device_id, ts_ms, version, reason, item_json, rejected_at_ms) VALUES (?, ?, ?, ?, ?, ?)',
      );
      const free = this.db.prepare('UPDATE upload_pending SET lease_id = NULL, lease_until_ms = 0 WHERE device_id = ? AND ts_ms = ? AND lease_id = ?');
      for (const i of items) {
        if (drop.run(i.deviceId, i.tsMs, i.version).changes === 0) {
          free.run(i.deviceId, i.tsMs, leaseId); // a newer version arrived: try that one
          continue;
        }
        log.run(i.deviceId, i.tsMs, i.version, reason, JSON.stringify(this.valuesAt(i.deviceId, i.tsMs)), nowMs);
      }
    });
  }

  release(leaseId: string, items: readonly KeyRef[]): void {
    writeTransaction(this.db, () => {
      const free = this.db.prepare('UPDATE upload_pending SET lease_id = NULL, lease_until_ms = 0 WHERE device_id = ? AND ts_ms = ? AND lease_id = ?');
      for (const i of items) free.run(i.deviceId, i.tsMs, leaseId);
    });
  }

  backlog(nowMs: number, deviceId?: string): Backlog {
    // Held at nowMs: the same test as `lease` and `heldLeases` (a lease until nowMs is free again).
    const r = this.db
      .prepare(
        `SELECT count(*) AS n, min(ts_ms) AS oldest, coalesce(sum(lease_until_ms > ?), 0) AS leased
         FROM upload_pending WHERE (? IS NULL OR device_id = ?)`,
      )
      .get(nowMs, deviceId ?? null, deviceId ?? null) as { n: number; oldest: number | null; leased: number };
    return { items: r.n, oldestTsMs: r.oldest ?? undefined, leased: r.leased };
  }

  heldLeases(nowMs: number, options: { sinceTsMs?: number; deviceId?: string } = {}): { items: number; untilMs?: number } {
    const r = this.db
      .prepare(
        `SELECT count(*) AS n, max(lease_until_ms) AS until FROM upload_pending
         WHERE lease_until_ms > ? AND ts_ms >= ? AND (? IS NULL OR device_id = ?)`,
      )
      .get(nowMs, options.sinceTsMs ?? -Number.MAX_SAFE_INTEGER, options.deviceId ?? null, options.deviceId ?? null) as { n: number; until: number | null };
    return { items: r.n, untilMs: r.until ?? undefined };
  }

  /** Sample rows behind the pending items (status shows rows and items). */
  backlogRows(deviceId?: string): number {
    return (
      this.db
        .prepare(
          `SELECT count(*) AS n FROM upload_pending up JOIN series se ON se.device_id = up.device_id
           JOIN samples sa ON sa.series_pk = se.series_pk AND sa.ts_ms = up.ts_ms WHERE (? IS NULL OR up.device_id = ?)`,
        )
        .get(deviceId ?? null, deviceId ?? null) as { n: number }
    ).n;
  }

  /** Rejected items, newest first (at most `limit`). */
  rejected(limit = 100): Array<{ deviceId: string; tsMs: number; reason: string; values: Record<string, number>; rejectedAtMs: number }> {
    const rows = this.db
      .prepare('SELECT device_id, ts_ms, reason, item_json, rejected_at_ms FROM upload_rejected ORDER BY id DESC LIMIT ?')
      .all(limit) as Array<{ device_id: string; ts_ms: number; reason: string; item_json: string; rejected_at_ms: number }>;
    return rows.map((r) => ({ deviceId: r.device_id, tsMs: r.ts_ms, reason: r.reason, values: JSON.parse(r.item_json), rejectedAtMs: r.rejected_at_ms }));
  }

  /**
   * Forced loss: retention must delete samples older than `cutoffMs` although their items are still
   * pending (disk full or the 365-day limit). Drops those pending items, adds them to `forcedLoss`
   * and returns how many went; the caller logs it loudly. Call in the same situation, before deleting.
   */
  dropPendingOlderThan(cutoffMs: number): number {
    return writeTransaction(this.db, () => {
      const n = this.db.prepare('DELETE FROM upload_pending WHERE ts_ms < ?').run(cutoffMs).changes;
      if (n) this.bump('forcedLoss', n);
      return n;
    });
  }

  counters(): UploadCounters {
    const state = new Map(
      (this.db.prepare("SELECT key, value FROM upload_state WHERE key LIKE 'counter.%' OR key LIKE 'mark.%'").all() as Array<{ key: string; value: string }>).map(
        (r) => [r.key, r.value],
      ),
    );
    const num = (k: string) => Number(state.get(`counter.${k}`) ?? 0);
    const mark = (k: string) => state.get(`mark.${k}`);
    return {
      written: num('written'),
      retried: num('retried'),
      unprocessed: num('unprocessed'),
      rejected: num('rejected'),
      requests: num('requests'),
      forcedLoss: num('forcedLoss'),
      skippedTicks: num('skippedTicks'),
      lastSuccessMs: mark('lastSuccessMs') === undefined ? undefined : Number(mark('lastSuccessMs')),
      lastRunMs: mark('lastRunMs') === undefined ? undefined : Number(mark('lastRunMs')),
      lastError: mark('lastError') || undefined,
    };
  }

  private bump(name: CounterName, delta: number): void {
    this.db
      .prepare(
        `INSERT INTO upload_state (key, value) VALUES (?, ?)
         ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + CAST(excluded.value AS INTEGER) AS TEXT)`,
      )
      .run(`counter.${name}`, String(delta));
  }

  private put(key: string, value: string): void {
    this.db.prepare('INSERT INTO upload_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  record(delta: Partial<Record<CounterName, number>>, marks: { lastSuccessMs?: number; lastRunMs?: number; lastError?: string | null } = {}): void {
    writeTransaction(this.db, () => {
      for (const name of COUNTER_NAMES) if (delta[name]) this.bump(name, delta[name]!);
      if (marks.lastSuccessMs !== undefined) this.put('mark.lastSuccessMs', String(marks.lastSuccessMs));
      if (marks.lastRunMs !== undefined) this.put('mark.lastRunMs', String(marks.lastRunMs));
      if (marks.lastError !== undefined) this.put('mark.lastError', marks.lastError ?? '');
    });
  }

  getMarker(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM upload_state WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMarker(key: string, value: string): void {
    writeTransaction(this.db, () => this.put(key, value));
  }

  updateMarkers(keys: readonly string[], update: (current: Record<string, string | undefined>) => Record<string, string | null>): void {
    writeTransaction(this.db, () => {
      const get = this.db.prepare('SELECT value FROM upload_state WHERE key = ?');
      const current: Record<string, string | undefined> = {};
      for (const k of keys) current[k] = (get.get(k) as { value: string } | undefined)?.value;
      const del = this.db.prepare('DELETE FROM upload_state WHERE key = ?');
      for (const [k, v] of Object.entries(update(current))) {
        if (v === null) del.run(k);
        else this.put(k, v);
      }
    });
  }

  listSeries(deviceId: string): SeriesInfo[] {
    const rows = this.db.prepare('SELECT series_id, sensor_id, metric, unit, kind FROM series WHERE device_id = ? ORDER BY series_id').all(deviceId) as Array<{
      series_id: string;
      sensor_id: string;
      metric: string;
      unit: string;
      kind: SeriesKind;
    }>;
    return rows.map((r) => ({ deviceId, seriesId: r.series_id, sensorId: r.sensor_id, metric: r.metric, unit: r.unit, kind: r.kind }));
  }
}
