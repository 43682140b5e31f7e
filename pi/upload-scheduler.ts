/**
 * The upload schedule: runs `Uploader.runOnce` every `cloud.uploadEvery` of monotonic time on the
 * daemon's `JobScheduler`, with no overlapping runs (a tick while a run is still going is skipped,
 * logged and counted in `skippedTicks`). Composition roots (`sensorctl run`) call `startUploadSchedule`.
 */
import type { Logger } from '../builder/ports.js';
import type { Uploader } from '../agent/upload/uploader.js';
import type { UploadLedger } from '../agent/upload/ports.js';
import type { JobScheduler } from '../agent/schedule/job-scheduler.js';
import { systemJobScheduler } from '../platform/system-job-scheduler.js';

export interface UploadSchedule {
  /** Run once now (same no-overlap guard as the ticks); resolves false when skipped. */
  runNow(): Promise<boolean>;
  /** Stop ticking and wait for a run in progress to end (cut short: `Uploader.stop`). */
  stop(): Promise<void>;
}

/**
 * Schedule upload runs every `everyMs`, on `jobs` (the daemon's scheduler, so a clock step is
 * logged once) or, without it, on a scheduler of its own on system time.
 */
export function startUploadSchedule(uploader: Uploader, ledger: UploadLedger, everyMs: number, log: Logger, jobs?: JobScheduler): UploadSchedule {
  const scheduler = jobs ?? systemJobScheduler(log);
  const job = scheduler.every(
    'upload run',
    everyMs,
    async () => {
      const s = await uploader.runOnce();
      if (s.written || s.rejected || s.stoppedBy) {
        log.info('upload run', { written: s.written, retried: s.retried, unprocessed: s.unprocessed, rejected: s.rejected, backlog: s.remaining.items, stoppedBy: s.stoppedBy });
      }
    },
    { onSkip: () => ledger.record({ skippedTicks: 1 }) },
  );
  return {
    runNow: () => job.runNow(),
    stop: () => {
      uploader.stop();
      return jobs ? job.stop() : scheduler.stop();
    },
  };
}
