/**
 * `footprint/daemon` (issue 13's table): what the daemon costs a Pi, each figure beside its goal.
 *
 * 1. Real time: the compiled daemon (`node dist/cli/sensorctl.js run`, what the systemd unit runs)
 *    with 4 simulated series every 10 s (`bench/footprint-config.ts`) for BENCH_FOOTPRINT_MINUTES
 *    (default 10) after READY: bytes written (`/proc/<pid>/io` write_bytes), CPU (utime + stime from
 *    `/proc/<pid>/stat`), RSS every 10 s (`VmRSS`), fsyncs (`strace -c -f`, seccomp-filtered to the
 *    sync calls, when strace exists), start-up to the "sensorctl running" line (printed right after
 *    READY=1 is sent), and `sensorctl --version`.
 * 2. Accelerated: the same daemon and config in-process on a virtual clock for BENCH_FOOTPRINT_HOURS
 *    (default 24) virtual hours (`bench/footprint-day.ts`, a child under strace): every window's
 *    cadence (30 s to 15 min), the hourly commits and the daily jobs fire as in a real day, so its
 *    write_bytes and fsyncs are the per-day figures. Its first 10 virtual minutes are printed beside
 *    the real run's first minutes (same config, fresh database) to show the two agree.
 * 3. The incremental build figures of `builder/primary` (1h tick, all six windows).
 * Both runs keep snapshots and rollup state on a tmpfs (a directory under /dev/shm) as the systemd
 * unit does (`RuntimeDirectory=`: the real run gets `RUNTIME_DIRECTORY`, the day `snapshotDir`), so
 * write_bytes is what reaches the data dir's disk (the SD card on a Pi). BENCH_FOOTPRINT_SNAPSHOTS=data
 * keeps them in the data dir instead (the layout before the tmpfs: the "before" figure).
 * The day also reports the tmpfs's size at its end and a full rebuild of the 24 snapshots into an
 * empty directory (what a reboot costs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext, BenchSection, Figure } from '../section.js';
import { FOOTPRINT_CONFIG, FOOTPRINT_INTERVAL_MS, FOOTPRINT_SERIES, RAW_BYTES_PER_SAMPLE } from '../footprint-config.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const DAY_S = 86_400;
const SYNC_CALLS = 'trace=fsync,fdatasync,sync_file_range,syncfs,msync';
const RAW_BYTES_PER_DAY = FOOTPRINT_SERIES * (DAY_S * 1000 / FOOTPRINT_INTERVAL_MS) * RAW_BYTES_PER_SAMPLE;
const MB = 1e6;

/** A tmpfs directory for the snapshots (as /run is on a Pi), or undefined for the data-dir layout. */
function tmpfsSnapshotDir(): string | undefined {
  if (process.env.BENCH_FOOTPRINT_SNAPSHOTS === 'data') return undefined;
  if (!existsSync('/dev/shm')) throw new Error('no /dev/shm (tmpfs) for the snapshots; set BENCH_FOOTPRINT_SNAPSHOTS=data to measure the data-dir layout');
  return mkdtempSync('/dev/shm/sensorctl-footprint-');
}

const hasStrace = (): boolean => process.env.BENCH_FOOTPRINT_STRACE !== '0' && spawnSync('strace', ['-V']).status === 0;

/** Calls of the sync family in an `strace -c` summary file. */
function syncCalls(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  let n = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const cols = line.trim().split(/\s+/);
    const name = cols[cols.length - 1];
    if (/^(fsync|fdatasync|sync_file_range|syncfs|msync)$/.test(name)) n += Number(cols[3]);
  }
  return n;
}

function procIo(pid: number): number {
  return Number(/^write_bytes: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
}
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
/** utime + stime of the process, ms. */
function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK; // fields 14 and 15 of proc(5)
}
function procRssMb(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
}
/** The node process under `strace` (its first child), or `pid` itself. */
function nodePid(pid: number, traced: boolean): number {
  if (!traced) return pid;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return Number(children[0]);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface RealRun {
  readyMs: number;
  seconds: number;
  writeBytes: number;
  cpuMs: number;
  rssMb: number[];
  fsyncs?: number;
  /** write_bytes after each whole 10 minutes since READY. */
  marks: number[];
}

async function realRun(ctx: BenchContext, minutes: number, snapshotDir: string | undefined): Promise<RealRun> {
  const dir = join(ctx.tmpDir, 'footprint-real');
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify(FOOTPRINT_CONFIG));
  const args = [join(ROOT, 'dist', 'cli', 'sensorctl.js'), '--data-dir', join(dir, 'data'), '--config', config, 'run', '--port', '0'];
  const traced = hasStrace();
  const straceOut = join(dir, 'strace.txt');
  // As systemd would: RUNTIME_DIRECTORY names the unit's RuntimeDirectory= (tmpfs); the unit's MALLOC_ARENA_MAX.
  const env = { ...process.env, MALLOC_ARENA_MAX: '2', ...(snapshotDir ? { RUNTIME_DIRECTORY: snapshotDir } : {}) };
  const t0 = performance.now();
  const child = traced
    ? spawn('strace', ['-f', '-c', '-o', straceOut, '--seccomp-bpf', '-e', SYNC_CALLS, process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let out = '';
  child.stderr.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (/sensorctl running/.test(out)) resolve();
    });
    child.on('exit', () => reject(new Error(`the daemon exited before READY: ${out.slice(-2000)}`)));
  });
  const readyMs = performance.now() - t0;
  const pid = nodePid(child.pid!, traced);
  const io0 = procIo(pid);
  const cpu0 = procCpuMs(pid);
  const s0 = performance.now();
  const rssMb: number[] = [];
  const marks: number[] = [];
  ctx.log(`footprint: the daemon is READY after ${readyMs.toFixed(0)} ms; measuring for ${minutes} min`);
  for (let s = 10; s <= minutes * 60; s += 10) {
    await sleep(Math.max(0, s0 + s * 1000 - performance.now()));
    rssMb.push(procRssMb(pid));
    if (s % 600 === 0) marks.push(procIo(pid) - io0);
  }
  const writeBytes = procIo(pid) - io0;
  const cpuMs = procCpuMs(pid) - cpu0;
  const seconds = (performance.now() - s0) / 1000;
  process.kill(pid, 'SIGTERM');
  await exited;
  return { readyMs, seconds, writeBytes, cpuMs, rssMb, marks, ...(traced ? { fsyncs: syncCalls(straceOut) } : {}) };
}

interface DayRun {
  hours: number;
  samples: number;
  marks: Array<{ minutes: number; writeBytes: number }>;
  cpuMs: number;
  fsyncs?: number;
  /** With a tmpfs snapshot dir: its size at the end, and a full rebuild into an empty one (ms). */
  snapshotDirBytes?: number;
  fullRebuildMs?: number;
  fullRebuildCpuMs?: number;
}

function acceleratedDay(ctx: BenchContext, hours: number, snapshotDir: string | undefined): DayRun {
  const dir = join(ctx.tmpDir, 'footprint-day');
  const straceOut = join(ctx.tmpDir, 'footprint-day-strace.txt');
  const args = ['--import', 'tsx', join(ROOT, 'bench', 'footprint-day.ts'), dir, String(hours), ...(snapshotDir ? [snapshotDir] : [])];
  const traced = hasStrace();
  ctx.log(`footprint: ${hours} virtual hours of the daemon (a few minutes)`);
  const r = traced
    ? spawnSync('strace', ['-f', '-c', '-o', straceOut, '--seccomp-bpf', '-e', SYNC_CALLS, process.execPath, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`bench/footprint-day.ts failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as DayRun), ...(traced ? { fsyncs: syncCalls(straceOut) } : {}) };
}

/**
 * `sensorctl --version`: wall time (median of 5) and, through `/usr/bin/time` when present, CPU
 * (user + system, median of 5; what a loaded machine does not inflate) and peak RSS.
 */
function versionRun(): { ms: number; cpuMs?: number; rssMb?: number } {
  const times: number[] = [];
  const cpus: number[] = [];
  let rssKb = NaN;
  const gnuTime = existsSync('/usr/bin/time');
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = gnuTime
      ? spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, join(ROOT, 'bin', 'sensorctl.js'), '--version'], { encoding: 'utf8' })
      : spawnSync(process.execPath, [join(ROOT, 'bin', 'sensorctl.js'), '--version'], { encoding: 'utf8' });
    times.push(performance.now() - t0);
    const [user, sys, kb] = (gnuTime ? r.stderr.trim().split('\n').pop()! : '').split(' ').map(Number);
    if (Number.isFinite(user + sys)) cpus.push((user + sys) * 1000);
    if (Number.isFinite(kb)) rssKb = kb;
  }
  return { ms: median(times), ...(cpus.length ? { cpuMs: median(cpus) } : {}), ...(Number.isFinite(rssKb) ? { rssMb: rssKb / 1024 } : {}) };
}

interface Tick {
  cpuMs: number;
}

async function footprint(ctx: BenchContext): Promise<Figure[]> {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build failed: ${built.stderr}`);
  const minutes = Number(process.env.BENCH_FOOTPRINT_MINUTES ?? 10);
  const hours = Number(process.env.BENCH_FOOTPRINT_HOURS ?? 24);
  const version = versionRun();
  const realSnapshots = tmpfsSnapshotDir();
  const daySnapshots = tmpfsSnapshotDir();
  let real: RealRun;
  let day: DayRun;
  try {
    real = await realRun(ctx, minutes, realSnapshots);
    day = acceleratedDay(ctx, hours, daySnapshots);
  } finally {
    for (const d of [realSnapshots, daySnapshots]) if (d) rmSync(d, { recursive: true, force: true });
  }
  const where = daySnapshots ? 'snapshots and rollup state on tmpfs (/dev/shm, as RuntimeDirectory=), so this is the SQLite file alone' : 'snapshots and rollup state in the data dir (BENCH_FOOTPRINT_SNAPSHOTS=data)';
  const dayBytes = (day.marks[day.marks.length - 1].writeBytes * 24) / hours;
  const realPerDay = (real.writeBytes * DAY_S) / real.seconds;
  const steadyRss = real.rssMb.slice(Math.floor(real.rssMb.length / 2));
  const ticks = ctx.shared.get('primary.ticks') as Map<string, Tick> | undefined;
  const traced = day.fsyncs !== undefined;
  const agree = real.marks.map((b, i) => `${(i + 1) * 10} min: real ${(b / MB).toFixed(2)} MB, virtual ${((day.marks[i]?.writeBytes ?? NaN) / MB).toFixed(2)} MB`).join('; ');
  const figures: Figure[] = [
    { name: 'bytes written per day (virtual day)', value: dayBytes / MB, unit: 'MB/day', baseline: { name: 'raw samples (18 B each)', value: RAW_BYTES_PER_DAY / MB, unit: 'MB/day' }, ratio: dayBytes / RAW_BYTES_PER_DAY, note: `goal ≤ 25 MB/day (≤ 40× raw); /proc/<pid>/io write_bytes over ${hours} virtual h, 4 series at 10 s, ${day.samples} samples stored; ${where}` },
    { name: `bytes written per day (real ${minutes} min × ${(DAY_S / real.seconds).toFixed(0)})`, value: realPerDay / MB, unit: 'MB/day', baseline: { name: 'raw samples (18 B each)', value: RAW_BYTES_PER_DAY / MB, unit: 'MB/day' }, ratio: realPerDay / RAW_BYTES_PER_DAY, note: `the check of the accelerated day, same config from a fresh database: ${agree || 'runs under 10 min have no mark'} (windows on 10–15 min cadences fire in a real 10 min only partly)` },
    ...(traced ? [{ name: 'fsyncs per day (virtual day)', value: (day.fsyncs! * 24) / hours, unit: 'fsyncs/day', note: `strace -c -f: fsync, fdatasync, sync_file_range, syncfs, msync; real run: ${real.fsyncs ?? '?'} in ${(real.seconds / 60).toFixed(0)} min = ${(((real.fsyncs ?? NaN) * DAY_S) / real.seconds).toFixed(0)}/day` }] : []),
    ...(day.fullRebuildMs !== undefined ? [
      { name: 'after a reboot: full rebuild of the 24 snapshots (the day\'s samples)', value: day.fullRebuildMs, unit: 'ms', note: `CPU ${day.fullRebuildCpuMs!.toFixed(0)} ms; the tmpfs is empty after a reboot, so the first builds read every window's samples (builder/year's full rebuild: a year of 4 series)` },
      { name: 'tmpfs held at the end of the day (snapshots + state)', value: day.snapshotDirBytes! / MB, unit: 'MB', note: 'RAM the /run tmpfs uses for one device' },
    ] : []),
    { name: 'CPU, steady (real run)', value: (100 * real.cpuMs) / (real.seconds * 1000), unit: '% of a core', note: `goal ≤ 0.2 %; utime+stime ${(real.cpuMs / 1000).toFixed(1)} s over ${(real.seconds / 60).toFixed(1)} min after READY` },
    { name: 'CPU, whole day (virtual day)', value: (100 * day.cpuMs) / (hours * 3_600_000), unit: '% of a core', note: `goal ≤ 0.2 %; the child's CPU over ${hours} virtual h (${(day.cpuMs / 1000).toFixed(0)} s), every build and commit of the day; includes tsx compiling the sources at start and the virtual clock's own work, so an upper bound` },
    { name: 'RSS, steady (real run)', value: median(steadyRss), unit: 'MB', note: `goal ≤ 60 MB; median of the second half's 10 s samples; max ${Math.max(...real.rssMb).toFixed(1)} MB` },
    { name: 'start-up to READY', value: real.readyMs, unit: 'ms', note: 'goal ≤ 1000 ms; spawn of node dist/cli/sensorctl.js run → its "sensorctl running" line (printed once READY=1 is sent), fresh data dir' },
    { name: 'sensorctl --version', value: version.ms, unit: 'ms', note: `goal ≤ 300 ms; median of 5, compiled CLI${version.cpuMs !== undefined ? `; CPU ${version.cpuMs.toFixed(0)} ms` : ''}${version.rssMb ? `; peak RSS ${version.rssMb.toFixed(0)} MB` : ''} (wall time rises with the machine's load)` },
  ];
  if (ticks) {
    const all = [...ticks.values()].reduce((a, t) => a + t.cpuMs, 0);
    figures.push(
      { name: 'incremental build: 1h tick, CPU', value: ticks.get('1h')!.cpuMs, unit: 'ms', note: 'goal ≤ 20 ms; from builder/primary' },
      { name: 'incremental build: all six windows, CPU', value: all, unit: 'ms', note: 'goal ≤ 60 ms; from builder/primary' },
    );
  }
  return figures;
}

export const footprintDaemon: BenchSection = {
  name: 'footprint/daemon',
  needs: ['builder/primary'],
  skip: () => (process.platform === 'linux' ? undefined : 'needs Linux /proc'),
  run: footprint,
};
