/**
 * Small HTTP helpers of the core: JSON and error responses, HTTP dates, `Accept-Encoding` and
 * `If-None-Match` evaluation (RFC 9110 §12.5.3, §13.1.2).
 */
import { ApiError, errorBody } from './errors.js';

/** Content type of every JSON body. */
export const JSON_TYPE = 'application/json; charset=utf-8';

const encoder = new TextEncoder();

/** A JSON response; `headers` are added to the content type. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(encoder.encode(JSON.stringify(body)), {
    status,
    headers: { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-store', ...headers },
  });
}

/** The contract's JSON error response for `err`, with `err.headers` (e.g. `Allow`). */
export function errorResponse(err: ApiError): Response {
  return jsonResponse(err.status, errorBody(err), err.headers);
}

/** IMF-fixdate of epoch ms, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7). */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** q-values of the codings listed in an `Accept-Encoding` header, by lowercase name (`*` included). */
function qualities(header: string): Map<string, number> {
  const listed = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (name.trim()) listed.set(name.trim(), Number.isFinite(q) ? q : 0);
  }
  return listed;
}

/**
 * True when the request accepts gzip: `gzip` or `x-gzip` listed with q > 0, or neither listed and
 * `*` with q > 0 (RFC 9110 §12.5.3).
 */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  const listed = qualities(header);
  if (listed.has('gzip') || listed.has('x-gzip')) return (listed.get('gzip') ?? 0) > 0 || (listed.get('x-gzip') ?? 0) > 0;
  return (listed.get('*') ?? 0) > 0;
}

/** Opaque part of an entity tag: `W/"abc"` and `"abc"` → `abc`. */
export function opaqueTag(tag: string): string {
  return tag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** Weak comparison of `If-None-Match` against `etag` (RFC 9110 §13.1.2): `*` or any listed tag matches. */
export function ifNoneMatchMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const current = opaqueTag(etag);
  return header.split(',').some((tag) => opaqueTag(tag) === current);
}

/** The 413 of a body over `maxBytes`. */
function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'payload_too_large', `body is longer than ${maxBytes} bytes; send the parameters as a small JSON object`, 'body');
}

/**
 * Read a request body as UTF-8 text, at most `maxBytes`. A declared `Content-Length` over the limit
 * is refused before any byte is read.
 * @throws {ApiError} 413 `payload_too_large` when longer; 400 `bad_parameter` (parameter `body`) when not UTF-8.
 */
export async function readBodyText(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await req.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    total += r.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(r.value as Uint8Array<ArrayBuffer>);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await new Blob(chunks).arrayBuffer());
  } catch {
    throw new ApiError(400, 'bad_parameter', 'body is not UTF-8 text', 'body');
  }
}
