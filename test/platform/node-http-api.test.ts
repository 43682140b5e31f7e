import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runApiBehaviour } from '../support/api-behaviour.js';
import { httpSend, nodeTransport } from '../support/api-transports.js';
import { makeWorld } from '../support/api-world.js';

runApiBehaviour('node:http', (api) => nodeTransport(api));

/** Open an SSE stream; `text()` is what arrived so far, `ended` resolves with the whole body. */
function openStream(url: string, headers: Record<string, string> = {}) {
  let text = '';
  let onData: () => void = () => undefined;
  const ended = new Promise<{ status: number; contentType: string | undefined; text: string }>((resolve, reject) => {
    request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        onData();
      });
      res.on('end', () => resolve({ status: res.statusCode!, contentType: res.headers['content-type'], text }));
    }).on('error', reject).end();
  });
  const waitFor = async (needle: string) => {
    while (!text.includes(needle)) await new Promise<void>((resolve) => (onData = resolve));
  };
  return { ended, waitFor, text: () => text };
}

const sse = suite('node:http events route (live stream)');

sse('streams queued, started, progress, heartbeats and done in order with ids, then closes', async () => {
  const world = await makeWorld();
  const server = await nodeTransport(world.api);
  try {
    world.builder.hold();
    const job = JSON.parse(Buffer.from((await server.send('/samples/refresh?window=1d&samples=100', { method: 'POST' })).body).toString());
    const stream = openStream(new URL(job.eventsUrl, server.url).href);
    await stream.waitFor('event: progress');
    await world.scheduler.waitFor(15_000);
    world.scheduler.fire(15_000);
    await stream.waitFor(': hb');
    world.builder.release();
    const { status, contentType, text } = await stream.ended;
    assert.is(status, 200);
    assert.is(contentType, 'text/event-stream; charset=utf-8');
    assert.is(text, 'retry: 2000\n\n'
      + 'id: 1\nevent: queued\ndata: {"window":"1d","granularity":100,"device":"pi-test"}\n\n'
      + 'id: 2\nevent: started\ndata: {}\n\n'
      + 'id: 3\nevent: progress\ndata: {"progress":0.5}\n\n'
      + ': hb\n\n'
      + 'id: 4\nevent: done\ndata: {"resultUrl":"/samples/latest?window=1d&samples=100&device=pi-test","generatedAt":"2019-09-30T16:00:05.000Z"}\n\n');
    assert.is(world.scheduler.count(15_000), 0, 'heartbeat stopped');
  } finally {
    await server.close();
  }
});

sse('resumes after Last-Event-ID without missing the final event, and 204 after it', async () => {
  const world = await makeWorld();
  const server = await nodeTransport(world.api);
  try {
    world.builder.hold();
    const job = JSON.parse(Buffer.from((await server.send('/samples/refresh?window=10h', { method: 'POST' })).body).toString());
    const first = openStream(new URL(job.eventsUrl, server.url).href);
    await first.waitFor('id: 3');
    const resumed = openStream(new URL(job.eventsUrl, server.url).href, { 'Last-Event-ID': '2' });
    await resumed.waitFor('id: 3');
    world.builder.failWith = 'DynamoDB throttled';
    world.builder.release();
    const [a, b] = await Promise.all([first.ended, resumed.ended]);
    assert.match(a.text, 'id: 4\nevent: failed\ndata: {"error":"DynamoDB throttled"}\n\n');
    assert.not.match(b.text, 'event: queued');
    assert.is(b.text, 'retry: 2000\n\nid: 3\nevent: progress\ndata: {"progress":0.5}\n\nid: 4\nevent: failed\ndata: {"error":"DynamoDB throttled"}\n\n');
    const late = await openStream(new URL(job.eventsUrl, server.url).href, { 'Last-Event-ID': '3' }).ended;
    assert.is(late.text, 'retry: 2000\n\nid: 4\nevent: failed\ndata: {"error":"DynamoDB throttled"}\n\n');
    assert.is((await openStream(new URL(job.eventsUrl, server.url).href, { 'Last-Event-ID': '4' }).ended).status, 204);
    assert.is((await httpSend(server.url, job.eventsUrl, { headers: { 'Last-Event-ID': 'abc' } })).status, 400);
  } finally {
    await server.close();
  }
});

sse('stops the heartbeat and unsubscribes when the client goes away', async () => {
  const world = await makeWorld();
  const server = await nodeTransport(world.api);
  try {
    world.builder.hold();
    const job = JSON.parse(Buffer.from((await server.send('/samples/refresh?window=1h', { method: 'POST' })).body).toString());
    await new Promise<void>((resolve) => {
      const req = request(new URL(job.eventsUrl, server.url), (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.end();
    });
    while (world.scheduler.count(15_000) > 0) await new Promise((r) => setImmediate(r));
    assert.is(world.scheduler.count(15_000), 0);
  } finally {
    await server.close();
  }
});

const statics = suite('node:http static page');
const root = mkdtempSync(join(tmpdir(), 'api-static-'));
const dist = join(root, 'dist');
statics.before(() => {
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>sensors</title>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1);');
  writeFileSync(join(root, 'secret.txt'), 'do not serve');
  symlinkSync(join(root, 'secret.txt'), join(dist, 'link.txt'));
});
statics.after(() => rmSync(root, { recursive: true, force: true }));

statics('serves index.html at / and assets with their content types', async () => {
  const world = await makeWorld();
  const server = await nodeTransport(world.api, { staticDir: dist });
  try {
    const index = await httpSend(server.url, '/');
    assert.equal([index.status, index.headers.get('content-type'), Buffer.from(index.body).toString()], [200, 'text/html; charset=utf-8', '<!doctype html><title>sensors</title>']);
    const js = await httpSend(server.url, '/assets/app.js');
    assert.is(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.is((await httpSend(server.url, '/samples/latest?window=1h')).status, 200);
  } finally {
    await server.close();
  }
});

statics('never serves files outside the directory (.., encoded, symlinks)', async () => {
  const world = await makeWorld();
  const server = await nodeTransport(world.api, { staticDir: dist });
  try {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/link.txt', '/%00', '/assets%5c..%5c..%5csecret.txt']) {
      const res = await httpSend(server.url, path);
      assert.is(res.status, 404, path);
      assert.not.match(Buffer.from(res.body).toString(), 'do not serve', path);
    }
  } finally {
    await server.close();
  }
});

sse.run();
statics.run();
