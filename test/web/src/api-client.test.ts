import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiClient, ApiError, latestPath } from '../../../web/src/api-client.js';

const PAYLOAD = { schemaVersion: 1, window: '1d', granularity: 100, series: [] };
const STATE = { window: '1d', samples: 100, device: undefined } as const;

function client(respond: (url: string, init?: RequestInit) => Response | Promise<Response>) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const c = new ApiClient('https://x.example/prod', async (url, init) => {
    calls.push({ url, init });
    return respond(url, init);
  });
  return { c, calls };
}

const latest = suite('ApiClient.latest');

latest('requests window and samples under the base path and reads Last-Updated and X-Snapshot-Source', async () => {
  const { c, calls } = client(() => Response.json(PAYLOAD, { headers: { 'Last-Updated': '2019-09-30T16:00:00Z', 'X-Snapshot-Source': 'fallback' } }));
  const r = await c.latest({ ...STATE, device: 'pi-kitchen' });
  assert.is(calls[0].url, 'https://x.example/prod/samples/latest?window=1d&samples=100&device=pi-kitchen');
  assert.is(calls[0].init?.cache, 'default');
  assert.equal([r.lastUpdated, r.source], ['2019-09-30T16:00:00Z', 'fallback']);
});

latest('revalidates (cache: no-cache) and follows resultUrl after a refresh', async () => {
  const { c, calls } = client(() => Response.json(PAYLOAD));
  await c.latest(STATE, { revalidate: true, resultUrl: '/samples/latest?window=1d&samples=100' });
  assert.is(calls[0].url, 'https://x.example/prod/samples/latest?window=1d&samples=100');
  assert.is(calls[0].init?.cache, 'no-cache');
});

latest('latestPath pins a versionId when there is one (a live swap reads the version its meta names)', () => {
  assert.is(latestPath({ ...STATE, device: 'pi-kitchen' }, 'v1569860100000-95af8318f7dd46db'), '/samples/latest?window=1d&samples=100&device=pi-kitchen&versionId=v1569860100000-95af8318f7dd46db');
  assert.is(latestPath(STATE, null), '/samples/latest?window=1d&samples=100');
});

latest('turns a contract error body into an ApiError with the server message and code', async () => {
  const { c } = client(() => Response.json(
    { error: { status: 400, code: 'bad_parameter', parameter: 'window', message: 'window=2h is not allowed', allowed: ['1h'] } },
    { status: 400 },
  ));
  try {
    await c.latest(STATE);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, ApiError);
    const e = err as ApiError;
    assert.equal([e.status, e.code, e.parameter, e.message], [400, 'bad_parameter', 'window', 'The server refused the request (HTTP 400): window=2h is not allowed']);
  }
});

latest('words a 502 HTML page and a network failure for people', async () => {
  const html = client(() => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
  await html.c.latest(STATE).then(() => assert.unreachable(), (e: ApiError) => assert.is(e.message, 'The server failed (HTTP 502): 502 Bad Gateway'));
  const down = client(() => Promise.reject(new TypeError('Failed to fetch')));
  await down.c.latest(STATE).then(() => assert.unreachable(), (e: ApiError) => {
    assert.equal([e.status, e.code], [0, 'network']);
    assert.is(e.message, 'No readable answer from the API at https://x.example (network error, blocked by CORS, or a corrupt response).');
  });
});

latest('rejects a 200 body that is not a payload', async () => {
  const { c } = client(() => Response.json({ hello: 1 }));
  await c.latest(STATE).then(() => assert.unreachable(), (e: ApiError) => assert.is(e.code, 'bad_body'));
});

const refresh = suite('ApiClient.refresh / status');

refresh('POSTs the view as JSON and returns the job; status resolves the statusUrl', async () => {
  const job = { requestId: 'ab', statusUrl: '/samples/refresh/ab', eventsUrl: '/samples/refresh/ab/events', etaMs: 2000 };
  const { c, calls } = client((url) => (url.endsWith('/refresh') ? Response.json(job, { status: 202 }) : Response.json({ requestId: 'ab', status: 'running' })));
  assert.equal(await c.refresh({ window: '10d', samples: 20, device: 'pi' }), job);
  assert.is(calls[0].init?.method, 'POST');
  assert.equal(JSON.parse(String(calls[0].init?.body)), { window: '10d', samples: 20, device: 'pi' });
  assert.is((await c.status(job.statusUrl)).status, 'running');
  assert.is(calls[1].url, 'https://x.example/prod/samples/refresh/ab');
});

refresh('rejects a 202 without statusUrl/eventsUrl', async () => {
  const { c } = client(() => Response.json({ requestId: 'ab' }, { status: 202 }));
  await c.refresh(STATE).then(() => assert.unreachable(), (e: ApiError) => assert.is(e.code, 'bad_body'));
});

latest.run();
refresh.run();
