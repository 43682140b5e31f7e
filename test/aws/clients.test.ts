import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, createS3Client, dynamoEndpointOf, s3EndpointOf } from '../../aws/clients.js';
import { createTable, describeTable, UPLOAD_CLIENT_OPTIONS } from '../../aws/dynamodb-sink.js';
import { startDynalite, type DynaliteHandle } from '../support/dynalite.js';

const a = suite('aws-clients');
a('prefers the service-specific endpoint variable over AWS_ENDPOINT_URL', () => {
  assert.is(s3EndpointOf({ AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_S3: 'http://s3' }), 'http://s3');
  assert.is(s3EndpointOf({ AWS_ENDPOINT_URL: 'http://a' }), 'http://a');
  assert.is(dynamoEndpointOf({ AWS_ENDPOINT_URL_DYNAMODB: 'http://d' }), 'http://d');
  assert.is(s3EndpointOf({}), undefined);
});
a('uses path-style addressing exactly when the S3 endpoint is overridden', async () => {
  const local = createS3Client({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' });
  const aws = createS3Client({});
  assert.is(local.config.forcePathStyle, true);
  assert.is(aws.config.forcePathStyle, false);
  local.destroy();
  aws.destroy();
});
a.run();

const env = suite('createDynamoClient');
let dyn: DynaliteHandle;
env.before(async () => void (dyn = await startDynalite()));
env.after(async () => dyn.close());

env('follows AWS_ENDPOINT_URL_DYNAMODB and the default credential chain from the environment', async () => {
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dyn.endpoint,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'AKIDENV',
    AWS_SECRET_ACCESS_KEY: 'env-secret',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  });
  try {
    const client = createDynamoClient(process.env, UPLOAD_CLIENT_OPTIONS);
    const { created } = await createTable(client, 'samples-env');
    assert.is(created, true);
    assert.is((await describeTable(dyn.client, 'samples-env'))?.status, 'ACTIVE', 'the table landed in this dynalite');
    client.destroy();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
});

env("applies the given settings and keeps the SDK's defaults otherwise: the SDK's attempts for the Lambdas, 1 for the uploader", async () => {
  const plain = new DynamoDBClient({});
  const lambda = createDynamoClient({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' });
  const upload = createDynamoClient({}, { ...UPLOAD_CLIENT_OPTIONS, region: 'eu-central-1', endpoint: 'http://127.0.0.1:8' });
  assert.is(await lambda.config.maxAttempts(), await plain.config.maxAttempts());
  assert.is((await lambda.config.endpoint!()).port, 9);
  assert.is(await upload.config.maxAttempts(), 1);
  assert.is(await upload.config.region(), 'eu-central-1');
  assert.is((await upload.config.endpoint!()).port, 8);
  plain.destroy();
  lambda.destroy();
  upload.destroy();
});

env.run();
