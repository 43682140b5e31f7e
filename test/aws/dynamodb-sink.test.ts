import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTable, describeTable, DynamoDbSink, translateError } from '../../aws/dynamodb-sink.js';
import { FatalUploadError, PermanentUploadError, TransientUploadError } from '../../agent/upload/errors.js';
import { encodeSampleItem } from '../../aws/dynamodb-item.js';
import { startDynalite, type DynaliteHandle } from '../support/dynalite.js';
import { FAULTS, startFaultProxy } from '../support/fault-proxy.js';

let dyn: DynaliteHandle;
const start = async () => void (dyn = await startDynalite());
const stop = async () => dyn.close();

const translate = suite('translateError');

translate('classifies throttling, 5xx and network faults as transient', () => {
  for (const name of ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']) {
    assert.instance(translateError('t', Object.assign(new Error('x'), { name, $metadata: { httpStatusCode: 400 } })), TransientUploadError, name);
  }
  assert.instance(translateError('t', Object.assign(new Error('x'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } })), TransientUploadError);
  assert.instance(translateError('t', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), TransientUploadError);
});

translate('classifies validation errors as permanent and a missing table or bad credentials as fatal', () => {
  assert.instance(translateError('t', Object.assign(new Error('x'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } })), PermanentUploadError);
  assert.instance(translateError('t', Object.assign(new Error('x'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } })), FatalUploadError);
  assert.instance(translateError('t', Object.assign(new Error('x'), { name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 400 } })), FatalUploadError);
});

translate('never carries access key ids or signatures in its message', () => {
  const e = translateError('t', Object.assign(new Error('Credential=AKIAIOSFODNN7EXAMPLE/20261130/us-east-1/dynamodb/aws4_request, Signature=abc123 does not match'), { name: 'InvalidSignatureException', $metadata: { httpStatusCode: 400 } }));
  assert.instance(e, FatalUploadError);
  assert.not.match(e.message, 'IOSFODNN7EXAMPLE');
  assert.not.match(e.message, 'abc123');
});

const table = suite('createTable');
table.before(start);
table.after(stop);

table('creates an on-demand table keyed deviceId (S) + tsMs (N), ACTIVE, and is idempotent', async () => {
  const client = dyn.uploadClient();
  const first = await createTable(client, 'samples-create');
  assert.is(first.created, true);
  assert.is(first.description.status, 'ACTIVE');
  assert.is(first.description.billingMode, 'PAY_PER_REQUEST');
  assert.equal(first.description.keySchema, [
    { attribute: 'deviceId', keyType: 'HASH', attributeType: 'S' },
    { attribute: 'tsMs', keyType: 'RANGE', attributeType: 'N' },
  ]);
  const again = await createTable(client, 'samples-create');
  assert.is(again.created, false);
  assert.is(await describeTable(client, 'no-such-table'), undefined);
  client.destroy();
});

const sink = suite('DynamoDbSink.writeBatch');
sink.before(start);
sink.after(stop);

sink('a batch with one key twice is refused by the peer as a permanent (non-retryable) error', async () => {
  const client = dyn.uploadClient();
  await createTable(client, 'samples-dup');
  const { item } = encodeSampleItem('d1', 1_000, { 'a.tempC': 1 });
  try {
    await new DynamoDbSink(client, 'samples-dup').writeBatch([item, item]);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, PermanentUploadError);
    assert.is((err as PermanentUploadError).code, 'ValidationException');
  }
  client.destroy();
});

sink('a missing table is fatal, not a reason to reject items', async () => {
  const client = dyn.uploadClient();
  const { item } = encodeSampleItem('d1', 1_000, { 'a.tempC': 1 });
  try {
    await new DynamoDbSink(client, 'missing-table').writeBatch([item]);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, FatalUploadError);
  }
  client.destroy();
});

sink('reports exactly the keys answered in UnprocessedItems and translates injected throttling', async () => {
  const proxy = await startFaultProxy(dyn.endpoint, (c) => (c.index === 0 ? { kind: 'unprocessed', keep: 1 } : FAULTS.provisioned));
  const client = dyn.uploadClient(proxy.endpoint);
  await createTable(dyn.client, 'samples-unproc');
  const items = [1, 2, 3].map((t) => encodeSampleItem('d1', t, { 'a.tempC': t }).item);
  const s = new DynamoDbSink(client, 'samples-unproc');
  assert.equal((await s.writeBatch(items)).unprocessed, [
    { deviceId: 'd1', tsMs: 2 },
    { deviceId: 'd1', tsMs: 3 },
  ]);
  try {
    await s.writeBatch(items);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, TransientUploadError);
    assert.is((err as TransientUploadError).code, 'ProvisionedThroughputExceededException');
  }
  client.destroy();
  await proxy.stop();
});

translate.run();
table.run();
sink.run();
