import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { main } from '../../../cli/sensorctl.js';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import { openDatabase } from '../../../sqlite/sqlite-db.js';
import { startDynalite, type DynaliteHandle } from '../../support/dynalite.js';
import { BME280_SERIES, DEVICE_ID, diffItems, dynamoItems, loadBme280Month, sqliteItems } from '../../support/upload-fixture.js';

let dyn: DynaliteHandle;
let dir: string;
const saved = { ...process.env };

/** Run `sensorctl …args` in-process; returns exit code and stdout. */
async function sensorctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string) => ((stdout += c), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => ((stderr += c), true)) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'sensorctl', '--data-dir', dir, '--config', join(dir, 'config.json'), ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
  }
}

const DAY = loadBme280Month('2019/09').filter((s) => s.tsMs < Date.UTC(2019, 8, 2));

const cli = suite('sensorctl push / table');
cli.before(async () => {
  dyn = await startDynalite();
  dir = mkdtempSync(join(tmpdir(), 'sensorctl-push-'));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dyn.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDCLI',
    AWS_SECRET_ACCESS_KEY: 'cli-secret',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ deviceId: DEVICE_ID, cloud: { table: 'cli-samples', batchItems: 25, chunkItems: 100 } }));
  const buffer = SqliteBuffer.open(join(dir, 'sensorctl.db'));
  buffer.defineSeries(BME280_SERIES);
  buffer.insert(DEVICE_ID, DAY); // stored before any uplink: not enqueued yet
  buffer.close();
});
cli.after(async () => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  rmSync(dir, { recursive: true, force: true });
  await dyn.close();
});

cli('table create makes the on-demand table through AWS_ENDPOINT_URL_DYNAMODB, and again finds it', async () => {
  const first = await sensorctl('--json', 'table', 'create');
  assert.is(first.code, 0, first.stderr);
  const json = JSON.parse(first.stdout);
  assert.equal([json.created, json.status, json.billingMode], [true, 'ACTIVE', 'PAY_PER_REQUEST']);
  const again = await sensorctl('table', 'create');
  assert.match(again.stdout, /^exists: table cli-samples: ACTIVE/);
  const d = await sensorctl('table', 'describe', '--table', 'nope-table');
  assert.is(d.code, 1);
  assert.match(d.stdout, 'does not exist');
});

cli('push --dry-run counts what --since would enqueue and sends nothing', async () => {
  const r = await sensorctl('--json', 'push', '--dry-run', '--since', '2019-09-01T12:00:00Z');
  assert.is(r.code, 0, r.stderr);
  const expected = storedItems(Date.UTC(2019, 8, 1, 12));
  assert.equal(JSON.parse(r.stdout).items, expected.size);
  assert.is((await dynamoItems(dyn.client, 'cli-samples', DEVICE_ID)).size, 0);
});

cli('push --since uploads the stored samples from then on, with progress lines and a summary', async () => {
  const r = await sensorctl('--json', 'push', '--since', '2019-09-01T12:00:00Z');
  assert.is(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  const expected = storedItems(Date.UTC(2019, 8, 1, 12));
  assert.equal([summary.written, summary.rejected, summary.remainingItems], [expected.size, 0, 0]);
  assert.match(r.stderr, /pushed \d+\/\d+ items/);
  assert.is(diffItems(expected, await dynamoItems(dyn.client, 'cli-samples', DEVICE_ID)), undefined);
  const text = await sensorctl('push');
  assert.match(text.stdout, /pushed to cli-samples: 0 items written, 0 retried, 0 unprocessed, 0 rejected, 0 remaining/);
});

cli('a bad --since is a usage error (exit 2) naming the expected format', async () => {
  const r = await sensorctl('push', '--since', 'yesterday');
  assert.is(r.code, 2);
  assert.match(r.stderr, 'expected an ISO 8601 date');
});

/** Upload queue counts of the CLI's database: pending, leased now, rejected. */
function queueCounts(nowMs = Date.now()) {
  const db = openDatabase(join(dir, 'sensorctl.db'));
  try {
    const p = db.prepare('SELECT count(*) AS n, coalesce(sum(lease_until_ms > ?), 0) AS leased FROM upload_pending').get(nowMs) as { n: number; leased: number };
    const r = db.prepare('SELECT count(*) AS n FROM upload_rejected').get() as { n: number };
    return { pending: p.n, leased: p.leased, rejected: r.n };
  } finally {
    db.close();
  }
}

cli('issue 12: table create on an existing table with tsMs as S fails naming both key schemas; push into it is fatal and leaves every item pending', async () => {
  await dyn.client.send(new CreateTableCommand({
    TableName: 'wrong-keys', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'deviceId', AttributeType: 'S' }, { AttributeName: 'tsMs', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'deviceId', KeyType: 'HASH' }, { AttributeName: 'tsMs', KeyType: 'RANGE' }],
  }));
  const create = await sensorctl('table', 'create', '--table', 'wrong-keys');
  assert.is(create.code, 1, create.stdout);
  assert.match(create.stderr, "the existing table's key schema is deviceId (S, HASH), tsMs (S, RANGE), expected deviceId (S, HASH), tsMs (N, RANGE)");

  const push = await sensorctl('push', '--table', 'wrong-keys', '--since', '2019-09-01T18:00:00Z');
  const expected = storedItems(Date.UTC(2019, 8, 1, 18)).size;
  assert.is(push.code, 1, push.stdout);
  assert.match(push.stdout, /0 items written, 0 retried, 0 unprocessed, 0 rejected/);
  assert.match(push.stdout, /stopped early: .*KeySchemaMismatch.*not deviceId \(S, HASH\), tsMs \(N, RANGE\)/);
  assert.equal(queueCounts(), { pending: expected, leased: 0, rejected: 0 }, 'nothing moved to upload_rejected, nothing left leased');
});

cli('issue 12: push that finds items leased by a killed run says so and exits 1; --wait-for-leases waits and pushes them', async () => {
  const pending = queueCounts().pending; // left pending by the test above
  assert.ok(pending > 0);
  const leaseUntil = (untilMs: number) => {
    const db = openDatabase(join(dir, 'sensorctl.db'));
    try {
      db.prepare("UPDATE upload_pending SET lease_id = 'killed-run', lease_until_ms = ?").run(untilMs); // what a SIGKILLed push leaves
    } finally {
      db.close();
    }
  };
  const untilMs = Date.now() + 10 * 60_000;
  leaseUntil(untilMs);
  const r = await sensorctl('push');
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stdout, `stopped early: ${pending} items leased by another push until ${new Date(untilMs).toISOString()}`);
  assert.match(r.stdout, `0 items written, 0 retried, 0 unprocessed, 0 rejected, ${pending} remaining`);
  const json = JSON.parse((await sensorctl('--json', 'push')).stdout);
  assert.equal([json.leasedItems, json.leasedUntil], [pending, new Date(untilMs).toISOString()]);

  leaseUntil(Date.now() + 1_500);
  const waited = await sensorctl('push', '--wait-for-leases');
  assert.is(waited.code, 0, waited.stdout + waited.stderr);
  assert.match(waited.stderr, `${pending} items leased by another push until`);
  assert.match(waited.stdout, `${pending} items written, 0 retried, 0 unprocessed, 0 rejected, 0 remaining`);
  assert.equal(queueCounts(), { pending: 0, leased: 0, rejected: 0 });
  assert.is(diffItems(storedItems(Date.UTC(2019, 8, 1, 12)), await dynamoItems(dyn.client, 'cli-samples', DEVICE_ID)), undefined);
});

/** Instants stored in the CLI's database from `fromMs` on. */
function storedItems(fromMs: number) {
  const db = openDatabase(join(dir, 'sensorctl.db'));
  const b = SqliteBuffer.openOn(db);
  try {
    return sqliteItems(db, DEVICE_ID, fromMs);
  } finally {
    b.close();
  }
}

cli('after an import with no uplink enabled, push names the samples stored but not queued and the exact push --since that uploads them', async () => {
  const own = mkdtempSync(join(tmpdir(), 'sensorctl-push-import-'));
  const prev = dir;
  dir = own;
  try {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ deviceId: 'imported', cloud: { table: 'cli-samples', batchItems: 25, chunkItems: 100 } }));
    const fixture = join(fileURLToPath(new URL('../../fixtures/import', import.meta.url)), 'duplicates.csv');
    const imp = await sensorctl('import', fixture);
    assert.is(imp.code, 0, imp.stderr);
    assert.match(imp.stdout, 'Not queued for upload (no uplink was enabled while importing): 6 samples from 2019-01-31T16:03:12.702Z; to upload them: sensorctl push --since 2019-01-31T16:03:12.702Z');
    // Before issue 17: "0 items written … 0 remaining" and nothing else.
    const first = await sensorctl('push');
    assert.is(first.code, 0, first.stderr);
    assert.match(first.stdout, /0 items written/);
    assert.match(first.stdout, 'not queued: 6 samples imported from 2019-01-31T16:03:12.702Z to 2019-01-31T16:51:31.472Z are stored but were never queued for upload (imported while no uplink was enabled); to upload them: sensorctl push --since 2019-01-31T16:03:12.702Z');
    const since = /sensorctl push --since (\S+)/.exec(first.stdout)![1];
    const second = await sensorctl('push', '--since', since);
    assert.is(second.code, 0, second.stderr);
    assert.match(second.stdout, /6 items written/);
    assert.not.match(second.stdout, /not queued/);
    assert.is((await dynamoItems(dyn.client, 'cli-samples', 'imported')).size, 6);
  } finally {
    dir = prev;
    rmSync(own, { recursive: true, force: true });
  }
});

cli.run();
