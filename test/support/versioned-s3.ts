/**
 * A FAITHFUL EMULATION (not a real peer) of the S3 REST API on a bucket with versioning enabled,
 * served by node:http on 127.0.0.1 so the real `@aws-sdk/client-s3` client talks to it path-style.
 * It exists because no local S3 peer here keeps object versions (s3rver does not).
 *
 * Emulated, after the Amazon S3 API reference (https://docs.aws.amazon.com/AmazonS3/latest/API/):
 * - PutObject: stores a new version; answers `ETag` and `x-amz-version-id`; keeps Content-Type,
 *   Content-Encoding, Cache-Control (default Content-Type `binary/octet-stream`).
 * - CopyObject (PUT with `x-amz-copy-source`, optionally `?versionId=`): new version of the target;
 *   `x-amz-metadata-directive: REPLACE` takes the system headers from the request and, like real S3,
 *   resets an absent Content-Type to `binary/octet-stream` and drops an absent Content-Encoding;
 *   COPY keeps the source's. Answers `<CopyObjectResult>` with `x-amz-version-id` and
 *   `x-amz-copy-source-version-id`.
 * - GetObject / HeadObject, with `?versionId=`: headers `x-amz-version-id`, `ETag`, `Last-Modified`,
 *   `Content-Length`. Current version a delete marker → 404 NoSuchKey with `x-amz-delete-marker: true`;
 *   unknown versionId → 404 NoSuchVersion; no such key → 404 NoSuchKey (HEAD: same statuses, no body).
 * - DeleteObject without versionId: adds a delete marker, 204 with `x-amz-delete-marker: true` and the
 *   marker's `x-amz-version-id`.
 * - ListObjectsV2 (`list-type=2`, `prefix`, `max-keys` ≤ 1000, `continuation-token`): keys whose
 *   current version is not a delete marker, in UTF-8 binary order, `IsTruncated`/`NextContinuationToken`.
 * - Unknown bucket → 404 NoSuchBucket. Error bodies are S3's `<Error><Code/><Message/>…</Error>` XML.
 * Not emulated: signature checking (any credentials pass), multipart, ACLs, tagging, checksums.
 * `faults` lets a test make the next PutObject or CopyObject answer 500 InternalError.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { FAKE_CREDENTIALS } from './s3rver.js';

interface Version {
  versionId: string;
  isDeleteMarker: boolean;
  body: Buffer;
  contentType: string;
  contentEncoding?: string;
  cacheControl?: string;
  etag: string;
  lastModified: Date;
}

export interface VersionedS3Handle {
  endpoint: string;
  bucket: string;
  client: S3Client;
  /** Every version of `key`, oldest first (delete markers included). */
  versions(key: string): ReadonlyArray<Readonly<Version>>;
  /** Counts of the next calls to fail with 500 InternalError, per operation. */
  faults: { put: number; copy: number };
  close(): Promise<void>;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function sendError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}): void {
  const fields = Object.entries(extra).map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${fields}<RequestId>emulated</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': 'emulated', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

const newVersionId = () => randomBytes(24).toString('base64url');

/** Start the emulation with one versioned bucket; `close()` stops the server and destroys the client. */
export async function startVersionedS3(bucket = 'versioned-test'): Promise<VersionedS3Handle> {
  const objects = new Map<string, Version[]>();
  const faults = { put: 0, copy: 0 };

  const current = (key: string) => objects.get(key)?.at(-1);
  const find = (key: string, versionId: string | null) => (versionId === null ? current(key) : objects.get(key)?.find((v) => v.versionId === versionId));
  const append = (key: string, v: Version) => objects.set(key, [...(objects.get(key) ?? []), v]);

  function objectHeaders(v: Version): Record<string, string> {
    const h: Record<string, string> = {
      'content-type': v.contentType,
      'content-length': String(v.body.length),
      etag: v.etag,
      'last-modified': v.lastModified.toUTCString(),
      'x-amz-version-id': v.versionId,
    };
    if (v.contentEncoding) h['content-encoding'] = v.contentEncoding;
    if (v.cacheControl) h['cache-control'] = v.cacheControl;
    return h;
  }

  function getOrHead(req: IncomingMessage, res: ServerResponse, key: string, versionId: string | null): void {
    const v = find(key, versionId);
    if (!v) {
      if (versionId !== null && objects.has(key)) return sendError(res, 404, 'NoSuchVersion', 'The specified version does not exist.', { Key: key, VersionId: versionId });
      return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    }
    if (v.isDeleteMarker) {
      if (versionId !== null) return sendError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {}, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': v.versionId });
      return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: key }, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': v.versionId });
    }
    res.writeHead(200, objectHeaders(v));
    res.end(req.method === 'HEAD' ? undefined : v.body);
  }

  function put(req: IncomingMessage, res: ServerResponse, key: string, body: Buffer): void {
    const source = req.headers['x-amz-copy-source'];
    if (typeof source === 'string') return copy(req, res, key, source);
    if (faults.put > 0) return faults.put--, sendError(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
    const v: Version = {
      versionId: newVersionId(),
      isDeleteMarker: false,
      body,
      contentType: req.headers['content-type'] ?? 'binary/octet-stream',
      contentEncoding: req.headers['content-encoding'],
      cacheControl: req.headers['cache-control'],
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: new Date(),
    };
    append(key, v);
    res.writeHead(200, { etag: v.etag, 'x-amz-version-id': v.versionId, 'content-length': '0' });
    res.end();
  }

  function copy(req: IncomingMessage, res: ServerResponse, key: string, source: string): void {
    if (faults.copy > 0) return faults.copy--, sendError(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
    const [path, query = ''] = source.replace(/^\//, '').split('?');
    const srcBucket = path.split('/')[0];
    const srcKey = decodeURIComponent(path.slice(srcBucket.length + 1));
    const srcVersion = new URLSearchParams(query).get('versionId');
    if (srcBucket !== bucket) return sendError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: srcBucket });
    const src = find(srcKey, srcVersion);
    if (!src || src.isDeleteMarker) return sendError(res, 404, srcVersion && objects.has(srcKey) ? 'NoSuchVersion' : 'NoSuchKey', 'The specified key does not exist.', { Key: srcKey });
    const replace = req.headers['x-amz-metadata-directive'] === 'REPLACE';
    const v: Version = {
      ...src,
      versionId: newVersionId(),
      lastModified: new Date(),
      contentType: replace ? req.headers['content-type'] ?? 'binary/octet-stream' : src.contentType,
      contentEncoding: replace ? req.headers['content-encoding'] : src.contentEncoding,
      cacheControl: replace ? req.headers['cache-control'] : src.cacheControl,
    };
    append(key, v);
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><LastModified>${v.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(v.etag)}</ETag></CopyObjectResult>`;
    res.writeHead(200, { 'content-type': 'application/xml', 'x-amz-version-id': v.versionId, 'x-amz-copy-source-version-id': src.versionId });
    res.end(xml);
  }

  function del(res: ServerResponse, key: string): void {
    const marker: Version = { versionId: newVersionId(), isDeleteMarker: true, body: Buffer.alloc(0), contentType: '', etag: '', lastModified: new Date() };
    if (objects.has(key)) append(key, marker);
    res.writeHead(204, objects.has(key) ? { 'x-amz-delete-marker': 'true', 'x-amz-version-id': marker.versionId } : {});
    res.end();
  }

  function list(res: ServerResponse, q: URLSearchParams): void {
    const prefix = q.get('prefix') ?? '';
    const maxKeys = Math.min(Number(q.get('max-keys') ?? 1000), 1000);
    const token = q.get('continuation-token');
    const startAfter = token ? Buffer.from(token, 'base64url').toString('utf8') : q.get('start-after') ?? '';
    const keys = [...objects.keys()]
      .filter((k) => k.startsWith(prefix) && k > startAfter && !current(k)!.isDeleteMarker)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const page = keys.slice(0, maxKeys);
    const truncated = keys.length > maxKeys;
    const contents = page
      .map((k) => {
        const v = current(k)!;
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${v.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(v.etag)}</ETag><Size>${v.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join('');
    const next = truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1)!).toString('base64url')}</NextContinuationToken>` : '';
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${token ? `<ContinuationToken>${token}</ContinuationToken>` : ''}${next}${contents}</ListBucketResult>`;
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(xml);
  }

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, reqBucket = '', ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    if (reqBucket !== bucket) return sendError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: reqBucket });
    const versionId = url.searchParams.get('versionId');
    if (!key) {
      if (req.method === 'GET' && url.searchParams.get('list-type') === '2') return list(res, url.searchParams);
      return sendError(res, 501, 'NotImplemented', `bucket operation ${req.method} ${url.search} is not emulated`);
    }
    if (req.method === 'PUT') return put(req, res, key, body);
    if (req.method === 'GET' || req.method === 'HEAD') return getOrHead(req, res, key, versionId);
    if (req.method === 'DELETE' && versionId === null) return del(res, key);
    return sendError(res, 501, 'NotImplemented', `${req.method} ${url.search} is not emulated`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: FAKE_CREDENTIALS, maxAttempts: 1 });
  return {
    endpoint,
    bucket,
    client,
    faults,
    versions: (key) => objects.get(key) ?? [],
    async close() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
