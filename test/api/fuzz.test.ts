/**
 * Property: whatever the method, path, query, headers and body, the API answers without a 5xx, and
 * every 4xx carries the contract's error body `{error:{status,code,message}}` with the same status.
 * Runs FUZZ_RUNS (default 5000) random requests at the core and 1000 through the Lambda adapter.
 */
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lambdaTransport } from '../support/api-transports.js';
import { makeWorld, type World } from '../support/api-world.js';
import type { RawResponse } from '../support/api-transports.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);
const NAMES = ['window', 'minutes', 'hours', 'days', 'months', 'samples', 'device', 'fresh', 'versionId', 'lastEventId'];
const VALUES = ['1h', '10h', '1d', '10d', '3m', '12m', '2h', '60', '1', '10', '3', '12', '20', '100', '250', '500', '0', '501', '1e9', '-1', '2.5',
  'abc', '', 'true', 'false', 'pi-test', 'pi-shed', '../etc', '%00', 'v1', 'v2', '９', '1'.repeat(400), 'null', '[]'];
const UUID = '3b241101-e2bb-4255-8caf-4136c566a962';

const word = fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
const pair = fc.tuple(fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 8 })), word);
const query = fc.array(pair, { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
const validQuery = fc.record({
  window: fc.constantFrom('window=1h', 'window=1d', 'hours=10', 'days=10', 'minutes=60', 'months=3'),
  samples: fc.option(fc.integer({ min: 1, max: 500 }).map((n) => `&samples=${n}`)),
  extra: fc.option(fc.constantFrom('&fresh=true', '&fresh=false', '&device=pi-test', '&device=pi-shed', '&versionId=v1', '&versionId=v9')),
}).map((q) => q.window + (q.samples ?? '') + (q.extra ?? ''));
const rawQuery = fc.string({ maxLength: 30 }).map((s) => s.replace(/[#\s]/g, ''));
const path = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('/samples/latest', '/samples/latest/meta', '/samples/refresh') },
  fc.constantFrom('/samples/latest', '/samples/latest/meta', '/samples/refresh', `/samples/refresh/${UUID}`, `/samples/refresh/${UUID}/events`, '/', '/samples', '/samples/latest/'),
  fc.array(fc.oneof(fc.constantFrom('samples', 'latest', 'refresh', 'meta', 'events', '..', '%2e%2e', '%2F', UUID), fc.string({ maxLength: 8 }).map(encodeURIComponent)), { maxLength: 4 })
    .map((segments) => '/' + segments.join('/')),
);
const body = fc.option(fc.oneof(
  fc.json(),
  fc.string({ maxLength: 40 }),
  fc.dictionary(fc.constantFrom(...NAMES, 'x'), fc.oneof(word, fc.integer(), fc.double(), fc.boolean(), fc.constant(null))).map((o) => JSON.stringify(o)),
));
const headers = fc.record({
  'Accept-Encoding': fc.constantFrom('gzip', 'identity', 'gzip;q=0', '*', 'br', 'x-gzip;q=0.5', 'gzip;q=abc'),
  'If-None-Match': fc.oneof(fc.constant('*'), fc.string({ maxLength: 20 }).map((s) => `"${s.replace(/[^\x21-\x7e]/g, '')}"`)),
  'Last-Event-ID': fc.constantFrom('0', '3', 'abc', '99999999999', ''),
  Origin: fc.constantFrom('https://dash.example', 'null', 'https://evil.example'),
}, { requiredKeys: [] });
const request = fc.record({
  method: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('GET', 'POST') }, fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH')),
  path,
  query: fc.oneof({ weight: 3, arbitrary: validQuery }, { weight: 2, arbitrary: query }, rawQuery),
  body,
  headers,
});

type Sample = typeof request extends fc.Arbitrary<infer T> ? T : never;

/** Responses seen per status, so the test shows it reached the success paths too. */
const statuses = new Map<number, number>();

function check(res: RawResponse, text: string, sample: Sample): void {
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const where = `${sample.method} ${sample.path}?${sample.query}`;
  assert.ok(res.status < 500, `${res.status} for ${where}: ${text}`);
  if (res.status >= 400 && sample.method !== 'HEAD') {
    const { error } = JSON.parse(text);
    assert.is(error.status, res.status, where);
    assert.type(error.code, 'string');
    assert.type(error.message, 'string');
    assert.not.match(text, /\n\s+at /, 'no stack trace');
  }
}

async function viaCore(world: World, sample: Sample): Promise<void> {
  const hasBody = sample.body !== null && sample.method !== 'GET' && sample.method !== 'HEAD';
  const req = new Request(`http://localhost${sample.path}?${sample.query}`, { method: sample.method, headers: sample.headers, body: hasBody ? sample.body : undefined });
  const res = await world.api(req);
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel();
  const bytes = res.headers.get('content-type')?.startsWith('text/event-stream') ? new Uint8Array() : new Uint8Array(await res.arrayBuffer());
  const text = res.headers.get('content-encoding') === 'gzip' ? '' : Buffer.from(bytes).toString();
  check({ status: res.status, headers: res.headers, body: bytes }, text, sample);
}

const fuzz = suite('API fuzz (fast-check)');

fuzz(`answers ${RUNS} random requests at the core with no 5xx and a full error body on every 4xx`, async () => {
  const world = await makeWorld({ corsOrigins: ['https://dash.example'] });
  let runs = 0;
  await fc.assert(fc.asyncProperty(request, async (sample) => {
    runs++;
    await viaCore(world, sample);
  }), { numRuns: RUNS });
  await world.jobs.idle();
  assert.is(runs, RUNS);
  console.log(`fuzz: ${runs} requests at the core; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  for (const status of [200, 202, 204, 304, 400, 404, 405]) assert.ok(statuses.has(status), `no ${status} seen`);
});

fuzz('answers 1000 random requests through the Lambda adapter the same way', async () => {
  const world = await makeWorld({ sseMode: 'snapshot' });
  const t = lambdaTransport(world.api);
  let runs = 0;
  await fc.assert(fc.asyncProperty(request, async (sample) => {
    runs++;
    const hasBody = sample.body !== null && sample.method !== 'GET' && sample.method !== 'HEAD';
    const res = await t.send(`${sample.path}?${sample.query}`, { method: sample.method, headers: sample.headers, body: hasBody ? sample.body! : undefined });
    check(res, res.headers.get('content-encoding') === 'gzip' ? '' : Buffer.from(res.body).toString(), sample);
  }), { numRuns: 1000 });
  await world.jobs.idle();
  console.log(`fuzz: ${runs} requests through the Lambda adapter`);
});

fuzz.run();
