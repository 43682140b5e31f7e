/**
 * Child process for multi-process upload tests (run with `node --import tsx`). Env:
 * - `CHILD_MODE=upload`: drain the queue of `CHILD_DB` into `CHILD_TABLE` at `CHILD_ENDPOINT`, printing
 *   `started` after the first batch and `done <json>` at the end; loops until `CHILD_IDLE_RUNS`
 *   consecutive runs find nothing (default 1).
 * - `CHILD_MODE=sample`: insert `CHILD_SAMPLES` samples of series `CHILD_SERIES` from `CHILD_START_MS`
 *   every 1000 ms, `CHILD_PER_TX` per transaction, like the sampler; prints `done <inserted>`.
 */
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { openDatabase } from '../../sqlite/sqlite-db.js';
import { SqliteUploadQueue } from '../../sqlite/sqlite-upload-queue.js';
import { createDynamoClient } from '../../aws/clients.js';
import { DynamoDbSink, UPLOAD_CLIENT_OPTIONS } from '../../aws/dynamodb-sink.js';
import { Uploader } from '../../agent/upload/uploader.js';
import { nodeMonotonicScheduler } from '../../platform/node-monotonic-scheduler.js';
import { FAKE_CREDENTIALS } from './s3rver.js';
import { silentLog as silent } from '../../builder/ports.js';

const env = process.env;
const db = openDatabase(env.CHILD_DB!);
const buffer = SqliteBuffer.openOn(db);

if (env.CHILD_MODE === 'sample') {
  const total = Number(env.CHILD_SAMPLES);
  const perTx = Number(env.CHILD_PER_TX ?? 1);
  const start = Number(env.CHILD_START_MS);
  const device = env.CHILD_DEVICE!;
  let inserted = 0;
  for (let i = 0; i < total; i += perTx) {
    const batch = Array.from({ length: Math.min(perTx, total - i) }, (_, k) => ({ seriesId: env.CHILD_SERIES!, tsMs: start + (i + k) * 1000, value: (i + k) / 10 }));
    inserted += buffer.insert(device, batch).inserted;
  }
  process.stdout.write(`done ${inserted}\n`);
} else {
  const queue = SqliteUploadQueue.open(db);
  const client = createDynamoClient({}, { ...UPLOAD_CLIENT_OPTIONS, region: 'us-east-1', endpoint: env.CHILD_ENDPOINT, credentials: FAKE_CREDENTIALS, requestTimeoutMs: 5_000 });
  const uploader = new Uploader(queue, new DynamoDbSink(client, env.CHILD_TABLE!), { nowMs: () => Date.now() }, nodeMonotonicScheduler, silent, {
    batchItems: Number(env.CHILD_BATCH ?? 25),
    maxInFlight: Number(env.CHILD_IN_FLIGHT ?? 2),
    leaseMs: Number(env.CHILD_LEASE_MS ?? 60_000),
    minBackoffMs: 1,
    maxBackoffMs: 20,
    attempts: 20,
  });
  let announced = false;
  let idle = 0;
  let written = 0;
  while (idle < Number(env.CHILD_IDLE_RUNS ?? 1)) {
    const r = await uploader.runOnce({
      onProgress: () => {
        if (!announced) process.stdout.write('started\n');
        announced = true;
      },
    });
    written += r.written;
    idle = r.written + r.rejected === 0 ? idle + 1 : 0;
    if (idle) await new Promise((res) => setTimeout(res, 30));
  }
  client.destroy();
  process.stdout.write(`done ${JSON.stringify({ written })}\n`);
}
buffer.close();
