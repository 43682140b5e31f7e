import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../../agent/config/config.js';
import { ConfigError } from '../../../agent/config/errors.js';
import { DEFAULT_CLOUD, parseCloudConfig } from '../../../agent/config/upload-config.js';

const parse = suite('parseCloudConfig');

parse('no section means no uplink; an empty section takes the defaults (every minute, 25 per batch)', () => {
  assert.is(parseCloudConfig(undefined), undefined);
  assert.equal(parseCloudConfig({}), { ...DEFAULT_CLOUD, bucket: undefined, region: undefined });
  assert.is(DEFAULT_CLOUD.uploadEveryMs, 60_000);
  assert.is(DEFAULT_CLOUD.batchItems, 25);
});

parse('accepts a full section', () => {
  const c = parseCloudConfig({ table: 'samples', bucket: 'my-snapshots', region: 'eu-central-1', uploadEvery: '*/5 * * * *', maxInFlight: 2, batchItems: 10, chunkItems: 500, attempts: 5 });
  assert.equal(c, { table: 'samples', bucket: 'my-snapshots', region: 'eu-central-1', uploadEveryMs: 300_000, maxInFlight: 2, batchItems: 10, chunkItems: 500, attempts: 5 });
});

parse('uploadEvery: durations, and the cron forms of "every N minutes" that earlier configs used', () => {
  const every = (uploadEvery: string) => parseCloudConfig({ uploadEvery })!.uploadEveryMs;
  assert.is(every('30s'), 30_000);
  assert.is(every('5m'), 300_000);
  assert.is(every('2h'), 7_200_000);
  assert.is(every('* * * * *'), 60_000);
  assert.is(every('*/15 * * * *'), 900_000);
});

parse('names the key and the allowed values for bad input', () => {
  const cases: Array<[unknown, string, RegExp]> = [
    [{ batchItems: 26 }, 'cloud.batchItems', /integer 1–25/],
    [{ maxInFlight: 0 }, 'cloud.maxInFlight', /integer 1–16/],
    [{ uploadEvery: 'every minute' }, 'cloud.uploadEvery', /interval "every minute" is not valid; expected a duration like "30s", "5m" or "1h"/],
    [{ uploadEvery: '0 3 * * *' }, 'cloud.uploadEvery', /expected a duration/],
    [{ uploadEvery: 60 }, 'cloud.uploadEvery', /expected a duration string/],
    [{ table: 'x' }, 'cloud.table', /3–255/],
    [{ region: 'Frankfurt' }, 'cloud.region', /AWS region/],
    [{ tabel: 'x' }, 'cloud.tabel', /unknown key/],
    ['yes', 'cloud', /object/],
  ];
  for (const [raw, key, message] of cases) {
    try {
      parseCloudConfig(raw);
      assert.unreachable(`${JSON.stringify(raw)} accepted`);
    } catch (err) {
      assert.instance(err, ConfigError);
      assert.is((err as ConfigError).key, key);
      assert.match((err as Error).message, message);
    }
  }
});

parse('parseConfig carries the cloud section and stays compatible without it', () => {
  assert.is(parseConfig({ deviceId: 'pi' }, 'host').cloud, undefined);
  assert.is(parseConfig({ deviceId: 'pi', cloud: { table: 'samples' } }, 'host').cloud?.table, 'samples');
});

parse.run();
