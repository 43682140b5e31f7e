/**
 * gzip (RFC 1952) through the web-standard `CompressionStream`/`DecompressionStream`, available in
 * Node ≥ 18, Lambda and browsers, so the core needs no `node:zlib`.
 */

async function pipeThrough(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** gzip-encode `bytes`. */
export function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return pipeThrough(bytes, new CompressionStream('gzip'));
}

/** Decode gzip `bytes`. @throws {TypeError} when `bytes` is not a valid gzip stream. */
export function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return pipeThrough(bytes, new DecompressionStream('gzip'));
}

/** True when `bytes` starts with the gzip magic number 1f 8b (RFC 1952 §2.3.1). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
