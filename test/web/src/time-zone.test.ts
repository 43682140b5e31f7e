import { suite } from 'uvu';
import * as assert from 'uvu/assert';

// The offset depends on the process zone: set it before the module reads any date.
process.env.TZ = 'Europe/Berlin';
const { utcOffsetLabel, utcOffsetRange } = await import('../../../web/src/time-zone.js');

const offset = suite('utcOffsetLabel / utcOffsetRange');

offset('labels Berlin summer and winter time and a window across the October change', () => {
  assert.is(utcOffsetLabel(Date.parse('2019-09-30T16:00:00Z')), 'UTC+02:00');
  assert.is(utcOffsetLabel(Date.parse('2019-12-01T00:00:00Z')), 'UTC+01:00');
  assert.is(utcOffsetRange(Date.parse('2019-10-20T00:00:00Z'), Date.parse('2019-10-30T00:00:00Z')), 'UTC+02:00 → UTC+01:00');
  assert.is(utcOffsetRange(Date.parse('2019-09-20T00:00:00Z'), Date.parse('2019-09-30T00:00:00Z')), 'UTC+02:00');
});

offset.run();
