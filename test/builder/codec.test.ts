import { gunzipSync, gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gunzip, gzip, sha256Hex } from '../../builder/codec.js';

const codec = suite('gzip / gunzip / sha256Hex');
codec('writes gzip that zlib reads and reads gzip that zlib writes', async () => {
  const text = JSON.stringify({ window: '1h', points: Array.from({ length: 100 }, (_, i) => i) });
  const body = await gzip(new TextEncoder().encode(text));
  assert.equal([...body.slice(0, 2)], [0x1f, 0x8b]);
  assert.is(gunzipSync(body).toString('utf8'), text);
  assert.is(new TextDecoder().decode(await gunzip(gzipSync(text))), text);
});
codec('rejects bytes that are not gzip', async () => {
  let failed = false;
  await gunzip(new TextEncoder().encode('{"not":"gzip"}')).catch(() => (failed = true));
  assert.ok(failed);
});
codec('computes the FIPS 180-2 test vector sha256("abc")', async () => {
  assert.is(await sha256Hex(new TextEncoder().encode('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
codec.run();
