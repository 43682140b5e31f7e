/**
 * The soak run (`bench/soak/`) over one simulated day across the October DST change, with every fault
 * of its table once (a power cut with a torn WAL tail, a reboot with a stale clock, a flaky bus, an
 * unplugged DS18B20, a cold snap, a disk full for an hour, a corrupted database): the real daemon in child processes, real SQLite, the real uploader
 * against dynalite. The emulated I²C bus and 1-Wire sysfs stand in for hardware only. The figures
 * (speed, delays) are the bench's; this asserts what must hold: every loss has a cause, DynamoDB
 * equals SQLite, the database is intact.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_SOAK, runSoak } from '../../bench/soak/soak.js';

test('issue 12: a simulated day of faults — every lost sample has a cause, DynamoDB equals SQLite, integrity ok', async () => {
  const r = await runSoak({ ...DEFAULT_SOAK, days: 1, startMs: Date.UTC(2027, 9, 30, 12) }); // 2027-10-31 01:00Z: clocks go back
  assert.is(r.expected, 2 * 1440, 'two sensors, one read a minute');
  assert.is(r.lostWithoutCause, 0, JSON.stringify(r.lost));
  assert.is(r.expected - r.stored, Object.values(r.lost).reduce((a, b) => a + b, 0), 'stored + lost = expected');
  const movedAside = (r.lost['database damaged: moved aside (in DynamoDB)'] ?? 0) + (r.lost['database damaged: moved aside before upload (only in the moved-aside file)'] ?? 0);
  assert.ok(r.stored + movedAside > 0.85 * r.expected, `${r.stored} + ${movedAside} moved aside of ${r.expected} stored`);
  assert.ok((r.lost['power cut (read in flight, torn WAL tail, power off, boot)'] ?? 0) >= 2 * 9, 'the 10 min without power cost about ten reads per sensor');
  assert.ok((r.lost['sensor unplugged (until the slow-backoff retry finds it)'] ?? 0) > 0);
  assert.is(r.boots, 4, 'first boot, after the damaged database, after the power cut, after the reboot');
  // One corrupted database: moved aside at the next boot, its reads charged to it, its uploaded instants still in DynamoDB.
  assert.is(r.movedAside.length, 1, JSON.stringify(r.movedAside));
  assert.match(r.movedAside[0].reason, /^SQLITE_CORRUPT/);
  assert.is(r.movedAside[0].phase, 'open');
  assert.ok(movedAside > 2 * 100, `about 2.4 h of both sensors' reads moved aside: ${movedAside}`);
  assert.ok(r.movedAside[0].uploadedInstants > 0, 'the uploader had sent part of the old file');
  assert.is(r.logLines['corrupt-db']?.occurrences, 1);
  // Disk full for an hour: commits refused, the batch held the samples and committed them after, nothing lost to it.
  assert.ok(r.diskFullRefusals >= 50, `${r.diskFullRefusals} commits refused in the hour`);
  assert.is(r.logLines['disk-full']?.occurrences, 1);
  const diskFullLost = r.lost['disk full (readings taken while a commit is refused for space; held ones are committed when space returns)'] ?? 0;
  assert.ok(diskFullLost > 0 && diskFullLost <= 2 * 62, `readings taken during the full hour are lost with their cause (${diskFullLost}), named in one log line`);
  assert.ok(r.clockGuard.restamped > 0, 'reads before NTP stepped the stale clock were held and restamped, not lost');
  assert.ok(r.subZeroStored > 0, 'the cold snap below 0 °C was stored');
  assert.equal(r.logLines.dst?.occurrences, 1);
  // The builds (every window at most hourly in the soak) ran, and after every boot, the power cut's
  // included, each of the 24 snapshots' meta names a payload with its sha256, size and versionId.
  // Each boot's first build of the 6 windows, then each window hourly through the day (not 3,800 a day).
  assert.ok(r.builds.done >= 6 * 4 + 6 * 20 && r.builds.done <= 6 * 4 + 6 * 24, `${r.builds.done} builds`);
  assert.is(r.builds.failed, 0);
  assert.is(r.builds.checks, 4);
  assert.is(r.builds.minBuilt, 24);
  assert.equal(r.builds.problems, []);
  assert.is(r.integrity, 'ok');
  assert.ok(r.sqliteItems > 1440, `${r.sqliteItems} instants`);
  assert.is(r.dynamoDiff, undefined);
  assert.ok(r.dynamoEqualsSqlite);
});

test.run();
