/**
 * Starts s3rver (a real S3 REST protocol peer, filesystem-backed) in-process on 127.0.0.1 with a random
 * port, a fresh temp directory and one bucket, and builds an SDK S3 client for it (fake credentials,
 * path-style). s3rver keeps no object versions: for the versioned-bucket path use `versioned-s3.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';

/** Fake credentials accepted by every local peer (s3rver, dynalite, the versioned emulation). */
export const FAKE_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3rverHandle {
  endpoint: string;
  bucket: string;
  client: S3Client;
  close(): Promise<void>;
}

/**
 * Start s3rver with `bucket` (and `moreBuckets`, e.g. the local cloud's page bucket) created; `close()`
 * stops it, destroys the client and removes the temp dir.
 */
export async function startS3rver(bucket = 'snapshots-test', moreBuckets: readonly string[] = []): Promise<S3rverHandle> {
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const configureBuckets = [bucket, ...moreBuckets].map((name) => ({ name }));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets });
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: FAKE_CREDENTIALS });
  return {
    endpoint,
    bucket,
    client,
    async close() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
