/**
 * node-cron adapter of the upload schedule: runs `Uploader.runOnce` on `cloud.uploadEvery` with no
 * overlapping runs (a tick while a run is still going is skipped, logged and counted in
 * `skippedTicks`). Composition roots (`sensorctl run`) call `startUploadSchedule`.
 */
import cron from 'node-cron';
import type { Logger } from '../builder/ports.js';
import { nonOverlapping, type Uploader } from '../agent/upload/uploader.js';
import type { UploadLedger } from '../agent/upload/ports.js';

export interface UploadSchedule {
  /** Run once now (same no-overlap guard as the ticks); resolves false when skipped. */
  runNow(): Promise<boolean>;
  /** Stop ticking and wait for a run in progress to end. */
  stop(): Promise<void>;
}

/** Schedule upload runs. `expression` is a node-cron expression (validated by the config). */
export function startUploadSchedule(uploader: Uploader, ledger: UploadLedger, expression: string, log: Logger): UploadSchedule {
  let inFlight: Promise<unknown> | undefined;
  const runAndLog = async () => {
    const s = await uploader.runOnce();
      if (s.written || s.rejected || s.stoppedBy) {
      log.info('upload run', { written: s.written, retried: s.retried, unprocessed: s.unprocessed, rejected: s.rejected, backlog: s.remaining.items, stoppedBy: s.stoppedBy });
    }
  };
  const guarded = nonOverlapping(
    async () => {
      inFlight = runAndLog();
      try {
        await inFlight;
      } finally {
        inFlight = undefined;
      }
    },
    log,
    () => ledger.record({ skippedTicks: 1 }),
  );
  const tick = () =>
    guarded().catch((err) => {
      log.error('upload run failed', { error: err as Error });
      return false;
    });
  const task = cron.schedule(expression, () => void tick(), { name: 'upload' });
  return {
    runNow: tick,
    stop: async () => {
      await task.stop();
      await task.destroy?.();
      await inFlight?.catch(() => undefined);
    },
  };
}
