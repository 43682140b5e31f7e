import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_SAMPLES, DEFAULT_WINDOW, deviceChoices, parseViewState, viewStateToSearch } from '../../../web/src/view-state.js';

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
