/**
 * `sensorctl push [--since ISO] [--dry-run] [--table T] [--device D]`: upload pending samples to
 * DynamoDB now, with progress lines on stderr and a summary (items written, retried, rejected,
 * remaining backlog); `--json` prints the summary as JSON. Exit 0 when everything pending was
 * written, 1 when items remain after a failure or are leased by another push (a running one, or one
 * killed before its lease ran out: "N items leased by another push until <time>"; `--wait-for-leases`
 * waits for those leases and pushes the items), 2 for usage errors.
 *
 * `--since` also enqueues the samples already stored from that time: use it once after configuring
 * an uplink on a database that already holds samples (only samples stored while the queue is enabled
 * are enqueued automatically).
 */
import type { Command } from 'commander';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { openDatabase, type Db } from '../../sqlite/sqlite-db.js';
import { clearUnqueuedImport, countUploadWork, unqueuedImport, type UnqueuedImport } from '../../sqlite/sqlite-upload-queue.js';
import { DEFAULT_CLOUD, type CloudConfig } from '../../agent/config/upload-config.js';
import type { createUploadService } from '../../pi/upload-service.js';
import type { RunSummary } from '../../agent/upload/uploader.js';
import { MAX_BATCH_ITEMS } from '../../agent/upload/ports.js';
import { dbPath, globalOptions, loadConfig, output, UsageError } from '../context.js';

interface PushOptions {
  since?: string;
  dryRun?: boolean;
  table?: string;
  device?: string;
  waitForLeases?: boolean;
}

/** Parse `--since`: an ISO 8601 date or date-time; returns epoch ms. @throws {UsageError} */
export function parseSince(text: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`--since ${text}: expected an ISO 8601 date or time, e.g. 2019-09-01 or 2019-09-01T00:00:00Z`);
  return ms;
}

export function register(program: Command): void {
  program
    .command('push')
    .description('upload pending samples to DynamoDB now (progress on stderr, summary on stdout)')
    .option('--since <iso>', 'also enqueue stored samples from this time (ISO 8601) and push only from there')
    .option('--dry-run', 'show what would be uploaded; change nothing, send nothing')
    .option('--table <name>', 'DynamoDB table (default: config cloud.table)')
    .option('--device <id>', 'device whose samples to push (default: config deviceId)')
    .option('--wait-for-leases', 'when items are leased by another push (running, or killed before its lease ran out), wait for the leases and push them too')
    .addHelpText('after', `
Needs a "cloud" section in the config (or --table) and AWS credentials from the SDK's chain.

Examples:
  sensorctl push                                   upload the pending backlog now
  sensorctl push --since 2026-11-01T00:00:00Z      re-enqueue and upload everything stored since then
  sensorctl push --dry-run --json                  what would be sent, as JSON`)
    .action(async (opts: PushOptions, cmd: Command) => {
      const g = globalOptions(cmd);
      const config = loadConfig(g);
      if (!config.cloud && !opts.table) throw new UsageError('no uplink configured: add a "cloud" section to the config file or pass --table');
      const cloud: CloudConfig = config.cloud ?? { ...DEFAULT_CLOUD, table: opts.table! };
      const sinceMs = opts.since === undefined ? undefined : parseSince(opts.since);
      const deviceId = opts.device ?? config.deviceId;
      const db = openDatabase(dbPath(g));
      const buffer = SqliteBuffer.openOn(db);
      try {
        if (opts.dryRun) return dryRun(g, db, cloud, opts.table ?? cloud.table, deviceId, sinceMs);
        const { createUploadService } = await import('../../pi/upload-service.js'); // the AWS SDK: only for a real push
        const service = createUploadService({ db, cloud, log: g.log, table: opts.table, enable: config.cloud !== undefined });
        try {
          if (sinceMs !== undefined) {
            const added = service.queue.enqueueSince(sinceMs, deviceId);
            g.log.info('enqueued stored samples', { since: new Date(sinceMs).toISOString(), items: added });
            const before = unqueuedImport(db, deviceId);
            if (before && sinceMs <= before.fromMs) clearUnqueuedImport(db, deviceId);
          }
          const runs = await drain(service, deviceId, sinceMs, (line) => g.log.info(line));
          let held = heldBy(service, deviceId, sinceMs, runs);
          while (held && opts.waitForLeases) {
            g.log.info(`${held.items} items leased by another push until ${new Date(held.untilMs).toISOString()}: waiting (--wait-for-leases)`);
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, held!.untilMs - Date.now()) + 100));
            runs.push(...(await drain(service, deviceId, sinceMs, (line) => g.log.info(line))));
            held = heldBy(service, deviceId, sinceMs, runs);
          }
          const total: Totals = pushAll(runs);
          if (held) {
            total.leasedItems = held.items;
            total.leasedUntil = new Date(held.untilMs).toISOString();
            total.stoppedBy ??= `${held.items} items leased by another push until ${total.leasedUntil} (one running now, or killed before its lease ran out); run again after that time, or pass --wait-for-leases`;
          }
          const notQueued = notQueuedHint(unqueuedImport(db, deviceId));
          output(g, { table: service.table, deviceId, ...total, notQueued: notQueued ?? null }, () => summaryText(service.table, total) + (notQueued ? `\n${notQueued.text}` : ''));
          if (total.stoppedBy) process.exitCode = 1;
        } finally {
          service.close();
        }
      } finally {
        buffer.close();
      }
    });
}

type Totals = Omit<RunSummary, 'remaining'> & { remainingItems: number; oldestPending?: string; leasedItems?: number; leasedUntil?: string };

/**
 * Items this push could not take because another uploader holds their lease at the end of `runs`
 * (and the last run did not stop for its own fault); undefined when none is held.
 */
function heldBy(service: ReturnType<typeof createUploadService>, deviceId: string, sinceMs: number | undefined, runs: RunSummary[]): { items: number; untilMs: number } | undefined {
  if (runs[runs.length - 1]?.stoppedBy) return undefined;
  const held = service.queue.heldLeases(Date.now(), { deviceId, sinceTsMs: sinceMs });
  return held.items > 0 && held.untilMs !== undefined ? { items: held.items, untilMs: held.untilMs } : undefined;
}

async function drain(service: ReturnType<typeof createUploadService>, deviceId: string, sinceMs: number | undefined, progress: (line: string) => void): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  const start = service.queue.backlog(Date.now(), deviceId).items;
  for (;;) {
    const r = await service.uploader.runOnce({
      deviceId,
      sinceTsMs: sinceMs,
      onProgress: (p) => progress(`pushed ${runs.reduce((n, x) => n + x.written, 0) + p.written}/${start} items, ${p.remainingItems} pending`),
    });
    runs.push(r);
    if (r.stoppedBy || r.written + r.rejected === 0) return runs;
  }
}

function pushAll(runs: RunSummary[]): Totals {
  const last = runs[runs.length - 1];
  const sum = (k: 'written' | 'retried' | 'unprocessed' | 'rejected' | 'requests') => runs.reduce((n, r) => n + r[k], 0);
  return {
    written: sum('written'),
    retried: sum('retried'),
    unprocessed: sum('unprocessed'),
    rejected: sum('rejected'),
    requests: sum('requests'),
    remainingItems: last.remaining.items,
    oldestPending: last.remaining.oldestTsMs === undefined ? undefined : new Date(last.remaining.oldestTsMs).toISOString(),
    stoppedBy: last.stoppedBy,
  };
}

/**
 * Samples an import stored while no uplink was enabled (so never queued), and the exact command that
 * queues and uploads them; undefined when there are none (or `push --since` covered them).
 */
export function notQueuedHint(u: UnqueuedImport | undefined): { samples: number; from: string; to: string; command: string; text: string } | undefined {
  if (!u) return undefined;
  const from = new Date(u.fromMs).toISOString();
  const to = new Date(u.toMs).toISOString();
  const command = `sensorctl push --since ${from}`;
  return { samples: u.samples, from, to, command, text: `not queued: ${u.samples} samples imported from ${from} to ${to} are stored but were never queued for upload (imported while no uplink was enabled); to upload them: ${command}` };
}

function summaryText(table: string, t: Totals): string {
  return (
    `pushed to ${table}: ${t.written} items written, ${t.retried} retried, ${t.unprocessed} unprocessed, ${t.rejected} rejected, ` +
    `${t.remainingItems} remaining${t.oldestPending ? ` (oldest ${t.oldestPending})` : ''}; ${t.requests} requests` +
    (t.stoppedBy ? `\nstopped early: ${t.stoppedBy}` : '')
  );
}

function dryRun(g: ReturnType<typeof globalOptions>, db: Db, cloud: CloudConfig, table: string, deviceId: string, sinceMs: number | undefined): void {
  const { pendingItems: pending, enqueueItems: stored } = countUploadWork(db, deviceId, sinceMs);
  const items = pending + stored;
  const requests = Math.ceil(items / Math.min(cloud.batchItems, MAX_BATCH_ITEMS));
  output(g, { dryRun: true, table, deviceId, pendingItems: pending, enqueueItems: stored, items, requests }, () =>
    `dry run: would upload ${items} items of ${deviceId} to ${table} (${pending} pending, ${stored} to enqueue) in about ${requests} BatchWriteItem requests`,
  );
}
