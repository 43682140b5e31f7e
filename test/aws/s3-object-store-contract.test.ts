/**
 * S3ObjectStore through the shared ObjectStore contract (test/support/object-store-contract.ts), the
 * same suite the memory and filesystem stores pass: once against s3rver (a real S3 REST peer,
 * unversioned bucket) and once against the versioned-bucket emulation (test/support/versioned-s3.ts).
 * Each contract test gets a fresh peer, so every store starts empty.
 */
import { S3ObjectStore } from '../../aws/s3-object-store.js';
import { objectStoreContract } from '../support/object-store-contract.js';
import { startS3rver } from '../support/s3rver.js';
import { startVersionedS3 } from '../support/versioned-s3.js';

objectStoreContract('S3ObjectStore on s3rver', async () => {
  const s3 = await startS3rver();
  return { store: new S3ObjectStore(s3.client, s3.bucket), close: () => s3.close() };
}, 'none');

objectStoreContract('S3ObjectStore on a versioned bucket (emulation)', async () => {
  const s3 = await startVersionedS3();
  return { store: new S3ObjectStore(s3.client, s3.bucket), close: () => s3.close() };
}, 'all');
