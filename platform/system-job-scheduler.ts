/**
 * The job scheduler (agent/schedule/job-scheduler.ts) on the system's clocks: the wall clock, Node's
 * monotonic timers, and the local time zone the process runs in (`TZ`, else the system's
 * /etc/localtime, as `Intl` resolves it).
 */
import type { Logger } from '../builder/ports.js';
import { JobScheduler } from '../agent/schedule/job-scheduler.js';
import { systemClock } from './system-clock.js';
import { nodeMonotonicScheduler } from './node-monotonic-scheduler.js';

/** The local IANA time zone of this process (e.g. `Europe/London`). */
export const localTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A `JobScheduler` on system time; stop it to release its timers. */
export function systemJobScheduler(log: Logger): JobScheduler {
  return new JobScheduler({ clock: systemClock, timers: nodeMonotonicScheduler, log, timeZone: localTimeZone() });
}
