/**
 * zlib's gzip (RFC 1952) for the builder's `BuildDeps.gzip`: the same bytes format as the core's
 * web-stream `gzip`, at about half the CPU (no stream machinery around each small payload). Synchronous
 * on purpose: a payload is at most a few hundred kB and compresses in a millisecond or two, less than a
 * hand-off to the thread pool costs.
 */
import { gzipSync } from 'node:zlib';
import type { Gzip } from '../builder/codec.js';

/** Gzip `bytes` with zlib (default level). */
export const nodeGzip: Gzip = (bytes) => Promise.resolve(new Uint8Array(gzipSync(bytes)));
