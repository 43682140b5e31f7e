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
body('reads UTF-8 up to the limit; a longer body is 413 payload_too_large, invalid UTF-8 a 400 about body', async () => {
  const req = (b: BodyInit) => new Request('http://x/', { method: 'POST', body: b });
  assert.is(await readBodyText(req('{"window":"1h"}'), 100), '{"window":"1h"}');
  const cases: Array<[BodyInit, number, string]> = [['x'.repeat(101), 413, 'payload_too_large'], [Uint8Array.of(0xff, 0xfe), 400, 'bad_parameter']];
  for (const [bad, status, code] of cases) {
    try {
      await readBodyText(req(bad), 100);
      assert.unreachable('should throw');
    } catch (err) {
      assert.equal([(err as any).status, (err as any).code, (err as any).parameter], [status, code, 'body']);
    }
  }
});

gzip.run();
inm.run();
date.run();
body.run();
