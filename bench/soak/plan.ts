/**
 * The soak run's plan: the fault table, where each fault falls in a run of `days`, the boots it
 * implies (power cuts and reboots restart the daemon), and the causes every lost sample is charged to.
 * Pure data; `run.ts` executes it, `boot.ts` is one boot.
 *
 * A fault is a row of `FAULTS`; a row marked `todo` is listed, not run.
 */

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MIN_MS = 60_000;

export const DEVICE_ID = 'soak';
export const BME280_ADDRESS = 0x76;
export const DS18B20_DEVICE = '28-0316a2795aff';
/** The sensors of the soak's Pi: an indoor BME280 on I²C and an outdoor DS18B20 on 1-Wire. */
export const SENSORS = ['bme280', 'outdoor'] as const;
export type SensorName = (typeof SENSORS)[number];
/** The series whose rows are counted per sensor (one per read). */
export const COUNTED_SERIES: Record<SensorName, string> = { bme280: 'bme280.tempC', outdoor: 'outdoor.tempC' };

export type FaultKind = 'dst' | 'stale-reboot' | 'power-cut' | 'flaky-bus' | 'unplugged' | 'cold-snap' | 'disk-full' | 'corrupt-db';

/** One fault occurrence in true (UTC) time. */
export interface Fault {
  kind: FaultKind;
  fromMs: number;
  toMs: number;
}

export interface RunShape {
  startMs: number;
  days: number;
  timeZone: string;
}

/** A row of the fault table. */
export interface FaultSpec {
  kind: FaultKind;
  /** What happens, for the report. */
  what: string;
  /** The samples it may cost, charged to this cause: which sensors, and until how long after it ends (recovery). */
  costs: readonly SensorName[];
  graceMs: number;
  /** Where it falls in a run. */
  place(run: RunShape): Array<{ fromMs: number; toMs: number }>;
  /** Not run yet: why. */
  todo?: string;
}

/** `n` evenly spaced instants (fractions `f` of the run), or every `everyDays` from `firstDay` in long runs. */
function spread(run: RunShape, everyDays: number, firstDay: number, shortFraction: number): number[] {
  if (run.days < everyDays + firstDay) return [run.startMs + Math.round(run.days * shortFraction * DAY_MS / MIN_MS) * MIN_MS + 17 * 1000];
  const out: number[] = [];
  for (let day = firstDay; day < run.days - 1; day += everyDays) out.push(run.startMs + day * DAY_MS + 17 * 1000);
  return out;
}

/** UTC instants in [startMs, endMs) where the offset of `timeZone` changes (DST), found hour by hour. */
export function offsetChanges(timeZone: string, startMs: number, endMs: number): number[] {
  const f = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'shortOffset' });
  const off = (ms: number) => f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value;
  const out: number[] = [];
  for (let t = Math.ceil(startMs / HOUR_MS) * HOUR_MS; t + HOUR_MS < endMs; t += HOUR_MS) if (off(t) !== off(t + HOUR_MS)) out.push(t + HOUR_MS);
  return out;
}

/** The power stays off this long after a power cut, and a reboot takes this long. */
export const POWER_OFF_MS = 10 * MIN_MS;
export const REBOOT_MS = 2 * MIN_MS;
/** A rebooted Pi boots with its fake-hwclock this far behind, until NTP steps it (`NTP_AFTER_MS` after boot). */
export const STALE_CLOCK_MS = 14 * DAY_MS;
export const NTP_AFTER_MS = 90_000;
/** After the database is damaged the daemon is started again this soon (`sensorctl run` restarts it in-process). */
export const CORRUPT_RESTART_MS = 1000;

export const FAULTS: readonly FaultSpec[] = [
  {
    kind: 'dst', what: 'both DST changes of the local zone (calendar)', costs: [], graceMs: 0,
    place: (r) => offsetChanges(r.timeZone, r.startMs, r.startMs + r.days * DAY_MS).map((t) => ({ fromMs: t - HOUR_MS, toMs: t + 2 * HOUR_MS })),
  },
  {
    kind: 'stale-reboot', what: `reboot every 3 weeks; boots with the clock ${STALE_CLOCK_MS / DAY_MS} d behind, NTP steps it after ${NTP_AFTER_MS / 1000} s`, costs: ['bme280', 'outdoor'], graceMs: 2 * MIN_MS,
    place: (r) => spread(r, 21, 21, 0.7).map((t) => ({ fromMs: t, toMs: t + REBOOT_MS })),
  },
  {
    kind: 'power-cut', what: `power cut (SIGKILL of the daemon, the WAL's last frame torn), ${POWER_OFF_MS / MIN_MS} min off; boots at its last hourly saved clock`, costs: ['bme280', 'outdoor'], graceMs: 2 * MIN_MS,
    place: (r) => spread(r, 35, 17, 0.45).map((t) => ({ fromMs: t - 2 * MIN_MS, toMs: t + POWER_OFF_MS })),
  },
  {
    kind: 'flaky-bus', what: 'BME280 transfers fail at random (10 %, EREMOTEIO/EIO) for 4 h', costs: ['bme280'], graceMs: 2 * MIN_MS,
    place: (r) => spread(r, 60, 5, 0.2).map((t) => ({ fromMs: t, toMs: t + 4 * HOUR_MS })),
  },
  {
    kind: 'unplugged', what: 'outdoor DS18B20 unplugged (sysfs device gone), then plugged back', costs: ['outdoor'], graceMs: 35 * MIN_MS,
    place: (r) => spread(r, 365, 100, 0.55).map((t) => ({ fromMs: t, toMs: t + Math.min(DAY_MS, (r.days * DAY_MS) / 5) })),
  },
  {
    kind: 'cold-snap', what: 'outdoor DS18B20 at −10 … −0.5 °C (kernel prints t= unsigned) for 12 h', costs: [], graceMs: 0,
    place: (r) => spread(r, 365, 30, 0.85).map((t) => ({ fromMs: t, toMs: t + Math.min(12 * HOUR_MS, (r.days * DAY_MS) / 8) })),
  },
  {
    kind: 'disk-full',
    what: 'the data disk full for an hour (injected: the sample store below the batch throws the StorageFullError the SQLite adapter throws for SQLITE_FULL; other writes still succeed)',
    costs: ['bme280', 'outdoor'], graceMs: 2 * MIN_MS,
    place: (r) => spread(r, 365, 200, 0.38).map((t) => ({ fromMs: t, toMs: t + HOUR_MS })),
  },
  {
    kind: 'corrupt-db',
    what: 'one corrupted database: the daemon is stopped, a page of the file (the builder journal\'s root) is torn, and at the next boot (at once) it is moved aside and a fresh one opened',
    costs: ['bme280', 'outdoor'], graceMs: 2 * MIN_MS,
    place: (r) => spread(r, 365, 30, 0.1).map((t) => ({ fromMs: t, toMs: t + CORRUPT_RESTART_MS })),
  },
];

/** Every fault of the table placed in `run`, in time order. */
export function placeFaults(run: RunShape): Fault[] {
  return FAULTS.filter((s) => !s.todo).flatMap((s) => s.place(run).map((w) => ({ kind: s.kind, ...w }))).sort((a, b) => a.fromMs - b.fromMs);
}

/** A mild seasonal outdoor temperature (°C) for the DS18B20: about −4 °C on January nights, 24 °C on July afternoons. */
export function outdoorTempC(ms: number): number {
  const year = (ms / DAY_MS - 15) / 365.25;
  const day = (ms % DAY_MS) / DAY_MS;
  return Math.round((10 - 9 * Math.cos(2 * Math.PI * year) - 5 * Math.cos(2 * Math.PI * (day - 0.125))) * 16) / 16;
}

/** What one boot child is told (JSON file). */
export interface BootPlan {
  index: number;
  dataDir: string;
  w1Dir: string;
  logFile: string;
  statsFile: string;
  config: unknown;
  timeZone: string;
  /** True time at boot and the wall clock the Pi boots with (stale after a reboot or power cut). */
  bootTrueMs: number;
  wallAtBootMs: number;
  /** When NTP steps the wall clock to the true time (monotonic ms after boot); undefined: it is right. */
  ntpAtMonoMs?: number;
  /** How long this boot lives (monotonic ms), and how it ends. */
  runMs: number;
  end: 'clean' | 'power-cut';
  faults: Fault[];
  flakyRate: number;
  seed: number;
  /** Each window is rebuilt every max(its cadence, this) ms (`SoakOptions.buildEveryMs`). */
  buildEveryMs: number;
}

/** What a boot child reports. */
export interface BootStats {
  index: number;
  maxWalBytes: number;
  /** Longest event-loop delay measured in the child (real ms). */
  maxLoopDelayMs: number;
  subZeroWrites: number;
  /** Sample commits refused by the injected full disk. */
  diskFullRefusals: number;
  /** Scheduled and first builds that finished (`build done`), and those that logged failed snapshots. */
  builds: number;
  failedBuilds: number;
  end: 'running' | 'clean' | 'power-cut';
  clock?: { isTrusted: boolean; held: number; discarded: number; restamped: number };
}

/** The boots of a run: from start to each reboot, power cut or damaged database, then to the end. */
export function planBoots(run: RunShape, faults: Fault[]): Array<Pick<BootPlan, 'bootTrueMs' | 'wallAtBootMs' | 'ntpAtMonoMs' | 'runMs' | 'end'> & { damageAfter?: boolean }> {
  const endMs = run.startMs + run.days * DAY_MS;
  const stops = faults
    .filter((f) => f.kind === 'power-cut' || f.kind === 'stale-reboot' || f.kind === 'corrupt-db')
    .map((f) => ({ at: f.kind === 'power-cut' ? f.fromMs + 2 * MIN_MS : f.fromMs, kind: f.kind }));
  const boots: ReturnType<typeof planBoots> = [];
  let boot = { bootTrueMs: run.startMs, wallAtBootMs: run.startMs, ntpAtMonoMs: undefined as number | undefined };
  for (const s of stops) {
    boots.push({ ...boot, runMs: s.at - boot.bootTrueMs, end: s.kind === 'power-cut' ? 'power-cut' : 'clean', ...(s.kind === 'corrupt-db' ? { damageAfter: true } : {}) });
    if (s.kind === 'corrupt-db') {
      // Restarted at once with the clock it had (the damage is applied between the two boots).
      boot = { bootTrueMs: s.at + CORRUPT_RESTART_MS, wallAtBootMs: s.at + CORRUPT_RESTART_MS, ntpAtMonoMs: undefined };
      continue;
    }
    const next = s.at + (s.kind === 'power-cut' ? POWER_OFF_MS : REBOOT_MS);
    const wall = s.kind === 'power-cut' ? Math.floor(s.at / HOUR_MS) * HOUR_MS : next - STALE_CLOCK_MS;
    boot = { bootTrueMs: next, wallAtBootMs: wall, ntpAtMonoMs: NTP_AFTER_MS };
  }
  boots.push({ ...boot, runMs: endMs - boot.bootTrueMs, end: 'clean' });
  return boots;
}
