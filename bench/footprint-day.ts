/**
 * Child process of the footprint bench (`bench/sections/footprint.ts`): the real daemon (`startDaemon`:
 * sampler, scheduled builds of all six windows on their cadences, retention, API; real SQLite and
 * files) with the footprint's 4 simulated series every 10 s, run through one virtual day on the
 * test's `VirtualTime` (schedules fire in order; file and SQLite I/O are real). It prints one JSON line:
 * this process's `/proc/self/io` write_bytes after every 10 virtual minutes, counted from the
 * daemon's start. The parent runs it under `strace -c -f` to count fsyncs.
 * Usage: `node --import tsx bench/footprint-day.ts <data-dir> [hours, default 24]`.
 */
import { readFileSync } from 'node:fs';
import { parseConfig } from '../agent/config/config.js';
import { silentLog, type Logger } from '../builder/ports.js';
import { startDaemon } from '../pi/daemon.js';
import { VirtualTime } from '../test/support/virtual-time.js';
import { FOOTPRINT_CONFIG } from './footprint-config.js';

const MIN = 60_000;
const dataDir = process.argv[2];
const hours = Number(process.argv[3] ?? 24);
if (!dataDir || !(hours > 0)) {
  process.stderr.write('usage: footprint-day.ts <data-dir> [hours]\n');
  process.exit(2);
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
const daemon = await startDaemon({ config, dataDir, log, time: { clock: time, timers: time, timeZone: 'UTC' } });
await daemon.firstBuild;
const marks: Array<{ minutes: number; writeBytes: number }> = [];
for (let minutes = 10; minutes <= hours * 60; minutes += 10) {
  await time.advance(10 * MIN, daemon.isBusy);
  marks.push({ minutes, writeBytes: writeBytes() - start });
}
const samples = daemon.buffer.stats(config.deviceId).reduce((n, s) => n + s.count, 0);
await daemon.stop();
const cpu = process.cpuUsage(cpuStart);
process.stdout.write(`${JSON.stringify({ hours, samples, marks, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
