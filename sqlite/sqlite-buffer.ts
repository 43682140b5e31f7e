/**
 * SQLite adapter (better-sqlite3 12, WAL) for the raw-sample buffer: implements `SampleBuffer` for
 * the agent and `SampleSource` for the builder.
 *
 * Layout (component `buffer` in `schema_versions`):
 * - `series(series_pk, device_id, series_id, sensor_id, metric, unit, kind)`, unique (device_id, series_id);
 * - `samples(series_pk, ts_ms INTEGER epoch ms, value REAL)`, primary key (series_pk, ts_ms),
 *   WITHOUT ROWID: one B-tree ordered by series then time, so a range read is one index walk and
 *   the same (series, ts) is stored once;
 * - `builder_journal(seq, series_pk, ts_ms, value)`: every row actually inserted into `samples`
 *   (a trigger; ignored duplicates do not fire it), read by the builder through `readSince(cursor)`
 *   where the cursor is the last `seq` seen, and trimmed by `release`;
 * - `state(key, value)`: small durable key/value pairs.
 * Other components (the upload queue) add their own tables and triggers on `samples`, on the same
 * connection: open it once with `openDatabase`, then `SqliteBuffer.openOn(db)` and the other adapter
 * on the same `db`. Such a component keeps samples from retention through a `RetentionGuard`.
 */
import { statSync } from 'node:fs';
import type { Sample, SeriesInfo } from '../builder/types.js';
import type { SeriesKind } from '../builder/constants.js';
import type { ChangeBatch, SampleSource } from '../builder/ports.js';
import type { InsertResult, SampleBuffer, SeriesStats } from '../agent/buffer/ports.js';
import { BufferError } from '../agent/buffer/errors.js';
import { checkpointTruncate, migrate, openDatabase, openDatabaseForReading, writeTransaction, type Db } from './sqlite-db.js';
import { storageWritability } from './database-files.js';

/** Schema migrations of the buffer, applied in order once per database file. */
export const BUFFER_MIGRATIONS: readonly string[] = [
  `CREATE TABLE series (
     series_pk INTEGER PRIMARY KEY,
     device_id TEXT NOT NULL,
     series_id TEXT NOT NULL,
     sensor_id TEXT NOT NULL,
     metric TEXT NOT NULL,
     unit TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('gauge', 'counter')),
     UNIQUE (device_id, series_id)
   );
   CREATE TABLE samples (
     series_pk INTEGER NOT NULL,
     ts_ms INTEGER NOT NULL,
     value REAL NOT NULL,
     PRIMARY KEY (series_pk, ts_ms)
   ) WITHOUT ROWID;
   CREATE TABLE builder_journal (
     seq INTEGER PRIMARY KEY,
     series_pk INTEGER NOT NULL,
     ts_ms INTEGER NOT NULL,
     value REAL NOT NULL
   );
   CREATE TRIGGER samples_to_builder_journal AFTER INSERT ON samples BEGIN
     INSERT INTO builder_journal (series_pk, ts_ms, value) VALUES (NEW.series_pk, NEW.ts_ms, NEW.value);
   END;
   CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 2: kind 'circular' (wind direction). A CHECK cannot be altered: the table is copied (SQLite's
  // "12-step" procedure); legacy_alter_table keeps the upload queue's trigger, which names `series`,
  // from being re-checked while the table is briefly absent.
  `PRAGMA legacy_alter_table = ON;
   CREATE TABLE series_v2 (
     series_pk INTEGER PRIMARY KEY,
     device_id TEXT NOT NULL,
     series_id TEXT NOT NULL,
     sensor_id TEXT NOT NULL,
     metric TEXT NOT NULL,
     unit TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('gauge', 'counter', 'circular')),
     UNIQUE (device_id, series_id)
   );
   INSERT INTO series_v2 (series_pk, device_id, series_id, sensor_id, metric, unit, kind)
     SELECT series_pk, device_id, series_id, sensor_id, metric, unit, kind FROM series;
   DROP TABLE series;
   ALTER TABLE series_v2 RENAME TO series;
   PRAGMA legacy_alter_table = OFF;`,
];

/** Samples per chunk yielded by `readRange`. */
export const READ_CHUNK_ROWS = 20_000;
/** One page of one series in time order, after a given ts (keyset), at most `limit` rows. */
const RANGE_SQL = 'SELECT ts_ms, value FROM samples WHERE series_pk = ? AND ts_ms > ? AND ts_ms <= ? ORDER BY ts_ms LIMIT ?';

/**
 * Yields chunks from `reader`'s open read transaction, page by page (keyset on ts_ms inside the
 * fixed snapshot, so no statement stays open across a yield), then ends the transaction and closes
 * the connection, also on early return or error.
 */
async function* streamChunks(reader: Db, seriesOf: Map<number, string>, fromMs: number, toMs: number): AsyncGenerator<Sample[]> {
  try {
    const stmt = reader.prepare(RANGE_SQL).raw();
    for (const [pk, seriesId] of [...seriesOf].sort((a, b) => a[0] - b[0])) {
      for (let after = fromMs - 1; ; ) {
        const rows = stmt.all(pk, after, toMs, READ_CHUNK_ROWS) as Array<[number, number]>;
        if (rows.length) yield rows.map(([tsMs, value]) => ({ seriesId, tsMs, value }));
        if (rows.length < READ_CHUNK_ROWS) break;
        after = rows[rows.length - 1][0];
      }
    }
  } finally {
    if (reader.inTransaction) reader.prepare('COMMIT').run();
    reader.close();
  }
}

/** Upsert of one `state` row. */
const SET_STATE_SQL = 'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value';

/** Key in `state` holding the highest journal seq released by the builder. */
const RELEASED_KEY = 'builder_journal.released_seq';

interface SeriesRow {
  series_pk: number;
  device_id: string;
  series_id: string;
  sensor_id: string;
  metric: string;
  unit: string;
  kind: SeriesKind;
}

/**
 * Port of the buffer's retention for another adapter in the same database file: which samples
 * retention must keep although they are older than the cutoff (the upload queue keeps the samples of
 * items not yet uploaded). Implemented inside `sqlite/` only, by the adapter that owns the tables the
 * condition reads; the composition root passes the guard from that adapter to the buffer and never
 * sees the SQL.
 */
export interface RetentionGuard {
  /** Names the guard in errors; a second guard with the same name replaces the first. */
  readonly name: string;
  /**
   * Boolean SQL expression over one candidate row, true when retention must keep it. In scope: the
   * candidate `samples` row and its `series` row (`samples.ts_ms`, `series.device_id`; bare names at
   * the top level, qualified inside a subquery, where bare names bind to the subquery's tables
   * first), SQL functions registered on the connection (pure ones: a function must not query the
   * same connection) and subqueries, e.g.
   * `EXISTS (SELECT 1 FROM upload_pending up WHERE up.device_id = series.device_id AND up.ts_ms = samples.ts_ms)`.
   */
  readonly keepIfSql: string;
}

function toInfo(r: SeriesRow): SeriesInfo {
  return { deviceId: r.device_id, seriesId: r.series_id, sensorId: r.sensor_id, metric: r.metric, unit: r.unit, kind: r.kind };
}

export class SqliteBuffer implements SampleBuffer, SampleSource {
  private readonly seriesPk = new Map<string, number>(); // `${deviceId}\u0000${seriesId}` → pk
  private readonly seriesById = new Map<number, SeriesRow>();
  private retentionGuards: ReadonlyMap<string, string> = new Map();

  /** @param path the database file (`db.name`): `readRange` opens a second, read-only connection to it. */
  private constructor(private readonly db: Db, readonly path: string) {
    this.loadSeries();
  }

  /**
   * Open (creating and migrating if needed) the buffer at `path` (`:memory:` for throw-away use) on a
   * connection of its own. Use `openOn` instead when another adapter (the upload queue) shares the file.
   * @throws {BufferError} when the file's schema is newer than this program.
   */
  static open(path: string): SqliteBuffer {
    return SqliteBuffer.openOn(openDatabase(path));
  }

  /**
   * The buffer on a connection opened with `openDatabase`, migrating it if needed, so other adapters
   * of the same file (`SqliteUploadQueue.open(db)`, after this call) share the connection and its
   * write transactions. The buffer owns the connection from then on: `close()` closes it.
   * @throws {BufferError} when the file's schema is newer than this program.
   */
  static openOn(db: Db): SqliteBuffer {
    migrate(db, 'buffer', BUFFER_MIGRATIONS);
    return new SqliteBuffer(db, db.name);
  }

  /**
   * The buffer on a connection from `openDatabaseForReading` (a read-only data directory): no
   * migration; reads work, writes fail with SQLite's read-only error. Own `close()` as with `openOn`.
   */
  static readOnlyOn(db: Db): SqliteBuffer {
    return new SqliteBuffer(db, db.name);
  }

  /**
   * Open `path` to write when its directory and files are writable (`SqliteBuffer.open`), else to
   * read only (`status`, `export` and `serve` keep working on a read-only SD card); `readOnly` then
   * says what is read-only and why.
   */
  static openBest(path: string): { buffer: SqliteBuffer; readOnly?: { path: string; reason: string } } {
    const access = storageWritability(path);
    if (access.isWritable) return { buffer: SqliteBuffer.open(path) };
    return { buffer: SqliteBuffer.readOnlyOn(openDatabaseForReading(path).db), readOnly: { path: access.path, reason: access.reason } };
  }

  private loadSeries(): void {
    for (const r of this.db.prepare('SELECT * FROM series').all() as SeriesRow[]) {
      this.seriesPk.set(`${r.device_id}\u0000${r.series_id}`, r.series_pk);
      this.seriesById.set(r.series_pk, r);
    }
  }

  defineSeries(series: readonly SeriesInfo[]): void {
    writeTransaction(this.db, () => {
      const find = this.db.prepare('SELECT * FROM series WHERE device_id = ? AND series_id = ?');
      const add = this.db.prepare(
        'INSERT INTO series (device_id, series_id, sensor_id, metric, unit, kind) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const s of series) {
        const row = find.get(s.deviceId, s.seriesId) as SeriesRow | undefined;
        if (row && (row.unit !== s.unit || row.kind !== s.kind || row.metric !== s.metric)) {
          throw new BufferError(
            `series ${s.deviceId}/${s.seriesId} is stored as ${row.metric} [${row.unit}, ${row.kind}], not ${s.metric} [${s.unit}, ${s.kind}]`,
          );
        }
        if (!row) add.run(s.deviceId, s.seriesId, s.sensorId, s.metric, s.unit, s.kind);
      }
    });
    this.loadSeries();
  }

  private pkOf(deviceId: string, seriesId: string): number {
    const pk = this.seriesPk.get(`${deviceId}\u0000${seriesId}`);
    if (pk === undefined) throw new BufferError(`series ${deviceId}/${seriesId} is not defined; call defineSeries first`);
    return pk;
  }

  insert(deviceId: string, samples: readonly Sample[], states: ReadonlyArray<readonly [string, string]> = []): InsertResult {
    const rows = samples.map((s) => {
      if (!Number.isInteger(s.tsMs) || !Number.isFinite(s.value)) {
        throw new BufferError(`sample ${s.seriesId}@${s.tsMs}: expected integer tsMs and a finite value, got ${s.value}`);
      }
      return [this.pkOf(deviceId, s.seriesId), s.tsMs, s.value] as const;
    });
    return writeTransaction(this.db, () => {
      const stmt = this.db.prepare('INSERT INTO samples (series_pk, ts_ms, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
      let inserted = 0;
      for (const r of rows) inserted += stmt.run(r[0], r[1], r[2]).changes;
      if (states.length) {
        const put = this.db.prepare(SET_STATE_SQL);
        for (const [key, value] of states) put.run(key, value);
      }
      return { inserted, duplicates: rows.length - inserted };
    });
  }

  /**
   * Keep the samples `guard` holds for from retention (the upload queue's pending samples:
   * `buffer.addRetentionGuard(queue.pendingSamplesGuard())`). Guards are kept in memory (register
   * them after each open); a second guard with the same name replaces the first. A row is deleted
   * only when no guard keeps it.
   * @throws {BufferError} when the guard's condition does not compile against the schema; the
   * guards registered before stay in force.
   */
  addRetentionGuard(guard: RetentionGuard): void {
    const next = new Map(this.retentionGuards).set(guard.name, guard.keepIfSql);
    try {
      this.db.prepare(this.deleteSql(next));
    } catch (err) {
      throw new BufferError(`retention guard ${guard.name}: ${(err as Error).message} in ${JSON.stringify(guard.keepIfSql)}`, { cause: err });
    }
    this.retentionGuards = next;
  }

  /** `samples.ts_ms < @cutoff` is `isPastRetention` (agent/buffer/retention.ts) as an index range: a row exactly at the cut-off stays. */
  private deleteSql(guards: ReadonlyMap<string, string>): string {
    const keep = [...guards.values()].map((keepIfSql) => ` AND NOT (${keepIfSql})`).join('');
    return `DELETE FROM samples WHERE series_pk = @pk AND ts_ms IN
      (SELECT samples.ts_ms FROM samples JOIN series ON series.series_pk = samples.series_pk
        WHERE samples.series_pk = @pk AND samples.ts_ms < @cutoff${keep} ORDER BY samples.ts_ms LIMIT @limit)`;
  }

  /**
   * Delete at most `maxRows` samples older than `cutoffMs` (oldest first, series by series) in one
   * write transaction, skipping rows a retention guard keeps. Returns how many went; 0 means done.
   */
  deleteOlderThan(cutoffMs: number, maxRows: number): number {
    const sql = this.deleteSql(this.retentionGuards);
    return writeTransaction(this.db, () => {
      let deleted = 0;
      const del = this.db.prepare(sql);
      for (const pk of this.seriesById.keys()) {
        if (deleted >= maxRows) break;
        deleted += del.run({ pk, cutoff: cutoffMs, limit: maxRows - deleted }).changes;
      }
      return deleted;
    });
  }

  /**
   * Read the newest row of every series and of the builder's journal: the right edge of each B-tree,
   * where the pages written last are (the ones a power cut tears). Only for its error: SQLITE_CORRUPT
   * when those pages are damaged (`sqlite/database-recovery.ts` moves the file aside then).
   */
  readNewestRows(): void {
    const newest = this.db.prepare('SELECT ts_ms, value FROM samples WHERE series_pk = ? ORDER BY ts_ms DESC LIMIT 1');
    for (const pk of this.seriesById.keys()) newest.get(pk);
    this.db.prepare('SELECT * FROM builder_journal ORDER BY seq DESC LIMIT 1').get();
    this.db.prepare('SELECT * FROM samples ORDER BY series_pk DESC, ts_ms DESC LIMIT 1').get();
  }

  /**
   * Continue the builder's journal after `seq` (a fresh database after a recovery): the next sample
   * gets a sequence number above `seq`, so a rollup state saved with a cursor of the old file
   * (at most `seq`) folds exactly the samples stored since, and keeps the history it already holds.
   * Does nothing when the journal is already past `seq`. The placeholder row names no series and is
   * never returned by `readSince`.
   */
  continueJournalAfter(seq: number): void {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new BufferError(`continueJournalAfter: ${seq} is not a journal sequence number`);
    writeTransaction(this.db, () => {
      const max = (this.db.prepare('SELECT coalesce(max(seq), 0) AS s FROM builder_journal').get() as { s: number }).s;
      if (max < seq) this.db.prepare('INSERT INTO builder_journal (seq, series_pk, ts_ms, value) VALUES (?, -1, 0, 0)').run(seq);
    });
  }

  /** Pages on the free list and the page size in bytes (`PRAGMA freelist_count`, `page_size`). */
  pageStats(): { pageSizeBytes: number; pageCount: number; freePages: number } {
    return {
      pageSizeBytes: this.db.pragma('page_size', { simple: true }) as number,
      pageCount: this.db.pragma('page_count', { simple: true }) as number,
      freePages: this.db.pragma('freelist_count', { simple: true }) as number,
    };
  }

  /**
   * Copy the WAL back into the main file and truncate it (`PRAGMA wal_checkpoint(TRUNCATE)`), so
   * `sizeBytes` measures the database itself. Returns false at once (no wait) when a reader or a
   * writer on another connection kept it from completing.
   */
  checkpoint(): boolean {
    return checkpointTruncate(this.db);
  }

  /** Devices that have at least one sample, sorted (read from the file, so samples written by another process count). */
  deviceIdsWithSamples(): string[] {
    const rows = this.db
      .prepare('SELECT DISTINCT device_id FROM series WHERE EXISTS (SELECT 1 FROM samples WHERE samples.series_pk = series.series_pk) ORDER BY device_id')
      .all() as Array<{ device_id: string }>;
    return rows.map((r) => r.device_id);
  }

  newestTsMs(deviceId: string): number | undefined {
    const r = this.db
      .prepare('SELECT max(ts_ms) AS t FROM samples WHERE series_pk IN (SELECT series_pk FROM series WHERE device_id = ?)')
      .get(deviceId) as { t: number | null };
    return r.t ?? undefined;
  }

  stats(deviceId?: string): SeriesStats[] {
    const out: SeriesStats[] = [];
    const q = this.db.prepare('SELECT count(*) AS n, min(ts_ms) AS first, max(ts_ms) AS last FROM samples WHERE series_pk = ?');
    for (const r of this.seriesById.values()) {
      if (deviceId !== undefined && r.device_id !== deviceId) continue;
      const s = q.get(r.series_pk) as { n: number; first: number | null; last: number | null };
      out.push({ ...toInfo(r), count: s.n, firstTsMs: s.first ?? undefined, lastTsMs: s.last ?? undefined });
    }
    return out.sort((a, b) => a.deviceId.localeCompare(b.deviceId) || a.seriesId.localeCompare(b.seriesId));
  }

  getState(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM state WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setState(key: string, value: string): void {
    writeTransaction(this.db, () => {
      this.db.prepare(SET_STATE_SQL).run(key, value);
    });
  }

  sizeBytes(): number {
    if (this.path === ':memory:') return 0;
    let total = 0;
    for (const suffix of ['', '-wal']) {
      try {
        total += statSync(this.path + suffix).size;
      } catch {
        /* no WAL file right now */
      }
    }
    return total;
  }

  /** Close the connection (also for the adapters sharing it since `openOn`); a second call does nothing. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- SampleSource ----

  /** Series of `deviceId`, re-read from the file (a few rows), so series another process defined (an import beside `serve`) count. */
  async listSeries(deviceId: string): Promise<SeriesInfo[]> {
    this.loadSeries();
    return [...this.seriesById.values()].filter((r) => r.device_id === deviceId).map(toInfo);
  }

  private devicePks(deviceId: string): number[] {
    return [...this.seriesById.values()].filter((r) => r.device_id === deviceId).map((r) => r.series_pk);
  }

  /**
   * Streams every sample of `deviceId` with `fromMs <= tsMs <= toMs`, ordered by series then time,
   * in chunks of at most `READ_CHUNK_ROWS`.
   *
   * Why a second connection: the read runs on its own read-only connection that holds one read
   * transaction from the cursor query to the last chunk. WAL gives that transaction a fixed snapshot,
   * so the cursor and every chunk describe the same instant while the agent keeps inserting on the
   * main connection; `readSince(cursor)` then returns exactly the rows this read did not see. Keyset
   * pagination on the main connection would let rows committed between two pages appear both in this
   * read and after the cursor (double counting in the builder). Costs: one extra connection per read,
   * and the WAL cannot be checkpointed past the snapshot while the read is open (it only grows for
   * that time). The connection closes when the iterator finishes, throws or is returned early
   * (`break` in `for await`); a caller must consume or `return()` the iterator.
   * A `:memory:` buffer cannot be opened twice; it reads on the main connection, materialised.
   */
  async readRange(deviceId: string, fromMs: number, toMs: number): Promise<{ cursor: string; chunks: AsyncIterable<Sample[]> }> {
    if (this.path === ':memory:') return this.readRangeMaterialised(deviceId, fromMs, toMs);
    const reader = openDatabase(this.path, { readonly: true });
    try {
      reader.prepare('BEGIN').run();
      const cursor = this.cursorOn(reader);
      const seriesOf = new Map((reader.prepare('SELECT * FROM series WHERE device_id = ?').all(deviceId) as SeriesRow[]).map((r) => [r.series_pk, r.series_id]));
      return { cursor, chunks: streamChunks(reader, seriesOf, fromMs, toMs) };
    } catch (err) {
      reader.close();
      throw new BufferError(`readRange ${deviceId} [${fromMs}, ${toMs}]: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The newest change visible on `db` (inside its current transaction) as a readSince cursor. */
  private cursorOn(db: Db): string {
    const seq = (db.prepare('SELECT coalesce(max(seq), 0) AS s FROM builder_journal').get() as { s: number }).s;
    const row = db.prepare('SELECT value FROM state WHERE key = ?').get(RELEASED_KEY) as { value: string } | undefined;
    return String(Math.max(seq, Number(row?.value ?? 0)));
  }

  private readRangeMaterialised(deviceId: string, fromMs: number, toMs: number): { cursor: string; chunks: AsyncIterable<Sample[]> } {
    const all: Sample[][] = [];
    const cursor = this.db.transaction(() => {
      const c = this.cursorOn(this.db);
      const stmt = this.db.prepare(RANGE_SQL).raw();
      for (const pk of this.devicePks(deviceId)) {
        const seriesId = this.seriesById.get(pk)!.series_id;
        for (let after = fromMs - 1; ; ) {
          const rows = stmt.all(pk, after, toMs, READ_CHUNK_ROWS) as Array<[number, number]>;
          if (rows.length) all.push(rows.map(([tsMs, value]) => ({ seriesId, tsMs, value })));
          if (rows.length < READ_CHUNK_ROWS) break;
          after = rows[rows.length - 1][0];
        }
      }
      return c;
    })();
    async function* chunks() {
      yield* all;
    }
    return { cursor, chunks: chunks() };
  }

  async readSince(deviceId: string, cursor: string | undefined, limit: number): Promise<ChangeBatch> {
    const after = cursor === undefined ? 0 : Number(cursor);
    const released = Number(this.getState(RELEASED_KEY) ?? 0);
    if (after < released) return { samples: [], cursor: cursor ?? '0', hasMore: false, cursorExpired: true };
    // A cursor ahead of this file's journal came from another file (a damaged one moved aside, a
    // restored backup): nothing after it would ever be read, so it is expired too.
    if (after > Number(this.cursorOn(this.db))) return { samples: [], cursor: cursor ?? '0', hasMore: false, cursorExpired: true };
    const rows = this.db
      .prepare('SELECT seq, series_pk, ts_ms, value FROM builder_journal WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(after, limit + 1) as Array<{ seq: number; series_pk: number; ts_ms: number; value: number }>;
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    const samples: Sample[] = [];
    for (const r of page) {
      const s = this.seriesById.get(r.series_pk) ?? this.reloadAndGet(r.series_pk);
      if (s && s.device_id === deviceId) samples.push({ seriesId: s.series_id, tsMs: r.ts_ms, value: r.value });
    }
    const next = page.length ? String(page[page.length - 1].seq) : String(after);
    return { samples, cursor: next, hasMore, cursorExpired: false };
  }

  private reloadAndGet(pk: number): SeriesRow | undefined {
    this.loadSeries();
    return this.seriesById.get(pk);
  }

  async release(_deviceId: string, cursor: string): Promise<void> {
    const seq = Number(cursor);
    if (!Number.isInteger(seq) || seq < 0) throw new BufferError(`release: cursor ${cursor} is not a journal sequence number`);
    writeTransaction(this.db, () => {
      const released = Number(this.getState(RELEASED_KEY) ?? 0);
      if (seq <= released) return;
      // Keep the newest journal row: `seq` is a rowid without AUTOINCREMENT, so an emptied table would
      // hand out 1, 2, … again and readSince(cursor) would miss every later sample.
      this.db.prepare('DELETE FROM builder_journal WHERE seq <= ? AND seq < (SELECT max(seq) FROM builder_journal)').run(seq);
      this.db.prepare(SET_STATE_SQL).run(RELEASED_KEY, String(seq));
    });
  }
}
