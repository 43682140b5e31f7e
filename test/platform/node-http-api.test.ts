import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runApiBehaviour } from '../support/api-behaviour.js';
import { httpSend, nodeTransport } from '../support/api-transports.js';
import { makeWorld } from '../support/api-world.js';
import { REQUEST_TIMEOUTS } from '../../platform/node-http-api.js';

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

statics('sends validators: 304 on If-None-Match or If-Modified-Since; hashed asset names cached for a year, the rest revalidated', async () => {
  writeFileSync(join(dist, 'app.0123456789.js'), 'console.log(2);');
  const world = await makeWorld();
  const server = await nodeTransport(world.api, { staticDir: dist });
  try {
    const index = await httpSend(server.url, '/');
    const etag = index.headers.get('etag')!;
    assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.equal([index.headers.get('cache-control'), index.headers.get('last-modified') !== null], ['no-cache', true]);
    const again = await httpSend(server.url, '/', { headers: { 'If-None-Match': etag } });
    assert.equal([again.status, again.body.byteLength, again.headers.get('etag')], [304, 0, etag]);
    const since = await httpSend(server.url, '/', { headers: { 'If-Modified-Since': index.headers.get('last-modified')! } });
    assert.is(since.status, 304);
    const hashed = await httpSend(server.url, '/app.0123456789.js');
    assert.equal([hashed.status, hashed.headers.get('cache-control')], [200, 'public, max-age=31536000, immutable']);
    const head = await httpSend(server.url, '/app.0123456789.js', { method: 'HEAD' });
    assert.equal([head.body.byteLength, head.headers.get('content-length')], [0, String('console.log(2);'.length)]);
  } finally {
    await server.close();
  }
});

const edges = suite('node:http request limits');

edges('a 100 KB query string gets 431 with the JSON error body', async () => {
  const world = await makeWorld();
  const server = await nodeTransport(world.api);
  try {
    const res = await httpSend(server.url, `/samples/latest?window=1h&_=${'x'.repeat(100_000)}`);
    assert.is(res.status, 431);
    assert.is(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(JSON.parse(Buffer.from(res.body).toString()).error.code, 'headers_too_large');
  } finally {
    await server.close();
  }
});

edges('a declared Content-Length over the limit is refused with 413 before any body byte is sent', async () => {
  const world = await makeWorld();
  const server = await nodeTransport(world.api);
  try {
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('POST /samples/refresh HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n');
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (text += d));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /connection: close/i);
    assert.match(answer, '"code":"payload_too_large"');
  } finally {
    await server.close();
  }
});

/** Open a raw connection, write `first`, then a byte every `trickleMs` until the server answers; the answer text. */
function trickle(url: string, first: string, trickleMs: number): Promise<{ text: string; bytesSent: number }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let timer: NodeJS.Timeout | undefined;
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(first);
      timer = setInterval(() => {
        if (socket.writable) {
          socket.write('x');
          bytesSent += 1;
        }
      }, trickleMs);
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ text, bytesSent });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' || err.code === 'EPIPE' ? undefined : reject(err)));
  });
}

edges('a body trickled a byte at a time is cut off by the request timeout with 408 (was held for 310 s)', async () => {
  const world = await makeWorld();
  const server = await nodeTransport(world.api, { timeouts: { headersMs: 400, requestMs: 600 } });
  try {
    const { text, bytesSent } = await trickle(server.url, 'POST /samples/refresh HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n', 50);
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.match(text, '"code":"request_timeout"');
    assert.ok(bytesSent < 4000, `cut off after ${bytesSent} of 4000 body bytes`);
  } finally {
    await server.close();
  }
});

edges('headers trickled a byte at a time are cut off by the headers timeout with 408', async () => {
  const world = await makeWorld();
  const server = await nodeTransport(world.api, { timeouts: { headersMs: 400, requestMs: 600 } });
  try {
    const { text } = await trickle(server.url, 'GET /samples/latest HTTP/1.1\r\nHost: x\r\nX-Slow: ', 50);
    assert.match(text, /^HTTP\/1\.1 408 /);
  } finally {
    await server.close();
  }
});

edges('the defaults bound a request to seconds, not Node\'s 60 s headers / 300 s request', () => {
  assert.equal(REQUEST_TIMEOUTS, { headersMs: 10_000, requestMs: 15_000 });
});

sse.run();
statics.run();
edges.run();
