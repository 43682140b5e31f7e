import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startDaemon } from '../../pi/daemon.js';
import { parseConfig } from '../../agent/config/config.js';
import { WAL_CHECKPOINT_EVERY_MS, WAL_SIZE_LIMIT_BYTES } from '../../agent/buffer/wal.js';
import { recordingLogger } from '../support/recording-logger.js';
import { VirtualTime } from '../support/virtual-time.js';

const MIN = 60_000;
const MiB = 1024 * 1024;
const storage = suite('the daemon keeps its storage healthy (real SQLite files; schedules and sampler on a virtual clock)');

const walBytes = (path: string) => {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
};

storage('issue 12: a long-lived reader lets the WAL grow past 4 MiB; within an hour of it closing the WAL is back under 4 MiB', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sensorctl-daemon-wal-'));
  const dbPath = join(dataDir, 'sensorctl.db');
  const time = new VirtualTime(Date.UTC(2027, 2, 1, 9));
  const log = recordingLogger();
  const config = parseConfig({ deviceId: 'pi', http: { port: 0 } }, 'pi');
  const d = await startDaemon({ config, dataDir, log, time: { clock: time, timers: time, timeZone: 'Europe/London' } });
  try {
    await d.firstBuild;
    // A reader (an export, say) holds one read transaction while many samples are written.
    const reader = new Database(dbPath, { readonly: true });
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT count(*) FROM samples').get();
    d.buffer.defineSeries([{ deviceId: 'bulk', seriesId: 'v', sensorId: 'bulk', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
    for (let batch = 0; batch < 150; batch++) {
      d.buffer.insert('bulk', Array.from({ length: 2_000 }, (_, i) => ({ seriesId: 'v', tsMs: Date.UTC(2026, 0, 1) + (batch * 2_000 + i) * 1_000, value: i })));
    }
    const pinned = walBytes(dbPath);
    assert.ok(pinned > 2 * WAL_SIZE_LIMIT_BYTES, `the reader pinned the WAL: ${(pinned / MiB).toFixed(1)} MiB`);
    await time.advance(16 * MIN, d.isBusy); // one checkpoint slot (15 min) passes with the reader open
    assert.ok(walBytes(dbPath) >= pinned, 'no checkpoint can shrink it while the reader is open');
    reader.prepare('COMMIT').run();
    reader.close();
    await time.advance(WAL_CHECKPOINT_EVERY_MS, d.isBusy); // well within the hour the issue allows
    const after = walBytes(dbPath);
    assert.ok(after < WAL_SIZE_LIMIT_BYTES, `WAL ${(after / MiB).toFixed(1)} MiB an hour after the reader closed (limit 4 MiB)`);
  } finally {
    await d.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  assert.ok(log.lines.includes('warn WAL checkpoint postponed: another connection is reading'), 'the job saw the reader and said so');
});

storage.run();
