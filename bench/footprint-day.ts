/**
 * Child process of the footprint bench (`bench/sections/footprint.ts`): the real daemon (`startDaemon`:
 * sampler, scheduled builds of all six windows on their cadences, retention, API; real SQLite and
 * files) with the footprint's 4 simulated series every 10 s, run through one virtual day on the
 * test's `VirtualTime` (schedules fire in order; file and SQLite I/O are real). It prints one JSON line:
 * this process's `/proc/self/io` write_bytes after every 10 virtual minutes, counted from the
 * daemon's start. The parent runs it under `strace -c -f` to count fsyncs.
 * With a snapshot dir (the parent gives one on /dev/shm, as the unit's `RuntimeDirectory=` would), the
 * builds write there and only the SQLite file is on the data dir's disk; the line then also gives
 * the snapshot dir's size at the end (what the tmpfs holds in RAM) and a full rebuild of all 24
 * snapshots into an empty directory from the day's samples (what a reboot costs: wall and CPU ms).
 * Usage: `node --import tsx bench/footprint-day.ts <data-dir> [hours, default 24] [snapshot-dir]`.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../agent/config/config.js';
import { silentLog, type Logger } from '../builder/ports.js';
import { runBuild } from '../builder/run-build.js';
import { startDaemon } from '../pi/daemon.js';
import { piBuildDeps } from '../pi/pi-build-deps.js';
import { VirtualTime } from '../test/support/virtual-time.js';
import { FOOTPRINT_CONFIG } from './footprint-config.js';

const MIN = 60_000;
const dataDir = process.argv[2];
const hours = Number(process.argv[3] ?? 24);
const snapshotDir = process.argv[4];
if (!dataDir || !(hours > 0)) {
  process.stderr.write('usage: footprint-day.ts <data-dir> [hours]\n');
  process.exit(2);
}

/** Bytes of the files under `dir`, recursively. */
function treeBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? treeBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
}

/** Bytes this process has caused to be written to storage (proc(5) /proc/<pid>/io). */
function writeBytes(): number {
  const io = readFileSync('/proc/self/io', 'utf8');
  return Number(/^write_bytes: (\d+)/m.exec(io)?.[1] ?? NaN);
}

const log: Logger = { ...silentLog, warn: (m, f) => process.stderr.write(`warn ${m} ${JSON.stringify(f ?? {})}\n`), error: (m, f) => process.stderr.write(`error ${m} ${JSON.stringify(f ?? {})}\n`) };
const time = new VirtualTime(Date.UTC(2027, 2, 1, 0));
const config = parseConfig(FOOTPRINT_CONFIG, 'bench');
const start = writeBytes();
const cpuStart = process.cpuUsage();
const daemon = await startDaemon({ config, dataDir, ...(snapshotDir ? { snapshotDir } : {}), log, time: { clock: time, timers: time, timeZone: 'UTC' } });
await daemon.firstBuild;
const marks: Array<{ minutes: number; writeBytes: number }> = [];
for (let minutes = 10; minutes <= hours * 60; minutes += 10) {
  await time.advance(10 * MIN, daemon.isBusy);
  marks.push({ minutes, writeBytes: writeBytes() - start });
}
const samples = daemon.buffer.stats(config.deviceId).reduce((n, s) => n + s.count, 0);
const cpu = process.cpuUsage(cpuStart);
let afterReboot: { snapshotDirBytes: number; fullRebuildMs: number; fullRebuildCpuMs: number } | undefined;
if (snapshotDir) {
  // A reboot empties the tmpfs: the first builds are full, from the samples, into an empty directory.
  const empty = mkdtempSync(join(snapshotDir, 'after-reboot-'));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await runBuild(piBuildDeps({ source: daemon.buffer, snapshotDir: empty, deviceId: config.deviceId, log, clock: time }), {});
  const fullRebuildMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (!report.ok) throw new Error(`full rebuild after a reboot failed: ${report.failed} snapshot(s)`);
  rmSync(empty, { recursive: true, force: true });
  afterReboot = { snapshotDirBytes: treeBytes(snapshotDir), fullRebuildMs, fullRebuildCpuMs: (c.user + c.system) / 1000 };
}
await daemon.stop();
process.stdout.write(`${JSON.stringify({ hours, samples, marks, cpuMs: (cpu.user + cpu.system) / 1000, ...afterReboot })}\n`);
