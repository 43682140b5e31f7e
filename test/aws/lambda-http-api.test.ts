import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lambdaHandler, responseToResult } from '../../aws/lambda-http-api.js';
import { runApiBehaviour } from '../support/api-behaviour.js';
import { lambdaTransport, v2Event } from '../support/api-transports.js';
import { makeWorld } from '../support/api-world.js';

runApiBehaviour('lambda', async (api) => lambdaTransport(api));

const events = suite('lambda events route (sseMode snapshot, API Gateway buffers)');

events('answers the events so far and a poll hint, then the rest after Last-Event-ID, then 204', async () => {
  const world = await makeWorld({ sseMode: 'snapshot' });
  const t = lambdaTransport(world.api);
  world.builder.hold();
  const job = JSON.parse(Buffer.from((await t.send('/samples/refresh?window=1d', { method: 'POST' })).body).toString());
  const first = await t.send(job.eventsUrl);
  assert.is(first.status, 200);
  assert.is(first.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const text = Buffer.from(first.body).toString();
  assert.is(text, 'retry: 2000\n\n'
    + 'id: 1\nevent: queued\ndata: {"window":"1d","granularity":500,"device":"pi-test"}\n\n'
    + 'id: 2\nevent: started\ndata: {}\n\n'
    + 'id: 3\nevent: progress\ndata: {"progress":0.5}\n\n'
    + `event: poll\ndata: {"statusUrl":"${job.statusUrl}","retryMs":2000}\n\n`);
  world.builder.release();
  await world.jobs.idle();
  const rest = Buffer.from((await t.send(job.eventsUrl, { headers: { 'Last-Event-ID': '3' } })).body).toString();
  assert.is(rest, `retry: 2000\n\nid: 4\nevent: done\ndata: {"resultUrl":"/samples/latest?window=1d&samples=500&device=pi-test","generatedAt":"2019-09-30T16:00:05.000Z"}\n\n`);
  assert.is((await t.send(job.eventsUrl, { headers: { 'Last-Event-ID': '4' } })).status, 204);
});

const convert = suite('lambda event conversion');

convert('sends gzip bodies base64-encoded and JSON as text', async () => {
  const gz = await responseToResult(new Response(Uint8Array.of(0x1f, 0x8b, 1), { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }));
  assert.equal([gz.isBase64Encoded, gz.body], [true, 'H4sB']);
  const text = await responseToResult(new Response('{"a":1}', { headers: { 'content-type': 'application/json' } }));
  assert.equal([text.isBase64Encoded, text.body], [false, '{"a":1}']);
});

convert('answers unparseable headers with a 400 error body, not a crash', async () => {
  const handler = lambdaHandler(() => async () => new Response('unreachable'));
  const result = await handler(v2Event('/samples/latest', { headers: { 'bad name': 'x' } }));
  assert.is(result.statusCode, 400);
  assert.is(JSON.parse(result.body).error.code, 'bad_parameter');
});

convert('builds the API once across invocations (lazy, reused)', async () => {
  let builds = 0;
  const handler = lambdaHandler(() => {
    builds++;
    return async () => new Response(null, { status: 204 });
  });
  await handler(v2Event('/samples/latest'));
  await handler(v2Event('/samples/latest'));
  assert.is(builds, 1);
});

events.run();
convert.run();
