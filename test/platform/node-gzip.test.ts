import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { gunzip, gzip, jsonBytes } from '../../builder/codec.js';
import { nodeGzip } from '../../platform/node-gzip.js';

const z = suite('nodeGzip');
z('produces gzip the core reads back byte for byte, as its web-stream gzip does', async () => {
  const input = jsonBytes({ points: Array.from({ length: 2000 }, (_, i) => ({ startMs: 1_700_000_000_000 + i * 7200, avg: 21 + Math.sin(i) })) });
  const fast = await nodeGzip(input);
  assert.equal([...fast.subarray(0, 2)], [0x1f, 0x8b], 'gzip magic');
  assert.equal(await gunzip(fast), input);
  assert.equal(await gunzip(await gzip(input)), await gunzip(fast));
  assert.ok(fast.byteLength < input.byteLength / 3, `compressed ${input.byteLength} → ${fast.byteLength}`);
});
z.run();
