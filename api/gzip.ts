/**
 * gzip for the API core: the builder's codec (web-standard CompressionStream/DecompressionStream,
 * RFC 1952), plus the magic-number check the API needs to decide whether stored bytes are gzip.
 */
export { gunzip, gzip } from '../builder/codec.js';

/** True when `bytes` starts with the gzip magic number 1f 8b (RFC 1952 §2.3.1). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
