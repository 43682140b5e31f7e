import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { detectDelimiter, parseNumber, splitLine, splitLines, type BadLine, type Delimiter } from '../../../agent/import/fields.js';

function split(lines: string[], delimiter: Delimiter) {
  const records: Array<[number, string[]]> = [];
  const bad: BadLine[] = [];
  splitLines(lines, delimiter, 1, (f, n) => records.push([n, f]), (b) => bad.push(b));
  return { records, bad };
}

const fields = suite('splitLines');

fields('a quoted header with a comma inside a name is one field; quotes, doubled quotes, BOM and CR are handled', () => {
  const { records, bad } = split(['\ufeff"ts","Temp, living room","Humidity"\r', '1,"2,5",3', '', '2,"say ""hi""",4\r', '3, 4 ,5'], 'comma');
  assert.equal(records, [
    [1, ['ts', 'Temp, living room', 'Humidity']],
    [2, ['1', '2,5', '3']],
    [4, ['2', 'say "hi"', '4']],
    [5, ['3', '4', '5']],
  ]);
  assert.equal(bad, []);
});

fields('an unclosed quote costs its own line only, with its line number, wherever it is', () => {
  const { records, bad } = split(['a,b', '1,"2', '3,4', '5,"6"', '7,"8'], 'comma');
  assert.equal(records.map(([n]) => n), [1, 3, 4]);
  assert.equal(bad.map((b) => b.lineNo), [2, 5]);
  assert.match(bad[0].reason, /unclosed quote/);
});

fields('semicolon and tab text, and whitespace columns', () => {
  assert.equal(split(['a;"b;c";d'], 'semicolon').records, [[1, ['a', 'b;c', 'd']]]);
  assert.equal(split(['a\t"b\tc"'], 'tab').records, [[1, ['a', 'b\tc']]]);
  assert.equal(split(['  a   b  c '], 'whitespace').records, [[1, ['a', 'b', 'c']]]);
  assert.equal(splitLine('"a",b,,c', 'comma'), ['a', 'b', '', 'c']);
});

fields('line numbers continue from firstLineNo across chunks', () => {
  const records: number[] = [];
  splitLines(['1,2', '"3",4'], 'comma', 41, (_, n) => records.push(n), () => undefined);
  assert.equal(records, [41, 42]);
});

const delimiters = suite('detectDelimiter');

delimiters('reads several lines and ignores delimiters inside quotes', () => {
  assert.is(detectDelimiter(['"Timestamp","Temp, living room","Humidity"', '1,2,3', '4,5,6']).delimiter, 'comma');
  // Old rule (first line only, comma before semicolon) took this header for comma-separated.
  assert.is(detectDelimiter(['"ts";"Temp, living room"', '2019-01-31 16:03:12;23,89', '2019-01-31 16:12:52;23,88']).delimiter, 'semicolon');
  assert.is(detectDelimiter(['Zeit;Temperatur;Luftfeuchte', '2019-01-31 16:03:12;23,89;66,9', '2019-01-31 16:12:52;23,88;66,81']).delimiter, 'semicolon');
  assert.is(detectDelimiter(['ts\tv', '1\t2,5']).delimiter, 'tab');
  assert.is(detectDelimiter(['1 2 3', '4 5 6']).delimiter, 'whitespace');
  assert.match(detectDelimiter(['a,b', '1,2', '3,4']).evidence, /2 fields on 3 of 3 lines/);
});

const numbers = suite('parseNumber');

numbers('decimal point by default; decimal comma on request', () => {
  assert.is(parseNumber('21474840.0'), 21_474_840);
  assert.is(parseNumber('1,5'), undefined);
  assert.is(parseNumber('14,38', true), 14.38);
  assert.is(parseNumber('-0,5', true), -0.5);
  assert.is(parseNumber('7', true), 7);
  assert.is(parseNumber('14.38', true), undefined, 'a point is not a decimal separator in a decimal-comma file');
  assert.is(parseNumber('1,234,5', true), undefined);
});

fields.run();
delimiters.run();
numbers.run();
