import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { JobScheduler, formatStep } from '../../../agent/schedule/job-scheduler.js';
import { addDays, localTimeIn, parseTimeOfDay } from '../../../agent/schedule/local-time.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { VirtualTime } from '../../support/virtual-time.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const utc = (iso: string) => Date.parse(`${iso}Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/** Virtual time whose timer count can be read (a busy loop would show as thousands of timers). */
function world(startIso: string, timeZone = 'Europe/London') {
  const time = new VirtualTime(utc(startIso));
  let timersArmed = 0;
  const timers = { monoMs: () => time.monoMs(), schedule: (ms: number, fn: () => void) => (timersArmed++, time.schedule(ms, fn)) };
  const log = recordingLogger();
  const scheduler = new JobScheduler({ clock: time, timers, log, timeZone });
  /** A job that records the wall time of each run. */
  const recorder = () => {
    const at: number[] = [];
    return { at, run: async () => void at.push(time.nowMs()) };
  };
  return { time, log, scheduler, recorder, armed: () => timersArmed, steps: () => log.lines.filter((l) => /wall clock stepped/.test(l)) };
}

const dst = suite('JobScheduler across DST (Europe/London)');

dst('issue 12: the repeated hour (last Sunday of October): a 60 s job runs every 60 s, no busy loop, nothing stalls', async () => {
  const w = world('2026-10-25T00:00');
  const job = w.recorder();
  w.scheduler.every('build 1h', MIN, job.run);
  await w.time.advance(3 * HOUR); // 01:00 BST … 01:00 GMT … 03:00 GMT
  assert.is(job.at.length, 180);
  assert.ok(job.at.every((t, i) => t === utc('2026-10-25T00:01') + i * MIN), 'one run a minute, evenly spaced through the change');
  assert.ok(w.armed() <= 2 * 180 + 2, `timers armed: ${w.armed()} (a re-arm with 0 ms would be thousands)`);
  assert.is(w.steps().length, 0, 'a DST change is not a clock step');
  await w.scheduler.stop();
});

dst('issue 12: a daily job at 01:30 runs once on the autumn DST day, at the first 01:30 (00:30Z), and once the next day', async () => {
  const w = world('2026-10-24T12:00');
  const job = w.recorder();
  w.scheduler.dailyAt('daily export', '01:30', job.run);
  await w.time.advance(2 * DAY);
  assert.equal(job.at.map(iso), ['2026-10-25T00:30', '2026-10-26T01:30']);
  await w.scheduler.stop();
});

dst('issue 12: a daily job at 01:30 runs once on the spring DST day, when the clock jumps over 01:30 (01:00Z = 02:00 BST)', async () => {
  const w = world('2026-03-27T12:00');
  const job = w.recorder();
  w.scheduler.dailyAt('daily export', '01:30', job.run);
  await w.time.advance(3 * DAY);
  assert.equal(job.at.map(iso), ['2026-03-28T01:30', '2026-03-29T01:00', '2026-03-30T00:30']);
  await w.scheduler.stop();
});

dst('a daily job follows the zone it is given (UTC: 01:30Z every day, DST or not)', async () => {
  const w = world('2026-10-24T12:00', 'UTC');
  const job = w.recorder();
  w.scheduler.dailyAt('daily export', '01:30', job.run);
  await w.time.advance(2 * DAY);
  assert.equal(job.at.map(iso), ['2026-10-25T01:30', '2026-10-26T01:30']);
  await w.scheduler.stop();
});
dst.run();

const steps = suite('JobScheduler across wall-clock steps');

steps('issue 12: +14 d step (stale fake-hwclock, then NTP): no burst of runs, one log line, each job at its next slot', async () => {
  const w = world('2026-06-01T09:00');
  const [minute, hourly, daily] = [w.recorder(), w.recorder(), w.recorder()];
  w.scheduler.every('build 1h', MIN, minute.run);
  w.scheduler.every('retention', HOUR, hourly.run);
  w.scheduler.dailyAt('daily export', '01:30', daily.run);
  await w.time.advance(30 * MIN);
  const armedBefore = w.armed();
  w.time.stepWallTo(w.time.nowMs() + 14 * DAY);
  await w.time.advance(2 * MIN);
  assert.is(minute.at.length, 32, 'the 60 s job: one run per minute, before and after');
  assert.is(hourly.at.length, 0, 'the hourly job: its first slot is still 30 min away (monotonic)');
  assert.is(daily.at.length, 0, 'no make-up run of the 14 daily slots jumped over');
  assert.ok(w.armed() - armedBefore <= 6, `timers armed over the step: ${w.armed() - armedBefore}`);
  assert.equal(w.steps(), ['warn wall clock stepped +14 d 0 h 0 min (from about 2026-06-01T09:31:00.000Z to 2026-06-15T09:31:00.000Z); periodic jobs keep their monotonic cadence, daily jobs resume at their next slot']);
  await w.time.advance(HOUR);
  assert.is(hourly.at.length, 1);
  assert.equal(hourly.at.map(iso), ['2026-06-15T10:00']);
  await w.time.advance(DAY);
  assert.equal(daily.at.map(iso), ['2026-06-16T00:30'], 'next slot: 01:30 BST the next day');
  assert.is(w.steps().length, 1);
  await w.scheduler.stop();
});

steps('issue 12: -2 h step: every job keeps running, and a daily job never runs twice for one date', async () => {
  const w = world('2026-06-01T23:00'); // 00:00 BST on 06-02
  const [minute, daily] = [w.recorder(), w.recorder()];
  w.scheduler.every('build 1h', MIN, minute.run);
  w.scheduler.dailyAt('daily export', '01:30', daily.run);
  await w.time.advance(2 * HOUR); // 02:00 BST; the daily job ran at 01:30 BST
  assert.equal(daily.at.map(iso), ['2026-06-02T00:30']);
  w.time.stepWallTo(w.time.nowMs() - 2 * HOUR); // back to 00:00 BST: 01:30 comes again
  await w.time.advance(2 * HOUR);
  assert.is(minute.at.length, 240, 'the 60 s job ran every minute through and after the step');
  assert.equal(daily.at.map(iso), ['2026-06-02T00:30'], 'not again for 2026-06-02');
  await w.time.advance(DAY);
  assert.equal(daily.at.map(iso), ['2026-06-02T00:30', '2026-06-03T00:30'], 'and on the next date as usual');
  assert.equal(w.steps().length, 1);
  assert.match(w.steps()[0], /stepped -2 h 0 min/);
  await w.scheduler.stop();
});

steps('after a big step back (the clock was wrong in the future) daily jobs resume from the corrected date', async () => {
  const w = world('2026-06-15T09:00');
  const daily = w.recorder();
  w.scheduler.dailyAt('daily export', '01:30', daily.run);
  await w.time.advance(DAY); // ran 06-16 00:30Z
  w.time.stepWallTo(w.time.nowMs() - 14 * DAY); // 06-02 09:00Z
  await w.time.advance(DAY);
  assert.equal(daily.at.map(iso), ['2026-06-16T00:30', '2026-06-03T00:30']);
  await w.scheduler.stop();
});
steps.run();

const runs = suite('JobScheduler runs');

runs('a slot that comes while the previous run is still going is skipped, logged and reported; no overlap', async () => {
  const w = world('2026-06-01T09:00');
  let release!: () => void;
  let active = 0;
  let maxActive = 0;
  let skips = 0;
  const job = w.scheduler.every('build 10d', MIN, async () => {
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise<void>((r) => (release = r));
    active--;
  }, { onSkip: () => skips++ });
  await w.time.advance(3 * MIN + 1);
  assert.equal(job.counts, { runs: 1, skipped: 2 });
  assert.is(skips, 2);
  assert.is(w.log.lines.filter((l) => l === 'warn build 10d: previous run still going; tick skipped').length, 2);
  assert.is(await job.runNow(), false);
  release();
  const stopped = w.scheduler.stop();
  await stopped;
  assert.is(maxActive, 1);
  assert.is(w.time.pending, 0, 'no timer left after stop');
});

runs('a failing run is logged and the cadence goes on', async () => {
  const w = world('2026-06-01T09:00');
  let n = 0;
  w.scheduler.every('retention', MIN, async () => {
    n++;
    throw new Error('disk on fire');
  });
  await w.time.advance(3 * MIN);
  assert.is(n, 3);
  assert.is(w.log.lines.filter((l) => l === 'error retention failed').length, 3);
  await w.scheduler.stop();
});

runs('stalled for 10 slots (a long synchronous stretch): the next run is one slot later, no catch-up', async () => {
  const w = world('2026-06-01T09:00');
  const job = w.recorder();
  w.scheduler.every('build', MIN, job.run, { firstDelayMs: 0 });
  await w.time.advance(1);
  w.time.stall(10 * MIN + 30_000); // the event loop was blocked: the 60 s slot fires 9.5 min late
  await w.time.advance(MIN);
  assert.equal(job.at.map((t) => t - utc('2026-06-01T09:00')), [0, 630_001, 660_000], 'the late slot once, then the next one on the grid');
  await w.scheduler.stop();
});

runs('invalid intervals and times of day are refused, saying what is allowed', () => {
  const w = world('2026-06-01T09:00');
  assert.throws(() => w.scheduler.every('x', 0, async () => {}), /x: interval 0 ms is not valid; expected a whole number of ms above 0/);
  assert.throws(() => w.scheduler.dailyAt('x', '1:30', async () => {}), /time of day "1:30" is not valid; expected HH:MM, 00:00 to 23:59/);
  assert.throws(() => new JobScheduler({ clock: w.time, timers: w.time, log: w.log, timeZone: 'Mars/Olympus' }), /time zone "Mars\/Olympus" is unknown/);
});
runs('issue 13: a zone given as a function is looked up only when local time is first needed (a daemon without daily jobs loads no ICU calendar data)', async () => {
  const time = new VirtualTime(utc('2026-06-01T09:00'));
  let lookups = 0;
  const scheduler = new JobScheduler({ clock: time, timers: time, log: recordingLogger(), timeZone: () => (lookups++, 'Europe/London') });
  let runsOfEvery = 0;
  scheduler.every('minute', MIN, async () => void runsOfEvery++);
  await time.advance(10 * MIN);
  assert.equal([runsOfEvery, lookups], [10, 0], 'periodic jobs never need the zone');
  const at: string[] = [];
  scheduler.dailyAt('daily', '10:30', async () => void at.push(iso(time.nowMs())));
  assert.is(lookups, 1, 'the first daily job looks it up, once');
  await time.advance(HOUR);
  assert.equal(at, ['2026-06-01T09:30'], 'and uses it: 10:30 in London is 09:30 UTC in June');
  assert.is(lookups, 1);
  await scheduler.stop();
});
runs.run();

const lt = suite('local time');
lt('Europe/London: dates, ms of day, and both DST changes', () => {
  const london = localTimeIn('Europe/London');
  assert.equal(london(utc('2026-10-25T00:30')), { date: '2026-10-25', msOfDay: parseTimeOfDay('01:30') });
  assert.equal(london(utc('2026-10-25T01:30')), { date: '2026-10-25', msOfDay: parseTimeOfDay('01:30') });
  assert.equal(london(utc('2026-03-29T01:00')), { date: '2026-03-29', msOfDay: parseTimeOfDay('02:00') });
  assert.equal(london(utc('2026-06-01T23:15') + 1234), { date: '2026-06-02', msOfDay: parseTimeOfDay('00:15') + 1234 });
  assert.is(addDays('2026-03-01', -1), '2026-02-28');
  assert.is(addDays('2026-12-31', 1), '2027-01-01');
  assert.is(formatStep(-3_500), '-3.5 s');
});
lt.run();
