import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { detectTimestampStyle, describeZone, parseTimestamp, parseUtcOffset, wallClockToUtcMs } from '../../../agent/import/timestamp.js';

const UTC = { kind: 'utc' } as const;
const BERLIN = { kind: 'iana', name: 'Europe/Berlin' } as const;

const detect = suite('detectTimestampStyle');
detect('tells the four styles of the shared datasets apart', () => {
  assert.is(detectTimestampStyle('1488327000'), 'epoch-s');
  assert.is(detectTimestampStyle('1538323724.133'), 'epoch-s');
  assert.is(detectTimestampStyle('1538323724133'), 'epoch-ms');
  assert.is(detectTimestampStyle('2024-11-25T19:09:51+00:00'), 'iso');
  assert.is(detectTimestampStyle('2017-02-15 00:10:00'), 'iso');
  assert.is(detectTimestampStyle('2022-11-14-20:40:0.874'), 'ymd-hms');
  assert.is(detectTimestampStyle('Temperature'), undefined);
  assert.is(detectTimestampStyle(''), undefined);
  assert.is(detectTimestampStyle('21.5'), undefined, 'a small number is a value, not a clock');
});
detect.run();

const parse = suite('parseTimestamp');
parse('reads epoch seconds with a millisecond fraction as integer ms', () => {
  assert.is(parseTimestamp('1538323724.133', 'epoch-s', UTC), 1_538_323_724_133);
  assert.is(parseTimestamp('1488327000', 'epoch-s', UTC), 1_488_327_000_000);
  assert.is(parseTimestamp('1538323724133', 'epoch-ms', UTC), 1_538_323_724_133);
  assert.is(parseTimestamp('15x', 'epoch-s', UTC), undefined);
});
parse('reads the fridge style with the fraction as unpadded milliseconds in the given zone', () => {
  // 2022-11-14 20:40:00.874 CET (UTC+1) = 19:40:00.874Z; ".99" is 99 ms, not 990 ms.
  assert.is(parseTimestamp('2022-11-14-20:40:0.874', 'ymd-hms', BERLIN), Date.UTC(2022, 10, 14, 19, 40, 0, 874));
  assert.is(parseTimestamp('2022-11-14-20:41:9.99', 'ymd-hms', BERLIN), Date.UTC(2022, 10, 14, 19, 41, 9, 99));
  assert.is(parseTimestamp('2022-11-14-9:5:3.7', 'ymd-hms', { kind: 'offset', offsetMin: 60 }), Date.UTC(2022, 10, 14, 8, 5, 3, 7));
  assert.is(parseTimestamp('2022-11-14T20:40:00', 'ymd-hms', BERLIN), undefined);
});
parse('honours the zone written in an ISO timestamp and applies the import zone only to naive ones', () => {
  assert.is(parseTimestamp('2024-11-25T19:09:51+00:00', 'iso', BERLIN), Date.UTC(2024, 10, 25, 19, 9, 51));
  assert.is(parseTimestamp('2024-11-25T19:09:51-0530', 'iso', UTC), Date.UTC(2024, 10, 26, 0, 39, 51));
  assert.is(parseTimestamp('2024-11-25T19:09:51.25Z', 'iso', BERLIN), Date.UTC(2024, 10, 25, 19, 9, 51, 250));
  assert.is(parseTimestamp('2022-07-01 12:00:00', 'iso', BERLIN), Date.UTC(2022, 6, 1, 10, 0, 0), 'CEST is UTC+2');
  assert.is(parseTimestamp('2022-01-01 12:00', 'iso', BERLIN), Date.UTC(2022, 0, 1, 11, 0, 0), 'CET is UTC+1');
});
parse('rejects impossible dates and times instead of rolling them over', () => {
  assert.is(parseTimestamp('2022-02-30T00:00:00Z', 'iso', UTC), undefined);
  assert.is(parseTimestamp('2022-11-14-24:00:0.0', 'ymd-hms', UTC), undefined);
  assert.is(parseTimestamp('2022-13-01T00:00:00Z', 'iso', UTC), undefined);
});
parse.run();

const zones = suite('parseUtcOffset / wallClockToUtcMs / describeZone');
zones('parses ±HH:MM offsets and rejects the rest', () => {
  assert.is(parseUtcOffset('+01:00'), 60);
  assert.is(parseUtcOffset('-05:30'), -330);
  assert.is(parseUtcOffset('+0100'), 60);
  assert.is(parseUtcOffset('Z'), 0);
  assert.is(parseUtcOffset('+25:00'), undefined);
  assert.is(parseUtcOffset('CET'), undefined);
});
zones('converts wall-clock time across the 2022 Berlin DST switch', () => {
  // 2022-03-27 01:30 CET = 00:30Z; 03:30 CEST = 01:30Z.
  assert.is(wallClockToUtcMs(Date.UTC(2022, 2, 27, 1, 30), BERLIN), Date.UTC(2022, 2, 27, 0, 30));
  assert.is(wallClockToUtcMs(Date.UTC(2022, 2, 27, 3, 30), BERLIN), Date.UTC(2022, 2, 27, 1, 30));
  assert.is(describeZone({ kind: 'offset', offsetMin: -330 }), 'UTC-05:30');
  assert.is(describeZone(BERLIN), 'Europe/Berlin');
});
zones.run();

const roundTrip = suite('parseTimestamp round trips (fast-check)');
roundTrip('reads back any instant written as ISO with Z, as epoch s with ms, and in the unpadded fridge style', async () => {
  const fc = (await import('fast-check')).default;
  fc.assert(
    fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
      const d = new Date(ms);
      const fridge = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}-${d.getUTCHours()}:${d.getUTCMinutes()}:${d.getUTCSeconds()}.${d.getUTCMilliseconds()}`;
      return parseTimestamp(d.toISOString(), 'iso', BERLIN) === ms
        && parseTimestamp((ms / 1000).toFixed(3), 'epoch-s', UTC) === ms
        && parseTimestamp(fridge, 'ymd-hms', UTC) === ms
        && parseTimestamp(fridge, 'ymd-hms', { kind: 'offset', offsetMin: 60 }) === ms - 3_600_000;
    }),
    { numRuns: 2_000 },
  );
});
roundTrip.run();
