import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatSensorStatuses, publishSensorStatus, readSensorStatuses, type SensorStatus } from '../../../agent/sampling/sensor-status.js';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';

const st = (id: string, state: SensorStatus['state']): SensorStatus => ({
  id, type: 'sht3x', state, sinceMs: Date.UTC(2026, 10, 30, 12), consecutiveFailures: state === 'online' ? 0 : 6, reads: 10, failedReads: 6,
  errorCounts: state === 'online' ? {} : { eremoteio: 5, crc_mismatch: 1 }, reinits: 2, lastError: 'sht: read 6-byte frame failed with EREMOTEIO',
});

const s = suite('sensor status in the buffer state table');
s("round-trips through the buffer's state table (real SQLite), latest status per sensor", () => {
  const buffer = SqliteBuffer.open(':memory:');
  publishSensorStatus(buffer, st('a', 'online'), ['a', 'b']);
  publishSensorStatus(buffer, st('b', 'offline'), ['a', 'b']);
  publishSensorStatus(buffer, { ...st('a', 'failing') }, ['a', 'b']);
  assert.equal(readSensorStatuses(buffer).map((x) => [x.id, x.state]), [['a', 'failing'], ['b', 'offline']]);
  buffer.close();
});
s('reads nothing from an empty store', () => {
  const buffer = SqliteBuffer.open(':memory:');
  assert.equal(readSensorStatuses(buffer), []);
  buffer.close();
});
s.run();

const f = suite('formatSensorStatuses');
f('shows state, counts per code and the last error of a sensor that is not online', () => {
  assert.equal(formatSensorStatuses([st('sht', 'offline')]), [
    'sht      sht3x    offline  since 2026-11-30T12:00:00.000Z  reads 10 failed 6  eremoteio=5 crc_mismatch=1  last error: sht: read 6-byte frame failed with EREMOTEIO',
  ]);
});
f.run();
