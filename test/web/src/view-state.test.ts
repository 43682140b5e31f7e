import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DEFAULT_SAMPLES, DEFAULT_WINDOW, deviceChoices, localInputValue, parseRangeInputs, parseRangeParams, parseViewState, rangeText, rangeToSearch, viewStateToSearch,
} from '../../../web/src/view-state.js';

const parse = suite('parseViewState');

parse('defaults to 1d at 100 points and the first configured device', () => {
  const { state, problems } = parseViewState(new URLSearchParams(''), ['pi-kitchen', 'pi-garage']);
  assert.equal(state, { window: DEFAULT_WINDOW, samples: DEFAULT_SAMPLES, device: 'pi-kitchen' });
  assert.equal([DEFAULT_WINDOW, DEFAULT_SAMPLES], ['1d', 100]);
  assert.equal(problems, []);
});

parse('reads window, samples and device from the query', () => {
  const { state } = parseViewState(new URLSearchParams('window=12m&samples=500&device=pi-garage'), []);
  assert.equal(state, { window: '12m', samples: 500, device: 'pi-garage' });
});

parse('falls back to defaults and says why for a window, samples or device it does not offer', () => {
  const { state, problems } = parseViewState(new URLSearchParams('window=2h&samples=50&device=a%20b'), []);
  assert.equal(state, { window: '1d', samples: 100, device: undefined });
  assert.equal(problems, [
    'window=2h is not offered; allowed: 1h, 10h, 1d, 10d, 3m, 12m. Showing 1d.',
    'samples=50 is not offered; allowed: 20, 100, 250, 500. Showing 100.',
    'device=a b is not a valid device id (letters, digits and ._:-, up to 64).',
  ]);
});

parse('rejects samples written as a decimal or with a sign', () => {
  for (const s of ['100.0', '+100', '1e2', '']) {
    assert.is(parseViewState(new URLSearchParams(`samples=${encodeURIComponent(s)}`), []).problems.length, 1, s);
  }
});

const write = suite('viewStateToSearch');

write('round-trips through parseViewState and keeps other parameters such as api', () => {
  const search = viewStateToSearch({ window: '10d', samples: 250, device: 'pi-garage' }, new URLSearchParams('api=http%3A%2F%2Fpi%3A8080&window=1h'));
  assert.is(search, '?api=http%3A%2F%2Fpi%3A8080&window=10d&samples=250&device=pi-garage');
  assert.equal(parseViewState(new URLSearchParams(search), []).state, { window: '10d', samples: 250, device: 'pi-garage' });
});

write('drops device when the view uses the default device', () => {
  assert.is(viewStateToSearch({ window: '1h', samples: 20, device: undefined }, new URLSearchParams('device=x')), '?window=1h&samples=20');
});

const choices = suite('deviceChoices');

choices('adds a ?device= that config.json does not list, once', () => {
  assert.equal(deviceChoices(['a', 'b'], { window: '1h', samples: 20, device: 'c' }), ['a', 'b', 'c']);
  assert.equal(deviceChoices(['a', 'b'], { window: '1h', samples: 20, device: 'b' }), ['a', 'b']);
});

parse.run();
write.run();
choices.run();

const range = suite('custom range: URL and From/To inputs');

range('from/to in the URL round-trip as whole-second UTC ISO, other parameters kept; undefined removes them', () => {
  const r = { fromMs: Date.parse('2019-09-30T15:10:00Z'), toMs: Date.parse('2019-09-30T15:50:30.500Z') };
  const search = rangeToSearch(r, new URLSearchParams('window=10h&samples=100&device=porch'));
  assert.is(search, '?window=10h&samples=100&device=porch&from=2019-09-30T15%3A10%3A00Z&to=2019-09-30T15%3A50%3A30.500Z');
  assert.equal(parseRangeParams(new URLSearchParams(search)), { range: r, problems: [] });
  assert.is(rangeToSearch(undefined, new URLSearchParams(search)), '?window=10h&samples=100&device=porch');
  assert.equal(parseRangeParams(new URLSearchParams('from=1569856200000&to=2019-09-30T17:50:00%2B02:00')).range, { fromMs: 1569856200000, toMs: Date.parse('2019-09-30T15:50:00Z') });
});

range('a URL range that is half, not a date, or backwards is reported and ignored', () => {
  assert.equal(parseRangeParams(new URLSearchParams('')), { range: undefined, problems: [] });
  assert.equal(parseRangeParams(new URLSearchParams('from=2019-09-30T15:00:00Z')).problems, ['A custom range needs both from= and to=; got only from. Showing the window.']);
  assert.equal(parseRangeParams(new URLSearchParams('from=2019-13-45T00:00Z&to=yesterday')).problems, [
    'from=2019-13-45T00:00Z is not a date: use ISO 8601 with a zone (2019-09-30T13:00:00Z) or epoch ms. Showing the window.',
    'to=yesterday is not a date: use ISO 8601 with a zone (2019-09-30T13:00:00Z) or epoch ms. Showing the window.',
  ]);
  assert.equal(parseRangeParams(new URLSearchParams('from=2019-09-30T15:00:00Z&to=2019-09-30T15:00:00Z')).problems, ['from=2019-09-30T15:00:00Z is not before to=2019-09-30T15:00:00Z. Showing the window.']);
  assert.equal(parseRangeParams(new URLSearchParams('from=2019-09-30T15:00:00&to=2019-09-30T16:00:00Z')).range, undefined, 'no zone: ambiguous');
});

range('From/To inputs are local date-times as YYYY-MM-DD HH:MM (T accepted); empty, impossible, other-format and backwards ranges get a sentence', () => {
  const from = new Date(2019, 8, 30, 17, 10).getTime();
  const to = new Date(2019, 8, 30, 17, 50, 30).getTime();
  assert.equal(parseRangeInputs('2019-09-30 17:10', ' 2019-09-30 17:50:30 '), { range: { fromMs: from, toMs: to } });
  assert.equal(parseRangeInputs('2019-09-30T17:10', '2019-09-30T17:50:30'), { range: { fromMs: from, toMs: to } });
  assert.equal(parseRangeInputs('2019-09-30 17:30', '2019-09-30T17:00'), { error: 'From (2019-09-30 17:30) must be before To (2019-09-30 17:00).' });
  assert.equal(parseRangeInputs('2019-09-30 17:30', '2019-09-30 17:30'), { error: 'From (2019-09-30 17:30) must be before To (2019-09-30 17:30).' });
  assert.equal(parseRangeInputs('2019-09-30 17:30', ''), { error: 'To is empty (YYYY-MM-DD HH:MM).' });
  assert.equal(parseRangeInputs('2019-02-30 10:00', '2019-03-01 10:00'), { error: 'From (2019-02-30 10:00) is not a date and time as YYYY-MM-DD HH:MM, e.g. 2019-09-30 17:10.' });
  // A German or US date is not guessed at (30.09. vs 09/30): it is refused with the format.
  assert.equal(parseRangeInputs('30.09.2019 17:10', '09/30/2019 05:50 PM'), {
    error: 'From (30.09.2019 17:10) is not a date and time as YYYY-MM-DD HH:MM, e.g. 2019-09-30 17:10; To (09/30/2019 05:50 PM) is not a date and time as YYYY-MM-DD HH:MM, e.g. 2019-09-30 17:10.',
  });
  assert.equal(parseRangeInputs('', 'soon'), { error: 'From is empty (YYYY-MM-DD HH:MM); To (soon) is not a date and time as YYYY-MM-DD HH:MM, e.g. 2019-09-30 17:10.' });
});

range('input values are the local minute, the end rounded up; rangeText writes a range so, the date once within a day', () => {
  const t = new Date(2019, 8, 30, 8, 5, 20).getTime();
  assert.is(localInputValue(t), '2019-09-30 08:05');
  assert.is(localInputValue(t, true), '2019-09-30 08:06');
  assert.is(localInputValue(new Date(2019, 8, 30, 8, 5).getTime(), true), '2019-09-30 08:05');
  assert.is(rangeText(t, new Date(2019, 8, 30, 17, 50).getTime()), '2019-09-30 08:05 – 17:50');
  assert.is(rangeText(t, new Date(2019, 9, 1, 0, 0, 1).getTime()), '2019-09-30 08:05 – 2019-10-01 00:01');
});

range.run();
