import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveApiUrl, resolvePageConfig } from '../../../web/src/page-config.js';

const PAGE = 'http://127.0.0.1:8080/dash/index.html?window=1d';
const resolve = suite('resolvePageConfig');

resolve('uses the page origin when neither ?api= nor config.json names an API', () => {
  const c = resolvePageConfig(new URLSearchParams(''), undefined, PAGE);
  assert.equal(c, { apiBase: 'http://127.0.0.1:8080', devices: [], title: undefined, problems: [] });
});

resolve('takes config.json api and devices; ?api= beats config.json', () => {
  const config = { api: 'https://d111.cloudfront.net/', devices: ['pi-kitchen', 'pi-garage', 'pi-kitchen'], title: 'Home' };
  const c = resolvePageConfig(new URLSearchParams(''), config, PAGE);
  assert.equal(c, { apiBase: 'https://d111.cloudfront.net', devices: ['pi-kitchen', 'pi-garage'], title: 'Home', problems: [] });
  const q = resolvePageConfig(new URLSearchParams('api=https://abc.execute-api.eu-west-1.amazonaws.com/prod'), config, PAGE);
  assert.is(q.apiBase, 'https://abc.execute-api.eu-west-1.amazonaws.com/prod');
});

resolve('resolves a relative api against the page and reports non-http URLs and bad device ids', () => {
  assert.is(resolvePageConfig(new URLSearchParams('api=/api'), {}, PAGE).apiBase, 'http://127.0.0.1:8080/api');
  const c = resolvePageConfig(new URLSearchParams('api=javascript:alert(1)'), { devices: ['ok', 'not ok', 3] }, PAGE);
  assert.is(c.apiBase, 'http://127.0.0.1:8080');
  assert.equal(c.devices, ['ok']);
  assert.equal(c.problems, [
    'api=javascript:alert(1) is not an http(s) URL; using http://127.0.0.1:8080.',
    'config.json devices: "not ok" is not a valid device id; skipped.',
    'config.json devices: 3 is not a valid device id; skipped.',
  ]);
});

resolve('says so when config.json is not an object', () => {
  assert.equal(resolvePageConfig(new URLSearchParams(''), ['x'], PAGE).problems, ['config.json is not a JSON object; using defaults.']);
});

const apiUrl = suite('resolveApiUrl');

apiUrl('keeps an API Gateway stage prefix for paths the API returns', () => {
  assert.is(resolveApiUrl('https://x.example/prod', '/samples/refresh/ab12'), 'https://x.example/prod/samples/refresh/ab12');
  assert.is(resolveApiUrl('http://127.0.0.1:8080', '/samples/refresh/ab12/events'), 'http://127.0.0.1:8080/samples/refresh/ab12/events');
  assert.is(resolveApiUrl('https://x.example/prod', 'https://y.example/s'), 'https://y.example/s');
});

resolve.run();
apiUrl.run();
