/**
 * One boot of the soak's Pi, run as a child process (`bench/soak/run.ts` forks it with tsx): the real
 * daemon composition (`startDaemon`) in virtual time, with an emulated BME280 on an emulated I²C bus,
 * a DS18B20 as a 1-Wire sysfs tree in a directory, the real SQLite file and the real uploader against
 * the parent's dynalite. argv[2] is a `BootPlan` (JSON file). The faults of the plan are applied as
 * virtual time passes. The boot ends cleanly (`stop()`), or with a SIGKILL of this very process at
 * the planned instant (a power cut: whatever was in flight is lost, as on the Pi).
 *
 * Writes, synchronously so a SIGKILL loses nothing already written: log lines (info and up, with the
 * true time) to `plan.logFile` as JSON lines, and the boot's figures to `plan.statsFile`.
 */
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '../../builder/ports.js';
import { WINDOWS } from '../../builder/constants.js';
import { parseConfig } from '../../agent/config/config.js';
import { startDaemon } from '../../pi/daemon.js';
import { StorageFullError } from '../../agent/buffer/errors.js';
import type { SampleBuffer } from '../../agent/buffer/ports.js';
import { readClockStatus } from '../../agent/sampling/sensor-status.js';
import { dallasCrc8 } from '../../sensors/ds18b20.js';
import { FakeBme280, FakeI2cBus, seededRandom } from '../../test/support/fake-i2c-bus.js';
import { loadVectors } from '../../test/support/vectors.js';
import { VirtualTime } from '../../test/support/virtual-time.js';
import type { BootPlan, BootStats } from './plan.js';
import { BME280_ADDRESS, DS18B20_DEVICE, outdoorTempC } from './plan.js';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8')) as BootPlan;
const time = new VirtualTime(plan.wallAtBootMs);
const trueNow = () => plan.bootTrueMs + time.monoMs();
const stats: BootStats = { index: plan.index, maxWalBytes: 0, maxLoopDelayMs: 0, subZeroWrites: 0, diskFullRefusals: 0, builds: 0, failedBuilds: 0, end: 'running' };

const log: Logger = (() => {
  const line = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    if (msg === 'build failed for some snapshots') stats.failedBuilds++;
    appendFileSync(plan.logFile, JSON.stringify({ t: trueNow(), boot: plan.index, level, msg, ...(fields ? { fields } : {}) }) + '\n');
  };
  return { error: line('error'), warn: line('warn'), info: line('info'), debug: (msg: string) => void (msg === 'build done' && stats.builds++) };
})();

// The emulated hardware.
const bus = new FakeI2cBus();
const c0 = loadVectors('bme280').cases[0];
bus.add(BME280_ADDRESS, new FakeBme280(0x60, c0.input.calib_0x88_0xA1, c0.input.calib_0xE1_0xE7, c0.input.data_0xF7_0xFE));
const w1Device = join(plan.w1Dir, DS18B20_DEVICE);
mkdirSync(join(plan.w1Dir, 'w1_bus_master1'), { recursive: true });

/** The kernel's w1_slave text for `tempC`, with the unsigned `t=` some kernels print below 0 °C. */
function w1Slave(tempC: number): string {
  const raw = Math.round(tempC * 16) & 0xffff;
  const bytes = [raw & 0xff, raw >> 8, 0x4b, 0x46, 0x7f, 0xff, 0x10 - (raw & 0x0f), 0x10];
  bytes.push(dallasCrc8(Uint8Array.from(bytes)));
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${hex} : crc=${hex.slice(-2)} YES\n${hex} t=${Math.floor((raw * 1000) / 16)}\n`;
}

const saveStats = () => writeFileSync(plan.statsFile, JSON.stringify(stats));
const active = (kind: string) => plan.faults.filter((f) => f.kind === kind && f.fromMs <= trueNow() && trueNow() < f.toMs);
let flaky = false;

/** Put the hardware in the state the fault table says for now (called every virtual 10 min and at boot). */
function applyFaults(): void {
  const isFlaky = active('flaky-bus').length > 0;
  if (isFlaky !== flaky) bus.flaky(BME280_ADDRESS, isFlaky ? plan.flakyRate : 0, seededRandom(plan.seed + plan.index));
  flaky = isFlaky;
  if (active('unplugged').length) rmSync(w1Device, { recursive: true, force: true });
  else {
    const cold = active('cold-snap')[0];
    const tempC = cold ? -10 + 9.5 * ((trueNow() - cold.fromMs) / (cold.toMs - cold.fromMs)) : outdoorTempC(trueNow());
    if (tempC < 0) stats.subZeroWrites++;
    mkdirSync(w1Device, { recursive: true });
    writeFileSync(join(w1Device, 'w1_slave'), w1Slave(tempC));
  }
  try {
    stats.maxWalBytes = Math.max(stats.maxWalBytes, statSync(join(plan.dataDir, 'sensorctl.db-wal')).size);
  } catch {
    /* no WAL file right now */
  }
}

/**
 * The disk-full hour, injected below the batch where the SQLite adapter sits: while a `disk-full`
 * fault is active every sample commit throws the adapter's SQLITE_FULL error (`StorageFullError`).
 */
function fullDuringFaults(store: SampleBuffer): SampleBuffer {
  const insert: SampleBuffer['insert'] = (deviceId, samples, states) => {
    if (active('disk-full').length) {
      stats.diskFullRefusals++;
      throw new StorageFullError(plan.dataDir, 0);
    }
    return store.insert(deviceId, samples, states);
  };
  return new Proxy(store, {
    get: (target, prop) => (prop === 'insert' ? insert : typeof target[prop as keyof SampleBuffer] === 'function' ? (target[prop as keyof SampleBuffer] as (...a: unknown[]) => unknown).bind(target) : target[prop as keyof SampleBuffer]),
  });
}

const loop = monitorEventLoopDelay({ resolution: 10 });
applyFaults();
const config = parseConfig(plan.config, 'soak');
const d = await startDaemon({
  config, dataDir: plan.dataDir, log, port: 0, host: '127.0.0.1',
  time: { clock: time, timers: time, timeZone: plan.timeZone },
  // The emulated chip needs no real or virtual time to convert: a read never waits on a timer, so the
  // daemon is busy (for `advance`) only while a build or a file read runs.
  sensorDeps: { i2cBus: async () => bus, sleep: async () => undefined },
  wrapSampleStore: fullDuringFaults,
  rebuildEveryMs: (w) => Math.max(WINDOWS[w].rebuildEveryMs, plan.buildEveryMs),
});
loop.enable();
if (plan.ntpAtMonoMs !== undefined) time.schedule(plan.ntpAtMonoMs, () => time.stepWallTo(trueNow())); // NTP steps the stale clock
if (plan.end === 'power-cut') {
  time.schedule(plan.runMs, () => {
    stats.maxLoopDelayMs = Math.max(stats.maxLoopDelayMs, loop.max / 1e6);
    stats.end = 'power-cut';
    stats.clock = readClockStatus(d.buffer);
    saveStats();
    process.kill(process.pid, 'SIGKILL'); // in the middle of whatever the daemon is doing
  });
}
await d.firstBuild;
const STEP_MS = 10 * 60_000;
for (let t = 0; t < plan.runMs; t += STEP_MS) {
  await time.advance(Math.min(STEP_MS, plan.runMs - t), d.isBusy);
  applyFaults();
  stats.maxLoopDelayMs = Math.max(stats.maxLoopDelayMs, loop.max / 1e6);
  stats.clock = readClockStatus(d.buffer);
  saveStats();
}
await time.advance(1, d.isBusy); // the power-cut timer fires here at the latest
await d.stop();
stats.maxLoopDelayMs = Math.max(stats.maxLoopDelayMs, loop.max / 1e6);
stats.end = 'clean';
saveStats();
process.exit(0);
