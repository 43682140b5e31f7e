import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cronForIntervalMs } from '../../platform/cron-schedule.js';

const cron = suite('cronForIntervalMs');

cron('maps second, minute and hour intervals to clock-aligned 6-field expressions', () => {
  assert.is(cronForIntervalMs(10_000), '*/10 * * * * *');
  assert.is(cronForIntervalMs(30_000), '*/30 * * * * *');
  assert.is(cronForIntervalMs(300_000), '0 */5 * * * *');
  assert.is(cronForIntervalMs(900_000), '0 */15 * * * *');
  assert.is(cronForIntervalMs(3_600_000), '0 0 */1 * * *');
});

cron('rejects intervals that cannot align to the clock, saying what is allowed', () => {
  assert.throws(() => cronForIntervalMs(7_000), /whole seconds dividing 60/);
  assert.throws(() => cronForIntervalMs(1_500), /7000|1500 ms/);
  assert.throws(() => cronForIntervalMs(0), /0 ms/);
});

cron.run();
