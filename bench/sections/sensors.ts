/**
 * Sensor fault figures (issue 12): an hour of sampling every 10 s in virtual time on the emulated
 * I²C bus (`test/support/flaky-bus-hour.ts`: real sampler, drivers and SQLite buffer) with 10 % and
 * 25 % of transfers failing at random (EREMOTEIO/EIO), for a BME280 and an SHT31: samples stored of
 * 360, failed transfers, re-inits, log lines. And the schedule's answer to a +14 d wall-clock step:
 * the longest synchronous timer callback (what an event-loop freeze would be) and the log lines.
 * Deterministic (seeded faults), so the figures only change with the code.
 */
import type { Logger } from '../../builder/ports.js';
import { JobScheduler } from '../../agent/schedule/job-scheduler.js';
import { flakyBusHour } from '../../test/support/flaky-bus-hour.js';
import { VirtualTime } from '../../test/support/virtual-time.js';
import type { BenchSection, Figure } from '../section.js';

export const sensorsFlakyBus: BenchSection = {
  name: 'sensors/flaky-bus',
  async run(ctx) {
    const figures: Figure[] = [];
    for (const chip of ['bme280', 'sht31'] as const) {
      for (const rate of [0.1, 0.25]) {
        ctx.log(`${chip}, ${rate * 100} % of transfers failing, 1 h virtual`);
        const r = await flakyBusHour(chip, rate);
        figures.push({
          name: `${chip} stored at ${rate * 100} % faults`,
          value: Math.round((1000 * r.stored) / r.expected) / 10,
          unit: '%',
          note: `${r.stored} of ${r.expected}; ${r.failedTransfers} of ${r.transfers} transfers failed; ${r.reinits} re-inits; ${r.log.filter((l) => !l.startsWith('debug')).length} log lines`,
        });
      }
    }
    return figures;
  },
};

export const scheduleClockStep: BenchSection = {
  name: 'schedule/clock-step',
  async run() {
    const time = new VirtualTime(Date.UTC(2026, 5, 1, 9));
    let longestMs = 0;
    const timers = {
      monoMs: () => time.monoMs(),
      schedule: (delayMs: number, fn: () => void) =>
        time.schedule(delayMs, () => {
          const t0 = performance.now();
          fn();
          longestMs = Math.max(longestMs, performance.now() - t0);
        }),
    };
    const lines: string[] = [];
    const log: Logger = { error: (m) => void lines.push(m), warn: (m) => void lines.push(m), info: () => {}, debug: () => {} };
    const jobs = new JobScheduler({ clock: time, timers, log, timeZone: 'Europe/London' });
    for (const everyMs of [60_000, 600_000, 900_000, 3_600_000]) jobs.every(`every ${everyMs} ms`, everyMs, async () => {});
    jobs.dailyAt('daily', '01:30', async () => {});
    await time.advance(30 * 60_000);
    longestMs = 0;
    time.stepWallTo(time.nowMs() + 14 * 86_400_000);
    await time.advance(2 * 60_000);
    const stepMs = longestMs;
    time.stepWallTo(time.nowMs() - 2 * 3_600_000);
    longestMs = 0;
    await time.advance(2 * 60_000);
    await jobs.stop();
    return [
      { name: 'longest timer callback after a +14 d step', value: Math.round(stepMs * 1000) / 1000, unit: 'ms', note: '4 interval jobs + 1 daily job; target < 100 ms' },
      { name: 'longest timer callback after a -2 h step', value: Math.round(longestMs * 1000) / 1000, unit: 'ms' },
      { name: 'log lines for the two steps', value: lines.length, unit: 'lines', note: lines.map((l) => l.slice(0, 40)).join(' | ') },
    ];
  },
};
