import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createS3Client, dynamoEndpointOf, s3EndpointOf } from '../../aws/clients.js';

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
