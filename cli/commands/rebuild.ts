/**
 * `sensorctl rebuild [--at ISO] [--full] [--device D] [--window W]...`: build the 24 snapshots (or
 * those of the given windows) and their meta from the SQLite buffer into `<snapshotDir>/snapshots/<device>/`,
 * one window object per window (`resolveSnapshotDir`: the service's /run/sensorctl, else the data dir).
 * Without `--at` the build is incremental from the rollup state saved in the window objects;
 * `--full` recomputes that state from raw rows; `--at` builds as of an instant from raw rows and
 * leaves the saved state alone (reproducible output). Exit 0 ok, 1 when a snapshot failed, 2 usage.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { ID_PATTERN, WINDOW_NAMES, isWindow, type Window } from '../../builder/constants.js';
import { runBuild, type BuildOptions, type BuildReport } from '../../builder/run-build.js';
import { piBuildDeps } from '../../pi/pi-build-deps.js';
import { EXIT_FAILURE, UsageError, dbPath, repeatableOption, defaultDevice, globalOptions, snapshotDirOf, loadConfig, output, type GlobalOptions } from '../context.js';

/** ISO 8601 with date, time and an explicit zone (`Z` or `±hh:mm`), so no local-time guess is made. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;


export interface RebuildFlags {
  at?: string;
  full?: boolean;
  device?: string;
  window?: readonly string[];
}

/**
 * Validate the flags.
 * @throws {UsageError} naming the bad flag and what is allowed.
 */
export function parseRebuildFlags(flags: RebuildFlags): BuildOptions & { deviceId?: string } {
  const out: BuildOptions & { deviceId?: string } = { full: Boolean(flags.full) };
  if (flags.at !== undefined) {
    const atMs = Date.parse(flags.at);
    if (!ISO_INSTANT.test(flags.at) || Number.isNaN(atMs)) {
      throw new UsageError(`--at ${JSON.stringify(flags.at)}: expected an ISO 8601 instant with a zone, e.g. 2019-09-30T16:00:00Z`);
    }
    out.atMs = atMs;
  }
  if (flags.window?.length) {
    const bad = flags.window.find((w) => !isWindow(w));
    if (bad !== undefined) throw new UsageError(`--window ${JSON.stringify(bad)}: expected one of ${WINDOW_NAMES.join(', ')}`);
    out.windows = [...new Set(flags.window)] as Window[];
  }
  if (flags.device !== undefined) {
    if (!ID_PATTERN.test(flags.device)) throw new UsageError(`--device ${JSON.stringify(flags.device)}: expected 1–64 of A–Z a–z 0–9 . _ : - (starting with a letter or digit)`);
    out.deviceId = flags.device;
  }
  return out;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const padL = (s: string | number, n: number) => String(s).padStart(n);

/** The report as a table for people. */
export function formatReport(report: BuildReport): string {
  const lines = [`device ${report.deviceId}, as of ${report.at}${report.explicitAt ? ' (--at)' : ''}`, ''];
  lines.push(`${pad('window', 7)}${pad('mode', 12)}${padL('samples read', 13)}${padL('raw read', 10)}${padL('ms', 8)}  note`);
  for (const w of report.windows) {
    lines.push(`${pad(w.window, 7)}${pad(w.mode ?? '-', 12)}${padL(w.samplesRead, 13)}${padL(w.rawSamplesRead, 10)}${padL(w.ms, 8)}  ${w.error ?? w.reason ?? ''}`);
  }
  lines.push('', `${pad('snapshot', 16)}${pad('ok', 5)}${pad('resolution', 11)}${padL('points', 7)}${padL('bytes', 9)}${padL('ms', 7)}  error`);
  for (const s of report.snapshots) {
    lines.push(`${pad(`${s.window}/${s.granularity}`, 16)}${pad(s.ok ? 'ok' : 'FAIL', 5)}${pad(s.resolution ?? '-', 11)}${padL(s.points, 7)}${padL(s.bytes, 9)}${padL(s.ms, 7)}  ${s.error ?? ''}`);
  }
  if (report.sweptKeys.length) lines.push('', `deleted ${report.sweptKeys.length} key(s) of the earlier per-snapshot layout`);
  if (report.fullReadMs) lines.push('', `shared range read for full rebuilds: ${report.fullReadMs} ms`);
  lines.push('', `${report.snapshots.length - report.failed} of ${report.snapshots.length} snapshots built in ${report.durationMs} ms, ${report.samplesRead} samples read${report.failed ? `, ${report.failed} FAILED` : ''}`);
  return lines.join('\n');
}

/** `--cloud`: the Lambda's build, run from a workstation against DynamoDB and S3. */
async function rebuildCloud(g: GlobalOptions, flags: RebuildFlags & { deviceId: string; table?: string; bucket?: string }): Promise<void> {
  // The cloud wiring pulls in the AWS SDK: loaded only for --cloud.
  const { CloudRebuildUsageError, runCloudRebuild } = await import('../../cloud/cloud-rebuild.js');
  try {
    const reports = await runCloudRebuild({
      table: flags.table, bucket: flags.bucket, deviceIds: [flags.deviceId], at: flags.at, full: flags.full,
      windows: flags.window?.length ? flags.window : undefined, env: process.env, log: g.log,
    });
    output(g, reports, () => reports.map((r) => JSON.stringify(r)).join('\n'));
    if (reports.some((r) => r.error || r.stale > 0)) process.exitCode = EXIT_FAILURE;
  } catch (err) {
    if (err instanceof CloudRebuildUsageError) throw new UsageError(err.message);
    throw err;
  }
}

/** `--fallback`: push every (or the named) window under `fallback/` now, whatever the cloud meta says. */
async function rebuildFallback(g: GlobalOptions, buffer: SqliteBuffer, deviceId: string, bucket: string | undefined, windows: readonly string[] | undefined): Promise<void> {
  if (!bucket) throw new UsageError('--fallback: no --bucket given and the config has no cloud.bucket');
  const { runFallbackPush } = await import('../../pi/fallback-push.js'); // the AWS SDK: only for --fallback
  const report = await runFallbackPush({ bucket, deviceId, buffer, windows, env: process.env, log: g.log });
  output(g, report, () => `fallback push for ${deviceId}: ${report.snapshots.filter((s) => s.ok).length}/${report.snapshots.length} snapshots written under fallback/`);
  if (report.snapshots.some((s) => !s.ok)) process.exitCode = EXIT_FAILURE;
}

export function register(program: Command): void {
  program
    .command('rebuild')
    .description('build the snapshots (6 windows × 4 granularities) and their meta now, or as of --at')
    .option('--at <iso>', 'build as of this instant from raw rows (reproducible; saved state untouched)')
    .option('--full', 'ignore the saved rollup state and recompute it from raw rows')
    .option('--device <id>', 'device to build (default: deviceId from the config, else the host name)')
    .addOption(repeatableOption('--window <w>', `only this window (repeatable): ${WINDOW_NAMES.join(', ')}`, 'every window'))
    .option('--cloud', 'run the cloud builder from here: DynamoDB (--table) → S3 (--bucket), as the Lambda does')
    .option('--fallback', "push this Pi's snapshots to the bucket's fallback/ prefix now (the last-resort copy)")
    .option('--table <name>', 'DynamoDB samples table for --cloud (default: config cloud.table)')
    .option('--bucket <name>', 'S3 snapshot bucket for --cloud/--fallback (default: config cloud.bucket)')
    .addHelpText(
      'after',
      `
Examples:
  sensorctl rebuild                                   incremental build of all 24 snapshots
  sensorctl rebuild --at 2019-09-30T16:00:00Z         reproducible build as of an instant
  sensorctl rebuild --full --window 12m               recompute the 12m rollups from raw rows
  AWS_ENDPOINT_URL=http://127.0.0.1:4566 sensorctl rebuild --cloud --table samples --bucket snaps
  sensorctl rebuild --fallback                        push to s3://<cloud.bucket>/fallback/`,
    )
    .action(async (flags: RebuildFlags & { cloud?: boolean; fallback?: boolean; table?: string; bucket?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const options = parseRebuildFlags(flags);
      if (options.atMs !== undefined && options.atMs > Date.now() + 60_000) {
        throw new UsageError(`--at ${flags.at}: that instant is in the future (now is ${new Date().toISOString()}); snapshots as of it would be empty`);
      }
      const config = loadConfig(g);
      if (flags.cloud && flags.fallback) throw new UsageError('--cloud and --fallback: choose one');
      if (flags.cloud) return rebuildCloud(g, { ...flags, deviceId: options.deviceId ?? config.deviceId, table: flags.table ?? config.cloud?.table, bucket: flags.bucket ?? config.cloud?.bucket });
      if (flags.table) throw new UsageError('--table goes with --cloud');
      const path = dbPath(g);
      if (!existsSync(path)) throw new UsageError(`no database at ${path}; run \`sensorctl import\` or \`sensorctl run\` first, or pass --data-dir`);
      const buffer = SqliteBuffer.open(path);
      try {
        const deviceId = options.deviceId ?? defaultDevice(config, buffer);
        if ((await buffer.listSeries(deviceId)).length === 0) {
          const others = [...new Set(buffer.stats().map((s) => s.deviceId))];
          throw new UsageError(
            `device ${deviceId} has no samples in ${path}; ` +
              (others.length ? `devices there: ${others.join(', ')} (choose one with --device)` : 'import or sample some first'),
          );
        }
        if (flags.fallback) return await rebuildFallback(g, buffer, deviceId, flags.bucket ?? config.cloud?.bucket, options.windows);
        const report = await runBuild(piBuildDeps({ source: buffer, snapshotDir: snapshotDirOf(g, config), deviceId, log: g.log }), options);
        output(g, report, () => formatReport(report));
        if (!report.ok) process.exitCode = EXIT_FAILURE;
      } finally {
        buffer.close();
      }
    });
}
