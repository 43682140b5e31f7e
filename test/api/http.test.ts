import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { acceptsGzip, httpDate, ifNoneMatchMatches, readBodyText } from '../../api/http.js';

const gzip = suite('acceptsGzip');
gzip('follows RFC 9110 §12.5.3 q-values, x-gzip and *', () => {
  const table: Array<[string | null, boolean]> = [
    [null, false], ['', false], ['gzip', true], ['deflate, gzip;q=0.5', true], ['gzip;q=0', false], ['identity', false],
    ['*', true], ['*;q=0', false], ['*, gzip;q=0', false], ['x-gzip', true], ['GZIP', true], ['br, deflate', false], ['gzip;q=abc', false],
  ];
  for (const [header, expected] of table) assert.is(acceptsGzip(header), expected, String(header));
});

const inm = suite('ifNoneMatchMatches');
inm('uses weak comparison over a list and honours *', () => {
  assert.ok(ifNoneMatchMatches('"a", W/"b"', '"b"'));
  assert.ok(ifNoneMatchMatches('*', '"x"'));
  assert.not.ok(ifNoneMatchMatches('"ab"', '"a"'));
  assert.not.ok(ifNoneMatchMatches(null, '"a"'));
});

const date = suite('httpDate');
date('formats an IMF-fixdate', () => {
  assert.is(httpDate(784_111_777_000), 'Sun, 06 Nov 1994 08:49:37 GMT');
});

const body = suite('readBodyText');
body('reads UTF-8 up to the limit and rejects longer or invalid bodies with a 400 about body', async () => {
  const req = (b: BodyInit) => new Request('http://x/', { method: 'POST', body: b });
  assert.is(await readBodyText(req('{"window":"1h"}'), 100), '{"window":"1h"}');
  for (const bad of ['x'.repeat(101), Uint8Array.of(0xff, 0xfe)]) {
    try {
      await readBodyText(req(bad), 100);
      assert.unreachable('should throw');
    } catch (err) {
      assert.equal([(err as any).status, (err as any).parameter], [400, 'body']);
    }
  }
});

gzip.run();
inm.run();
date.run();
body.run();
