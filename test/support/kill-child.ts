/**
 * Child process of the kill-safety test: opens the buffer at argv[2] and inserts batches of
 * `BATCH_ROWS` samples for ever (batch k covers tsMs k*BATCH_ROWS … (k+1)*BATCH_ROWS-1 of two series),
 * printing `committed k` after each insert returned. Starts after the highest batch already stored.
 */
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import type { Sample } from '../../builder/types.js';

export const BATCH_ROWS = 500;
const b = SqliteBuffer.open(process.argv[2]);
b.defineSeries(['a', 'b'].map((id) => ({ deviceId: 'pi', seriesId: id, sensorId: 'k', metric: 'tempC', unit: '°C', kind: 'gauge' as const })));
let k = Math.floor(((b.newestTsMs('pi') ?? -1) + 1) / BATCH_ROWS);
process.stdout.write('ready\n');
for (;;) {
  const batch: Sample[] = [];
  for (let i = 0; i < BATCH_ROWS; i++) for (const id of ['a', 'b']) batch.push({ seriesId: id, tsMs: k * BATCH_ROWS + i, value: k + i / BATCH_ROWS });
  b.insert('pi', batch);
  process.stdout.write(`committed ${k}\n`);
  k++;
}
