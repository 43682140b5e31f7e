/**
 * What `sensorctl status`, /metrics and MQTT show about uploads, read from the agent's database. Kept
 * apart from `upload-service.ts` so reading the backlog never loads the AWS SDK.
 */
import type { Db } from '../sqlite/sqlite-db.js';
import type { UploadCounters } from '../agent/upload/ports.js';
import { SqliteUploadQueue } from '../sqlite/sqlite-upload-queue.js';
import { systemClock } from '../platform/system-clock.js';

/** What `sensorctl status` shows about uploads. Times epoch ms and ISO 8601 UTC. */
export interface UploadStatus {
  /** Whether new samples are enqueued (an uplink was configured on this database). */
  enabled: boolean;
  backlogItems: number;
  backlogRows: number;
  leasedItems: number;
  oldestPendingTsMs?: number;
  oldestPending?: string;
  lastSuccessMs?: number;
  lastSuccess?: string;
  counters: UploadCounters;
}

/**
 * Read the upload backlog and counters from the agent's database (any connection, read only).
 * `leasedItems` counts leases held at `nowMs` (epoch ms, default the system clock's now).
 */
export function uploadStatus(db: Db, deviceId?: string, nowMs: number = systemClock.nowMs()): UploadStatus {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'upload_pending'").get();
  if (!exists) {
    const zero: UploadCounters = { written: 0, retried: 0, unprocessed: 0, rejected: 0, requests: 0, forcedLoss: 0, skippedTicks: 0 };
    return { enabled: false, backlogItems: 0, backlogRows: 0, leasedItems: 0, counters: zero };
  }
  const queue = SqliteUploadQueue.attach(db);
  const backlog = queue.backlog(nowMs, deviceId);
  const counters = queue.counters();
  const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    enabled: queue.isEnabled(),
    backlogItems: backlog.items,
    backlogRows: queue.backlogRows(deviceId),
    leasedItems: backlog.leased,
    oldestPendingTsMs: backlog.oldestTsMs,
    oldestPending: iso(backlog.oldestTsMs),
    lastSuccessMs: counters.lastSuccessMs,
    lastSuccess: iso(counters.lastSuccessMs),
    counters,
  };
}

/** One line for `sensorctl status`. */
export function formatUploadStatus(status: UploadStatus): string {
  if (!status.enabled && status.backlogItems === 0) return 'upload: no uplink configured';
  return (
    `upload: backlog ${status.backlogItems} items (${status.backlogRows} rows)` +
    (status.oldestPending ? `, oldest ${status.oldestPending}` : '') +
    `; last success ${status.lastSuccess ?? 'never'}; written ${status.counters.written}, retried ${status.counters.retried}, unprocessed ${status.counters.unprocessed}, rejected ${status.counters.rejected}` +
    (status.counters.forcedLoss ? `; LOST ${status.counters.forcedLoss} unsent items to retention` : '') +
    (status.counters.lastError ? `; last error: ${status.counters.lastError}` : '')
  );
}
