/** `encodeWindowObject` / `decodeWindowObject`: the byte codec of the one object per window. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { GRANULARITIES, type Granularity } from '../../builder/constants.js';
import { MetaDecodeError } from '../../builder/errors.js';
import { RollupState } from '../../builder/rollup-state.js';
import { encodeState } from '../../builder/state-store.js';
import { metaProblems } from '../../builder/validate-payload.js';
import {
  STATE_SECTION, WINDOW_OBJECT_MAGIC, decodeWindowObject, encodeWindowObject, payloadSectionName, type WindowObjectHeader,
} from '../../builder/window-object.js';
import type { SnapshotMeta } from '../../builder/types.js';
import { buildMeta, buildPayload, encodePayload, neverBuiltMeta, sampleSeries } from '../support/snapshot-fixtures.js';

const DEVICE = 'pi-kitchen';
const TO_MS = Date.parse('2024-03-10T12:00:00Z');
const KEY = `snapshots/${DEVICE}/latest_1h.snapshots`;
const SERIES = sampleSeries(DEVICE, TO_MS - 3_600_000, TO_MS, 10_000);

/** The gzip payload and meta of 1h at `g`, as stored. */
function snapshot(g: Granularity): { meta: SnapshotMeta; body: Uint8Array } {
  const payload = buildPayload({ device: DEVICE, window: '1h', granularity: g, toMs: TO_MS, generatedAtMs: TO_MS + 2_000, series: SERIES });
  const body = encodePayload(payload);
  return { meta: buildMeta(payload, body, { key: KEY, stagedKey: KEY }), body };
}

async function stateBytes(): Promise<Uint8Array> {
  const state = new RollupState('1h', DEVICE);
  state.fold(SERIES.flatMap((s) => s.samples), TO_MS);
  state.cursor = '4242';
  state.advance(TO_MS, TO_MS - 3_600_000);
  return encodeState(state);
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Bytes of a window object with this header and body, written by hand (for malformed objects). */
function craft(header: unknown, body = new Uint8Array(0), headerLength?: number): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(12 + h.byteLength + body.byteLength);
  out.set(new TextEncoder().encode(WINDOW_OBJECT_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, headerLength ?? h.byteLength, false);
  out.set(h, 12);
  out.set(body, 12 + h.byteLength);
  return out;
}

/** The decode error's message for `bytes` (fails the test when it decodes). */
function decodeError(bytes: Uint8Array): string {
  try {
    decodeWindowObject(bytes);
  } catch (err) {
    assert.instance(err, MetaDecodeError);
    return (err as Error).message;
  }
  assert.unreachable('decoded');
  return '';
}

/** A valid header with every granularity never built and no sections (to break one field at a time). */
const emptyHeader = (): WindowObjectHeader => ({
  format: 1, window: '1h', device: DEVICE, sections: [],
  metas: Object.fromEntries(GRANULARITIES.map((g) => [String(g), neverBuiltMeta(DEVICE, '1h', g, KEY)])),
});

const codec = suite('window object codec');

codec('round-trips the four metas, the four payloads and the state byte for byte', async () => {
  const parts = GRANULARITIES.map(snapshot);
  const state = await stateBytes();
  const metas = new Map(GRANULARITIES.map((g, i) => [g, parts[i].meta]));
  const payloads = new Map(GRANULARITIES.map((g, i) => [g, parts[i].body]));
  const bytes = encodeWindowObject({ window: '1h', device: DEVICE, metas, payloads, state });
  assert.is(new TextDecoder().decode(bytes.subarray(0, 8)), 'SNAPWIN1');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, false);
  const sectionBytes = parts.reduce((n, p) => n + p.body.byteLength, 0) + state.byteLength;
  assert.is(bytes.byteLength, 12 + headerLength + sectionBytes, 'magic, length, header, then exactly the sections');
  const decoded = decodeWindowObject(bytes);
  assert.is(decoded.window, '1h');
  assert.is(decoded.device, DEVICE);
  for (const [i, g] of GRANULARITIES.entries()) {
    assert.equal(decoded.metas.get(g), parts[i].meta, `meta ${g}`);
    assert.equal([...decoded.payload(g)!], [...parts[i].body], `payload ${g}`);
    assert.is(sha(decoded.payload(g)!), parts[i].meta.sha256, `payload ${g} is what its meta describes`);
    assert.equal(metaProblems(decoded.metas.get(g)), [], `meta ${g} is a valid meta`);
  }
  assert.equal([...decoded.state()!], [...state]);
  assert.is(decoded.payload(42 as Granularity), undefined, 'not a granularity');
});

codec('writes no section for a never-built granularity or an absent state', () => {
  const built = snapshot(100);
  const metas = new Map(GRANULARITIES.map((g) => [g, g === 100 ? built.meta : neverBuiltMeta(DEVICE, '1h', g, KEY)]));
  // A payload given for a never-built meta is not written: the meta decides.
  const bytes = encodeWindowObject({ window: '1h', device: DEVICE, metas, payloads: new Map([[100, built.body], [20, new Uint8Array([1, 2, 3])]]) });
  const decoded = decodeWindowObject(bytes);
  assert.equal(GRANULARITIES.map((g) => decoded.payload(g)?.byteLength), [undefined, built.body.byteLength, undefined, undefined]);
  assert.is(decoded.state(), undefined);
  assert.is(decoded.metas.get(20)!.generatedAt, null);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, bytes.byteLength - built.body.byteLength))) as WindowObjectHeader;
  assert.equal(header.sections, [{ name: payloadSectionName(100), offset: 0, length: built.body.byteLength }]);
});

codec('names the sections payload_<granularity> and state, in granularity order, back to back', async () => {
  const parts = GRANULARITIES.map(snapshot);
  const state = await stateBytes();
  const bytes = encodeWindowObject({
    window: '1h', device: DEVICE, metas: new Map(GRANULARITIES.map((g, i) => [g, parts[i].meta])), payloads: new Map(GRANULARITIES.map((g, i) => [g, parts[i].body])), state,
  });
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, false);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as WindowObjectHeader;
  const lengths = [...parts.map((p) => p.body.byteLength), state.byteLength];
  const offsets = lengths.map((_, i) => lengths.slice(0, i).reduce((a, b) => a + b, 0));
  assert.equal(header.sections, ['payload_20', 'payload_100', 'payload_250', 'payload_500', STATE_SECTION].map((name, i) => ({ name, offset: offsets[i], length: lengths[i] })));
  assert.equal(Object.keys(header.metas), ['20', '100', '250', '500']);
  assert.equal([header.format, header.window, header.device], [1, '1h', DEVICE]);
});

codec('refuses to decode what is not a window object, naming the problem', () => {
  const good = craft(emptyHeader());
  assert.not.throws(() => decodeWindowObject(good));
  const wrongMagic = good.slice();
  wrongMagic[7] = '2'.charCodeAt(0);
  assert.match(decodeError(wrongMagic), 'not a window object (the first 8 bytes are not SNAPWIN1)');
  assert.match(decodeError(new TextEncoder().encode('{"generatedAt":null,"stale":false}')), 'not a window object');
  assert.match(decodeError(good.subarray(0, 10)), 'not a window object', 'shorter than magic and length');
  const length = new DataView(good.buffer).getUint32(8, false);
  assert.match(decodeError(craft(emptyHeader(), new Uint8Array(0), length + 1)), `header of ${length + 1} bytes runs past the ${good.byteLength} bytes read`);
  assert.match(decodeError(craft(emptyHeader(), new Uint8Array(0), 0xffffffff)), `header of ${0xffffffff} bytes runs past`);
  const badJson = good.slice();
  badJson[12] = '['.charCodeAt(0) + 1; // '\' where '{' was
  assert.match(decodeError(badJson), /^snapshot meta unreadable: header is not UTF-8 JSON/);
  assert.match(decodeError(craft({ ...emptyHeader(), format: 2 })), 'header format 2 is not 1');
  assert.match(decodeError(craft(null)), 'header format undefined is not 1');
  assert.match(decodeError(craft({ ...emptyHeader(), window: '2h' })), 'header window "2h" is not a known window');
  assert.match(decodeError(craft({ ...emptyHeader(), sections: undefined })), 'header has no metas or no sections');
  const { ['250']: _dropped, ...three } = emptyHeader().metas;
  assert.match(decodeError(craft({ ...emptyHeader(), metas: three })), 'header has no meta for granularity 250');
  const badMeta = { ...emptyHeader().metas, ['100']: { ...emptyHeader().metas['100'], stale: 'no' } };
  assert.match(decodeError(craft({ ...emptyHeader(), metas: badMeta })), 'stale "no" is not a boolean');
});

codec('refuses a section that lies outside the body', () => {
  const body = new Uint8Array(10);
  const withSection = (offset: unknown, length: unknown) => craft({ ...emptyHeader(), sections: [{ name: 'payload_20', offset, length }] }, body);
  assert.not.throws(() => decodeWindowObject(withSection(4, 6)));
  assert.equal([...decodeWindowObject(withSection(4, 6)).payload(20)!], [0, 0, 0, 0, 0, 0]);
  assert.match(decodeError(withSection(4, 7)), 'section "payload_20" lies outside the object\'s 10 body bytes');
  assert.match(decodeError(withSection(11, 0)), 'section "payload_20" lies outside the object\'s 10 body bytes');
  assert.match(decodeError(withSection(-1, 2)), 'section "payload_20" lies outside');
  assert.match(decodeError(withSection(0, 2.5)), 'section "payload_20" lies outside');
  assert.match(decodeError(withSection('0', 2)), 'section "payload_20" lies outside');
  assert.match(decodeError(craft({ ...emptyHeader(), sections: [null] }, body)), 'section undefined lies outside');
});

codec('refuses to encode a granularity without meta, a built meta without payload, or a payload of another size', () => {
  const parts = GRANULARITIES.map(snapshot);
  const metas = new Map(GRANULARITIES.map((g, i) => [g, parts[i].meta]));
  const payloads = new Map(GRANULARITIES.map((g, i) => [g, parts[i].body]));
  const encode = (m: Map<Granularity, SnapshotMeta>, p: Map<Granularity, Uint8Array>) => () => encodeWindowObject({ window: '1h', device: DEVICE, metas: m, payloads: p });
  assert.not.throws(encode(metas, payloads));
  const noMeta = new Map(metas);
  noMeta.delete(500);
  assert.throws(encode(noMeta, payloads), (err: Error) => err instanceof RangeError && err.message === 'window object 1h: no meta for granularity 500');
  const noPayload = new Map(payloads);
  noPayload.delete(100);
  assert.throws(encode(metas, noPayload), (err: Error) => err instanceof RangeError && err.message === 'window object 1h: meta of 100 names a payload that is not given');
  const shorter = new Map(payloads).set(20, parts[0].body.subarray(1));
  const message = `window object 1h: payload 20 is ${parts[0].meta.bytes! - 1} bytes, its meta says ${parts[0].meta.bytes}`;
  assert.throws(encode(metas, shorter), (err: Error) => err instanceof RangeError && err.message === message);
});

codec.run();
