/**
 * The window object: ONE stored object per (device prefix, window), key `windowObjectKey(window)`,
 * holding the meta and the gzip payload of each of the window's four granularities and the window's
 * rollup state. A build writes it with ONE put, which is the commit point: a put replaces the whole
 * object atomically (S3's single PutObject, checked by its SHA-256; the Pi's write-to-temp + rename),
 * so a reader sees the old window or the new one, never a payload without its meta or a partial
 * one. Before this layout a build wrote each payload and each meta as its own object, 8 PUTs a
 * window where this writes 1 (issue 14: S3 PUT requests were most of the cloud's cost).
 *
 * Byte layout (format 1), all of it in this module:
 *
 * | bytes | content |
 * |---|---|
 * | 0–7 | ASCII `SNAPWIN1` |
 * | 8–11 | header length H, unsigned 32-bit big-endian |
 * | 12 … 12+H | header: UTF-8 JSON `WindowObjectHeader` |
 * | then | the sections, each at `offset` (from the end of the header), `length` bytes |
 *
 * Sections: `payload_<granularity>` is the gzip payload exactly as served (its meta's `bytes` and
 * `sha256` are of these bytes), `state` the gzip JSON rollup state (`RollupState.toJSON`). A
 * granularity never built has a meta with `generatedAt: null` and no section.
 *
 * Pure: bytes in, bytes out.
 */
import { GRANULARITIES, isGranularity, isWindow, type Granularity, type Window } from './constants.js';
import { MetaDecodeError } from './errors.js';
import { checkedSnapshotMeta } from './snapshot-meta.js';
import type { SnapshotMeta } from './types.js';

/** The first 8 bytes of every window object (format 1). */
export const WINDOW_OBJECT_MAGIC = 'SNAPWIN1';

const MAGIC_BYTES = new TextEncoder().encode(WINDOW_OBJECT_MAGIC);
const PREFIX_BYTES = MAGIC_BYTES.length + 4;

/**
 * Bytes a reader of metas only fetches first (`readWindowMetas`): a header of 4 metas and 5 sections
 * is about 2.3 kB; a longer one costs a second ranged read of exactly its length.
 */
export const WINDOW_METAS_READ_BYTES = 4096;

/** Name of the section holding the gzip payload of `granularity`. */
export const payloadSectionName = (granularity: Granularity): string => `payload_${granularity}`;

/** Name of the section holding the gzip rollup state. */
export const STATE_SECTION = 'state';

/** One section's place in the body after the header, in bytes. */
export interface SectionRef {
  name: string;
  offset: number;
  length: number;
}

/** The JSON header of a window object. `metas` is keyed by granularity (`"20"` … `"500"`). */
export interface WindowObjectHeader {
  format: 1;
  window: Window;
  device: string;
  metas: Record<string, SnapshotMeta>;
  sections: SectionRef[];
}

/** A decoded window object: its metas, and its sections' bytes (views into the stored body). */
export interface WindowObject {
  window: Window;
  device: string;
  /** Meta per granularity; every granularity has one in an object this module wrote. */
  metas: ReadonlyMap<Granularity, SnapshotMeta>;
  /** The gzip payload of `granularity`, as stored; undefined when it was never built. */
  payload(granularity: Granularity): Uint8Array | undefined;
  /** The gzip rollup state; undefined when the object carries none (a build `--at` a past instant). */
  state(): Uint8Array | undefined;
}

/** What `encodeWindowObject` writes. */
export interface WindowObjectParts {
  window: Window;
  device: string;
  /** One meta per granularity (all four). */
  metas: ReadonlyMap<Granularity, SnapshotMeta>;
  /** Gzip payload per granularity whose meta says built (`generatedAt` not null). */
  payloads: ReadonlyMap<Granularity, Uint8Array>;
  /** Gzip rollup state, when there is one to keep. */
  state?: Uint8Array;
}

/**
 * Encode a window object. Each built meta must come with its payload, and each payload's length
 * must be its meta's `bytes`.
 * @throws {RangeError} when a granularity has no meta, a built meta no payload, or a length differs.
 */
export function encodeWindowObject(parts: WindowObjectParts): Uint8Array {
  const sections: Array<{ name: string; bytes: Uint8Array }> = [];
  const metas: Record<string, SnapshotMeta> = {};
  for (const g of GRANULARITIES) {
    const meta = parts.metas.get(g);
    if (!meta) throw new RangeError(`window object ${parts.window}: no meta for granularity ${g}`);
    metas[String(g)] = meta;
    const payload = parts.payloads.get(g);
    if (meta.generatedAt === null) continue;
    if (!payload) throw new RangeError(`window object ${parts.window}: meta of ${g} names a payload that is not given`);
    if (payload.byteLength !== meta.bytes) throw new RangeError(`window object ${parts.window}: payload ${g} is ${payload.byteLength} bytes, its meta says ${meta.bytes}`);
    sections.push({ name: payloadSectionName(g), bytes: payload });
  }
  if (parts.state) sections.push({ name: STATE_SECTION, bytes: parts.state });
  let offset = 0;
  const refs: SectionRef[] = sections.map((s) => {
    const ref = { name: s.name, offset, length: s.bytes.byteLength };
    offset += s.bytes.byteLength;
    return ref;
  });
  const header: WindowObjectHeader = { format: 1, window: parts.window, device: parts.device, metas, sections: refs };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(PREFIX_BYTES + headerBytes.byteLength + offset);
  out.set(MAGIC_BYTES, 0);
  new DataView(out.buffer).setUint32(MAGIC_BYTES.length, headerBytes.byteLength, false);
  out.set(headerBytes, PREFIX_BYTES);
  let at = PREFIX_BYTES + headerBytes.byteLength;
  for (const s of sections) {
    out.set(s.bytes, at);
    at += s.bytes.byteLength;
  }
  return out;
}

/**
 * Where the header of the window object starting with `bytes` ends (the body's first byte), from its
 * first 12 bytes. @throws {MetaDecodeError} when those are not a window object's.
 */
export function windowObjectHeaderEnd(bytes: Uint8Array): number {
  if (bytes.byteLength < PREFIX_BYTES || !MAGIC_BYTES.every((b, i) => bytes[i] === b)) {
    throw new MetaDecodeError([`not a window object (the first ${MAGIC_BYTES.length} bytes are not ${WINDOW_OBJECT_MAGIC})`]);
  }
  return PREFIX_BYTES + new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC_BYTES.length, false);
}

/** The parts of a window object's header readers of metas need. */
export interface WindowObjectMetas {
  window: Window;
  device: string;
  metas: ReadonlyMap<Granularity, SnapshotMeta>;
}

/**
 * Decode the header of a window object from its first bytes (at least up to `windowObjectHeaderEnd`;
 * the sections need not be there): window, device and the checked metas.
 * @throws {MetaDecodeError} naming what was wrong.
 */
export function decodeWindowObjectHeader(bytes: Uint8Array): WindowObjectMetas & { header: WindowObjectHeader } {
  const bodyStart = windowObjectHeaderEnd(bytes);
  if (bodyStart > bytes.byteLength) throw new MetaDecodeError([`header of ${bodyStart - PREFIX_BYTES} bytes runs past the ${bytes.byteLength} bytes read`]);
  let header: WindowObjectHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, bodyStart))) as WindowObjectHeader;
  } catch (err) {
    throw new MetaDecodeError([`header is not UTF-8 JSON (${(err as Error).message})`], { cause: err });
  }
  if (typeof header !== 'object' || header === null || header.format !== 1) throw new MetaDecodeError([`header format ${JSON.stringify((header as { format?: unknown } | null)?.format)} is not 1`]);
  if (!isWindow(header.window)) throw new MetaDecodeError([`header window ${JSON.stringify(header.window)} is not a known window`]);
  if (typeof header.metas !== 'object' || header.metas === null || !Array.isArray(header.sections)) throw new MetaDecodeError(['header has no metas or no sections']);
  const metas = new Map<Granularity, SnapshotMeta>();
  for (const g of GRANULARITIES) {
    const value = header.metas[String(g)];
    if (value === undefined) throw new MetaDecodeError([`header has no meta for granularity ${g}`]);
    metas.set(g, checkedSnapshotMeta(value));
  }
  return { window: header.window, device: String(header.device), metas, header };
}

/**
 * Decode a window object's bytes. Checks the magic, the header (a known window, a meta per
 * granularity with what readers rely on, `checkedSnapshotMeta`) and that every section lies within
 * the body; the sections' bytes are returned as views, not copied nor checked (readers check a
 * payload's sha256 against its meta when they need to).
 * @throws {MetaDecodeError} naming what was wrong.
 */
export function decodeWindowObject(bytes: Uint8Array): WindowObject {
  const { header, metas } = decodeWindowObjectHeader(bytes);
  const bodyStart = windowObjectHeaderEnd(bytes);
  const bodyLength = bytes.byteLength - bodyStart;
  const sections = new Map<string, Uint8Array>();
  for (const s of header.sections) {
    const isInside = Number.isSafeInteger(s?.offset) && Number.isSafeInteger(s?.length) && s.offset >= 0 && s.length >= 0 && s.offset + s.length <= bodyLength;
    if (!isInside) throw new MetaDecodeError([`section ${JSON.stringify(s?.name)} lies outside the object's ${bodyLength} body bytes`]);
    sections.set(String(s.name), bytes.subarray(bodyStart + s.offset, bodyStart + s.offset + s.length));
  }
  return {
    window: header.window,
    device: String(header.device),
    metas,
    payload: (g) => (isGranularity(g) ? sections.get(payloadSectionName(g)) : undefined),
    state: () => sections.get(STATE_SECTION),
  };
}
