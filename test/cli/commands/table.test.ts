/**
 * `sensorctl table create --jobs-table` and `sensorctl table index-devices` (issue 14) in-process,
 * against dynalite through AWS_ENDPOINT_URL_DYNAMODB. dynalite has no UpdateTimeToLive: one test puts
 * the fault proxy in front to answer the TTL calls as DynamoDB does (the only emulated part).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CreateTableCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { listCatalogDeviceIds } from '../../../aws/dynamodb-devices.js';
import { encodeCatalogItem, ENTITY_ATTRIBUTE } from '../../../aws/dynamodb-item.js';
import { BME280_SERIES } from '../../support/upload-fixture.js';
import { main } from '../../../cli/sensorctl.js';
import { DynamoDbJobStore } from '../../../aws/dynamodb-job-store.js';
import { startDynalite, type DynaliteHandle } from '../../support/dynalite.js';
import { startFaultProxy } from '../../support/fault-proxy.js';

let dyn: DynaliteHandle;
let dir: string;
const saved = { ...process.env };

/** Run `sensorctl …args` in-process; returns exit code, stdout and stderr. */
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

const jobs = suite('sensorctl table create --jobs-table');
jobs.before(async () => {
  dyn = await startDynalite({ table: 'cli-samples' });
  dir = mkdtempSync(join(tmpdir(), 'sensorctl-table-'));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dyn.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDCLI',
    AWS_SECRET_ACCESS_KEY: 'cli-secret',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ deviceId: 'cli-pi', cloud: { table: 'cli-samples' } }));
});
jobs.after(async () => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  rmSync(dir, { recursive: true, force: true });
  await dyn.close();
});

jobs('issue 14: creates the refresh-jobs table (pk S, on-demand) beside the samples table; the job store writes into it; a second run finds both', async () => {
  const first = await sensorctl('--json', 'table', 'create', '--jobs-table', 'cli-jobs');
  assert.is(first.code, 0, first.stderr);
  const json = JSON.parse(first.stdout);
  assert.equal([json.table, json.created], ['cli-samples', false], 'the samples table existed');
  assert.equal(
    [json.jobsTable.table, json.jobsTable.created, json.jobsTable.status, json.jobsTable.billingMode, json.jobsTable.keySchema],
    ['cli-jobs', true, 'ACTIVE', 'PAY_PER_REQUEST', [{ attribute: 'pk', keyType: 'HASH', attributeType: 'S' }]],
  );
  assert.is(json.jobsTable.ttl, 'unsupported', 'dynalite has no UpdateTimeToLive');

  const store = new DynamoDbJobStore(dyn.client, 'cli-jobs');
  const created = await store.create({ device: 'cli-pi', window: '1d', granularity: 100 }, 'req-1', Date.UTC(2026, 11, 4), 5_000);
  assert.is(created.isNew, true, 'a job and its lock were stored');
  assert.is((await store.get('req-1', Date.UTC(2026, 11, 4)))?.status, 'queued');

  const again = await sensorctl('table', 'create', '--jobs-table', 'cli-jobs');
  assert.is(again.code, 0, again.stderr);
  const lines = again.stdout.trim().split('\n');
  assert.is(lines.length, 2, again.stdout);
  assert.match(lines[0], /^exists: table cli-samples: ACTIVE, billing PAY_PER_REQUEST, keys deviceId \(S, HASH\), tsMs \(N, RANGE\)/);
  assert.match(lines[1], /^exists: table cli-jobs: ACTIVE, billing PAY_PER_REQUEST, keys pk \(S, HASH\), .*; TTL not supported by this endpoint \(an emulator\): expired jobs are ignored on read$/);
});

jobs('issue 14: on DynamoDB (TTL answered as the service does) TTL on expiresAtS is turned on once, then found on', async () => {
  let ttl: { AttributeName?: string; Enabled?: boolean } = {};
  const updates: unknown[] = [];
  const proxy = await startFaultProxy(dyn.endpoint, ({ operation, body }) => {
    if (operation === 'DescribeTimeToLive') {
      return { kind: 'reply', body: { TimeToLiveDescription: ttl.Enabled ? { TimeToLiveStatus: 'ENABLED', AttributeName: ttl.AttributeName } : { TimeToLiveStatus: 'DISABLED' } } };
    }
    if (operation === 'UpdateTimeToLive') {
      updates.push(body);
      ttl = body.TimeToLiveSpecification;
      return { kind: 'reply', body: { TimeToLiveSpecification: ttl } };
    }
    return { kind: 'pass' };
  });
  process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint;
  try {
    const first = await sensorctl('table', 'create', '--jobs-table', 'ttl-jobs');
    assert.is(first.code, 0, first.stderr);
    assert.match(first.stdout, /^created: table ttl-jobs: ACTIVE, .*keys pk \(S, HASH\).*; TTL on expiresAtS enabled now$/m);
    const again = await sensorctl('table', 'create', '--jobs-table', 'ttl-jobs');
    assert.match(again.stdout, /^exists: table ttl-jobs: .*; TTL on expiresAtS already on$/m);
    assert.equal(updates, [{ TableName: 'ttl-jobs', TimeToLiveSpecification: { AttributeName: 'expiresAtS', Enabled: true } }]);

    ttl = { AttributeName: 'ttl', Enabled: true };
    const other = await sensorctl('table', 'create', '--jobs-table', 'ttl-jobs');
    assert.is(other.code, 1);
    assert.match(other.stderr, 'TtlAttributeMismatch: TTL is on attribute ttl, expected expiresAtS');
  } finally {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dyn.endpoint;
    await proxy.stop();
  }
});

jobs('an existing jobs table with another key schema fails (exit 1) naming both; a bad name is a usage error', async () => {
  await dyn.client.send(new CreateTableCommand({
    TableName: 'wrong-jobs', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'requestId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
  }));
  const r = await sensorctl('table', 'create', '--jobs-table', 'wrong-jobs');
  assert.is(r.code, 1, r.stdout);
  assert.match(r.stderr, "the existing table's key schema is requestId (S, HASH), expected pk (S, HASH); refresh jobs cannot be stored in it");
  const bad = await sensorctl('table', 'create', '--jobs-table', 'x');
  assert.is(bad.code, 2);
  assert.match(bad.stderr, '--jobs-table x: expected 3–255 of');
});

jobs.run();

const migrate = suite('sensorctl table index-devices');
migrate.before(async () => {
  dyn = await startDynalite({ table: 'cli-samples' });
  dir = mkdtempSync(join(tmpdir(), 'sensorctl-table-'));
  Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: dyn.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDCLI', AWS_SECRET_ACCESS_KEY: 'cli-secret', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ deviceId: 'cli-pi', cloud: { table: 'cli-samples' } }));
});
migrate.after(async () => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  rmSync(dir, { recursive: true, force: true });
  await dyn.close();
});

migrate('issue 14: --dry-run counts, a run updates the old catalogue (then listed), a second run updates 0; a missing table exits 1 naming it', async () => {
  const old = encodeCatalogItem('old-pi', BME280_SERIES);
  delete old[ENTITY_ATTRIBUTE];
  await dyn.client.send(new PutItemCommand({ TableName: 'cli-samples', Item: old as Record<string, AttributeValue> }));
  const dry = await sensorctl('table', 'index-devices', '--dry-run');
  assert.is(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^dry run, nothing changed: cli-samples: 1 items scanned, 1 catalogues, 1 to update, 0 already set/);
  assert.match(dry.stderr, 'index-devices cli-samples: 1 items scanned');
  assert.equal(await listCatalogDeviceIds(dyn.client, 'cli-samples'), []);
  const run = await sensorctl('--json', 'table', 'index-devices');
  assert.is(run.code, 0, run.stderr);
  assert.equal((({ scanned, updated, alreadySet }) => ({ scanned, updated, alreadySet }))(JSON.parse(run.stdout)), { scanned: 1, updated: 1, alreadySet: 0 });
  assert.equal(await listCatalogDeviceIds(dyn.client, 'cli-samples'), ['old-pi']);
  const again = await sensorctl('table', 'index-devices');
  assert.match(again.stdout, /^done: cli-samples: 1 items scanned, 1 catalogues, 0 updated, 1 already set/);
  const missing = await sensorctl('table', 'index-devices', '--table', 'no-such-table');
  assert.is(missing.code, 1);
  assert.match(missing.stderr, 'stopped after 0 items scanned');
  assert.match(missing.stderr, 'no-such-table: ResourceNotFoundException');
});

migrate('an AWS error that echoes the request\'s signature and secret exits 1 with them redacted', async () => {
  const echo = createServer((req, res) => {
    req.resume();
    res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ __type: 'com.amazon.coral.service#UnrecognizedClientException', message: `echo Authorization: ${req.headers.authorization} secret=cli-secret` }));
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  try {
    const r = await sensorctl('table', 'index-devices');
    assert.is(r.code, 1, r.stdout);
    assert.match(r.stderr, 'UnrecognizedClientException: echo Authorization');
    assert.not.ok(r.stderr.includes('cli-secret'), r.stderr);
    assert.not.match(r.stderr, /Signature=[0-9a-f]{16}/);
  } finally {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dyn.endpoint;
    await new Promise((resolve) => echo.close(resolve));
  }
});

migrate.run();
