/**
 * S3 adapter of the `ObjectStore` port (@aws-sdk/client-s3 v3), used by the cloud builder (Lambda and
 * `sensorctl rebuild --cloud`) and by the Pi's fallback push.
 *
 * - `put` = PutObject with Content-Type / Content-Encoding / Cache-Control as system metadata.
 * - `get`/`head` answer `undefined` for NoSuchKey / NoSuchVersion / 404; every other SDK error becomes
 *   a `StoreError` carrying the key and the SDK error as `cause`.
 * - VersionId is returned when the bucket is versioned (PutObject `x-amz-version-id`).
 *
 * AWS API reference: PutObject, GetObject, HeadObject, DeleteObject, ListObjectsV2
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { StoreError } from '../builder/errors.js';
import type { ObjectHeaders, ObjectInfo, ObjectStore, PutOptions, StoredObject } from '../builder/ports.js';

/**
 * Object tag (URL-query form) that earlier releases put on their staged keys (`*.tmp-<ts>.json`); the
 * stack's lifecycle rule still expires such leftovers by it (`TEMP_OBJECT_TAG` in
 * cloud/infra/sensor-stack.ts). Nothing writes staged keys any more: a window object is one put.
 */
export const STAGED_OBJECT_TAGGING = 'sensorctl-temp=true';

/** SDK error names that mean "no such object (version)". HeadObject has no body, so its 404 is `NotFound`. */
const ABSENT_NAMES = new Set(['NoSuchKey', 'NotFound', 'NoSuchVersion']);

interface SdkErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function isAbsent(err: unknown): boolean {
  const e = err as SdkErrorLike;
  return ABSENT_NAMES.has(e?.name ?? '') || e?.$metadata?.httpStatusCode === 404;
}

function describe(err: unknown): string {
  const e = err as SdkErrorLike;
  const status = e?.$metadata?.httpStatusCode;
  return `${e?.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${e?.message ?? String(err)}`;
}

function headersOf(o: { ContentType?: string; ContentEncoding?: string; CacheControl?: string }): ObjectHeaders {
  const headers: ObjectHeaders = { contentType: o.ContentType ?? 'binary/octet-stream' };
  if (o.ContentEncoding === 'gzip') headers.contentEncoding = 'gzip';
  if (o.CacheControl) headers.cacheControl = o.CacheControl;
  return headers;
}

/** S3 `ObjectStore` over one bucket; `client` is created once per process/container by the composition root. */
export class S3ObjectStore implements ObjectStore {
  constructor(readonly client: S3Client, readonly bucket: string) {}

  private async call<T>(op: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(op, key, describe(err), { cause: err });
    }
  }

  /**
   * PutObject with the headers as system metadata.
   * With `options.sha256Hex` the request carries `ChecksumSHA256`: S3 verifies the body it received
   * and rejects a mismatch (BadDigest), so the object is stored whole or not at all, in one request.
   * @throws {StoreError} on any SDK failure.
   */
  async put(key: string, body: Uint8Array, headers: ObjectHeaders, options?: PutOptions): Promise<{ versionId?: string }> {
    const checksum = options?.sha256Hex ? { ChecksumSHA256: Buffer.from(options.sha256Hex, 'hex').toString('base64') } : {};
    const out = await this.call('put', key, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.byteLength,
          ContentType: headers.contentType,
          ContentEncoding: headers.contentEncoding,
          CacheControl: headers.cacheControl,
          ...checksum,
        }),
      ),
    );
    return out.VersionId ? { versionId: out.VersionId } : {};
  }

  /**
   * GetObject (of `versionId` when set); `undefined` for NoSuchKey/NoSuchVersion, and for a version the
   * store does not have (an unversioned bucket answers 400 InvalidArgument, or, on some S3-compatible
   * stores, ignores `versionId`: the answer's VersionId must then match). Body bytes are as stored (still gzip).
   */
  /**
   * GetObject with `Range: bytes=<start>-<start + length - 1>`: S3 sends (and bills the transfer of)
   * only those bytes, fewer at the object's end. `undefined` when absent.
   * @throws {StoreError} on any other SDK failure.
   */
  async getRange(key: string, start: number, length: number): Promise<Uint8Array | undefined> {
    return this.call('get', key, async () => {
      try {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${start + length - 1}` }));
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      } catch (err) {
        if (isAbsent(err)) return undefined;
        if ((err as SdkErrorLike)?.name === 'InvalidRange') return new Uint8Array(); // start is past the end
        throw err;
      }
    });
  }

  async get(key: string, options?: { versionId?: string }): Promise<StoredObject | undefined> {
    const wanted = options?.versionId;
    return this.call('get', key, async () => {
      let out;
      try {
        out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: wanted }));
      } catch (err) {
        if (isAbsent(err) || (wanted !== undefined && (err as SdkErrorLike)?.name === 'InvalidArgument')) return undefined;
        throw err;
      }
      if (wanted !== undefined && (out.VersionId ?? 'null') !== wanted) {
        await out.Body?.transformToByteArray();
        return undefined;
      }
      const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      const info: StoredObject = {
        key,
        headers: headersOf(out),
        lastModifiedMs: out.LastModified?.getTime() ?? 0,
        etag: out.ETag ?? '',
        bytes: body.byteLength,
        body,
      };
      if (out.VersionId && out.VersionId !== 'null') info.versionId = out.VersionId;
      return info;
    });
  }

  /** HeadObject; `undefined` when absent. */
  async head(key: string, options?: { versionId?: string }): Promise<ObjectInfo | undefined> {
    return this.call('head', key, async () => {
      let out;
      try {
        out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key, VersionId: options?.versionId }));
      } catch (err) {
        if (isAbsent(err)) return undefined;
        throw err;
      }
      const info: ObjectInfo = {
        key,
        headers: headersOf(out),
        lastModifiedMs: out.LastModified?.getTime() ?? 0,
        etag: out.ETag ?? '',
        bytes: out.ContentLength ?? 0,
      };
      if (out.VersionId && out.VersionId !== 'null') info.versionId = out.VersionId;
      return info;
    });
  }

  /** DeleteObject (on a versioned bucket this adds a delete marker); absent is fine. */
  async delete(key: string): Promise<void> {
    await this.call('delete', key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  /** ListObjectsV2 over every page (ContinuationToken); keys in S3's lexical (UTF-8 binary) order. */
  async list(prefix: string): Promise<string[]> {
    return this.call('list', prefix, async () => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
      return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    });
  }
}
