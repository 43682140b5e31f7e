import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { databaseFileSizes } from '../../sqlite/database-files.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';

const sizes = suite('databaseFileSizes');

sizes('reports the main file and the WAL separately, from the filesystem; 0 for absent files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'db-files-'));
  try {
    assert.equal(databaseFileSizes(join(dir, 'none.db')), { fileBytes: 0, walBytes: 0 });
    assert.equal(databaseFileSizes(':memory:'), { fileBytes: 0, walBytes: 0 });
    const path = join(dir, 'b.db');
    const b = SqliteBuffer.open(path);
    b.defineSeries([{ deviceId: 'pi', seriesId: 't', sensorId: 's', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
    b.insert('pi', Array.from({ length: 2000 }, (_, i) => ({ seriesId: 't', tsMs: i, value: i })));
    const before = databaseFileSizes(path);
    assert.ok(before.walBytes > 0, 'the insert went to the WAL');
    assert.is(before.fileBytes + before.walBytes, b.sizeBytes(), 'the same total as the buffer reports');
    b.checkpoint();
    const after = databaseFileSizes(path);
    assert.is(after.walBytes, 0, 'a TRUNCATE checkpoint empties the WAL');
    assert.ok(after.fileBytes > before.fileBytes);
    b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

sizes.run();
