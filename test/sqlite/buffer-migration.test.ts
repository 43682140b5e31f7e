import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BUFFER_MIGRATIONS, SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { SqliteUploadQueue } from '../../sqlite/sqlite-upload-queue.js';
import { migrate, openDatabase } from '../../sqlite/sqlite-db.js';

const dir = mkdtempSync(join(tmpdir(), 'buffer-migration-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const migration = suite('buffer migration 2 (circular kind)');

migration('a version-1 file with samples and the upload trigger opens, keeps its series and samples, and takes a circular series', () => {
  const path = join(dir, 'v1.db');
  const old = openDatabase(path);
  migrate(old, 'buffer', BUFFER_MIGRATIONS.slice(0, 1));
  SqliteUploadQueue.open(old); // its trigger on samples names `series`
  old.prepare("INSERT INTO series VALUES (7, 'd', 'bme.tempC', 'bme', 'tempC', '°C', 'gauge')").run();
  old.prepare('INSERT INTO samples VALUES (7, 1000, 21.5)').run();
  assert.throws(() => old.prepare("INSERT INTO series VALUES (8, 'd', 'wind.dir', 'wind', 'windDirDeg', '°', 'circular')").run(), /CHECK/);
  old.close();

  const db = openDatabase(path);
  const b = SqliteBuffer.openOn(db);
  SqliteUploadQueue.open(db);
  b.defineSeries([{ deviceId: 'd', seriesId: 'wind.dir', sensorId: 'wind', metric: 'windDirDeg', unit: '°', kind: 'circular' }]);
  assert.equal(b.insert('d', [{ seriesId: 'wind.dir', tsMs: 1000, value: 350 }, { seriesId: 'bme.tempC', tsMs: 2000, value: 22 }]), { inserted: 2, duplicates: 0 });
  assert.equal(b.stats('d').map((s) => [s.seriesId, s.count]), [['bme.tempC', 2], ['wind.dir', 1]]);
  assert.equal(db.prepare("SELECT series_pk, kind FROM series WHERE series_id = 'bme.tempC'").get(), { series_pk: 7, kind: 'gauge' });
  assert.equal(db.prepare('PRAGMA integrity_check').all(), [{ integrity_check: 'ok' }]);
  b.close();
});

migration.run();
