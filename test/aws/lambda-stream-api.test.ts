/**
 * The function-URL streaming adapter, with a stand-in for the runtime's `HttpResponseStream.from`
 * that writes the documented prelude (JSON metadata, then 8 NUL bytes) the way the runtime does.
 */
import { PassThrough, type Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lambdaStreamHandler } from '../../aws/lambda-stream-api.js';
import { v2Event } from '../support/api-transports.js';
import { makeWorld } from '../support/api-world.js';

function fakeFrom(stream: Writable, prelude: { statusCode: number; headers: Record<string, string> }): Writable {
  stream.write(JSON.stringify(prelude));
  stream.write(new Uint8Array(8));
  return stream;
}

const stream = suite('lambdaStreamHandler');

stream('streams SSE events as they happen, before the job ends', async () => {
  const world = await makeWorld();
  const handler = lambdaStreamHandler(() => world.api, fakeFrom);
  world.builder.hold();
  const job = JSON.parse(await (await world.api(new Request('http://x/samples/refresh?window=1d', { method: 'POST' }))).text());
  const out = new PassThrough();
  let text = '';
  let onData = (): void => undefined;
  out.on('data', (c: Buffer) => {
    text += c.toString();
    onData();
  });
  const done = handler(v2Event(job.eventsUrl), out);
  while (!text.includes('event: progress')) await new Promise<void>((r) => (onData = r));
  assert.not.match(text, 'event: done', 'the stream is live, not buffered');
  assert.match(text, '{"statusCode":200,"headers":{');
  assert.match(text, '"content-type":"text/event-stream; charset=utf-8"');
  world.builder.release();
  await done;
  assert.match(text, /id: 4\nevent: done\n/);
  assert.ok(out.writableEnded);
});

stream('answers plain routes too (one body, then end)', async () => {
  const world = await makeWorld();
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await lambdaStreamHandler(() => world.api, fakeFrom)(v2Event('/samples/latest?window=2h'), out);
  const text = Buffer.concat(chunks).toString();
  assert.match(text, '{"statusCode":400');
  assert.match(text, '"code":"bad_parameter"');
});

stream.run();
