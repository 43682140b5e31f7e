/**
 * Benchmark section "fleet": the scheduled builder over N simulated devices on dynalite + s3rver
 * (in-process, 127.0.0.1), as deployed: no device list, the fleet discovered from the catalogue
 * index (`aws/dynamodb-devices.ts`), devices built `DEFAULT_BUILD_CONCURRENCY` at a time in one
 * invocation (`cloud/builder-handler.ts`). Each device: its catalogue item and the last hour of 4
 * series at 10 s (360 items). Per N: the discovery Query, a first run of every window (full builds),
 * then one run per schedule group (`cloud/infra/schedules.ts`: the windows of one EventBridge rule)
 * in steady state. Figures: ms per device per run, the run's total, and the 1,000-device run
 * EXTRAPOLATED (labelled so) against the group's cadence, two ways: in one invocation (linear in
 * devices), and fanned out as deployed (shards of `DEFAULT_DEVICES_PER_SHARD`, at most
 * `BUILDER_RESERVED_CONCURRENCY` shard invocations at once: waves × shard size × ms per device).
 * Sizes: 10, 50, 200 by default; `npm run bench -- --fleet-sizes 10,100,1000` (or BENCH_FLEET_SIZES).
 * The emulators share this machine's cores with the builder, so real DynamoDB/S3 latencies differ.
 */
import { WINDOW_NAMES } from '../builder/constants.js';
import type { Sample, SeriesInfo } from '../builder/types.js';
import { silentLog } from '../builder/ports.js';
import { runBuild } from '../builder/run-build.js';
import { S3ObjectStore } from '../aws/s3-object-store.js';
import { DynamoDbSource } from '../aws/dynamodb-source.js';
import { listCatalogDeviceIds } from '../aws/dynamodb-devices.js';
import { createBuilderHandler, DEFAULT_BUILD_CONCURRENCY, DEFAULT_DEVICES_PER_SHARD, type ScheduledResult } from '../cloud/builder-handler.js';
import { BUILDER_RESERVED_CONCURRENCY } from '../cloud/infra/sensor-stack.js';
import { scheduleGroups } from '../cloud/infra/schedules.js';
import { startS3rver } from '../test/support/s3rver.js';
import { samplesToItems, startDynalite, writeCatalog, writeItems } from '../test/support/dynalite.js';
import type { BenchContext, Figure } from './section.js';

/** Devices the extrapolation is for (issue 14). */
export const FLEET_TARGET_DEVICES = 1_000;
export const DEFAULT_FLEET_SIZES = [10, 50, 200] as const;
const STEP_MS = 10_000;
const HOUR_MS = 3_600_000;
const METRICS = ['tempC', 'rhPct', 'pressurePa', 'illuminanceLux'] as const;

const seriesOf = (deviceId: string): SeriesInfo[] => METRICS.map((metric) => ({ deviceId, seriesId: `sim.${metric}`, sensorId: 'sim', metric, unit: '', kind: 'gauge' }));

/** The last hour of one device: deterministic values that differ per device. */
function hourOf(deviceIndex: number, endMs: number): Sample[] {
  const out: Sample[] = [];
  for (let t = endMs - HOUR_MS + STEP_MS; t <= endMs; t += STEP_MS) {
    const k = (t / STEP_MS + deviceIndex * 7) % 360;
    const values = [20 + deviceIndex % 5 + k / 100, 40 + k / 20, 101_000 + k, k];
    METRICS.forEach((m, i) => out.push({ seriesId: `sim.${m}`, tsMs: t, value: Math.round(values[i] * 100) / 100 }));
  }
  return out;
}

/** One N's measurements, ms. */
export interface FleetRow {
  devices: number;
  discoverMs: number;
  firstRun: { totalMs: number; failed: number };
  groups: Array<{ rateMinutes: number; windows: string[]; totalMs: number; failed: number }>;
}

async function measureFleet(devices: number, log: (m: string) => void): Promise<FleetRow> {
  const [db, s3] = await Promise.all([startDynalite(), startS3rver()]);
  try {
    const endMs = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    const ids = Array.from({ length: devices }, (_, i) => `sim-${String(i).padStart(4, '0')}`);
    log(`fleet: loading ${devices} devices × 360 items`);
    for (let i = 0; i < ids.length; i++) {
      await writeCatalog(db.client, db.table, ids[i], seriesOf(ids[i]));
      await writeItems(db.client, db.table, samplesToItems(ids[i], hourOf(i, endMs)));
    }
    const clock = { nowMs: () => Date.now() };
    const handler = createBuilderHandler({
      bucket: new S3ObjectStore(s3.client, s3.bucket),
      sourceFor: () => new DynamoDbSource(db.client, db.table, clock),
      build: runBuild, clock, log: silentLog, emit: () => undefined,
      discoverDevices: () => listCatalogDeviceIds(db.client, db.table),
    });
    const t0 = performance.now();
    const found = await listCatalogDeviceIds(db.client, db.table);
    const discoverMs = performance.now() - t0;
    if (found.length !== devices) throw new Error(`discovered ${found.length} devices, expected ${devices}`);
    const run = async (windows: readonly string[]) => {
      const start = performance.now();
      const out = (await handler({ windows })) as ScheduledResult;
      const totalMs = performance.now() - start;
      if (out.reports.length !== devices) throw new Error(`run built ${out.reports.length} devices, expected ${devices}`);
      return { totalMs, failed: out.reports.filter((r) => r.error !== undefined || r.stale > 0).length };
    };
    log(`fleet: ${devices} devices, first run of every window`);
    const firstRun = await run(WINDOW_NAMES);
    const groups: FleetRow['groups'] = [];
    for (const g of scheduleGroups()) {
      log(`fleet: ${devices} devices, schedule every ${g.rateMinutes} min (${g.windows.join(', ')})`);
      groups.push({ rateMinutes: g.rateMinutes, windows: [...g.windows], ...(await run(g.windows)) });
    }
    return { devices, discoverMs, firstRun, groups };
  } finally {
    await Promise.all([db.close(), s3.close()]);
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Figures of one row (see the module comment). */
export function fleetFigures(row: FleetRow): Figure[] {
  const n = row.devices;
  const figures: Figure[] = [
    { name: `fleet/${n} discover (1 Query)`, value: round1(row.discoverMs), unit: 'ms' },
    { name: `fleet/${n} first run, all windows`, value: round1(row.firstRun.totalMs / n), unit: 'ms/device', note: `run ${Math.round(row.firstRun.totalMs)} ms, ${row.firstRun.failed} failed` },
  ];
  for (const g of row.groups) {
    const perDeviceMs = g.totalMs / n;
    const targetMs = perDeviceMs * FLEET_TARGET_DEVICES;
    const cadenceMs = g.rateMinutes * 60_000;
    figures.push(
      { name: `fleet/${n} every ${g.rateMinutes} min (${g.windows.join(',')})`, value: round1(perDeviceMs), unit: 'ms/device', note: `run ${Math.round(g.totalMs)} ms, ${g.failed} failed, ${DEFAULT_BUILD_CONCURRENCY} at a time` },
      {
        name: `fleet/${n}→${FLEET_TARGET_DEVICES} every ${g.rateMinutes} min`, value: Math.round(targetMs), unit: 'ms (extrapolated)',
        baseline: { name: 'cadence', value: cadenceMs, unit: 'ms' }, ratio: round1(targetMs / cadenceMs),
        note: `EXTRAPOLATED linearly in devices; ${targetMs <= cadenceMs ? 'fits' : 'does NOT fit'} the ${g.rateMinutes}-min cadence in one invocation`,
      },
    );
    const waves = Math.ceil(Math.ceil(FLEET_TARGET_DEVICES / DEFAULT_DEVICES_PER_SHARD) / BUILDER_RESERVED_CONCURRENCY);
    const fannedMs = waves * DEFAULT_DEVICES_PER_SHARD * perDeviceMs;
    figures.push({
      name: `fleet/${n}→${FLEET_TARGET_DEVICES} every ${g.rateMinutes} min, fanned out`, value: Math.round(fannedMs), unit: 'ms (extrapolated)',
      baseline: { name: 'cadence', value: cadenceMs, unit: 'ms' }, ratio: Math.round((fannedMs / cadenceMs) * 100) / 100,
      note: `EXTRAPOLATED: ${waves} waves of ${BUILDER_RESERVED_CONCURRENCY} shards × ${DEFAULT_DEVICES_PER_SHARD} devices; ${fannedMs <= cadenceMs ? 'fits' : 'does NOT fit'} the cadence`,
    });
  }
  return figures;
}

/** Sizes from `--fleet-sizes a,b,c` or BENCH_FLEET_SIZES, else the defaults. @throws {RangeError} on a bad list. */
export function fleetSizes(argv: readonly string[] = process.argv, env: Record<string, string | undefined> = process.env): number[] {
  const at = argv.indexOf('--fleet-sizes');
  const text = at >= 0 ? argv[at + 1] : env.BENCH_FLEET_SIZES;
  if (text === undefined) return [...DEFAULT_FLEET_SIZES];
  const sizes = text.split(',').map(Number);
  if (sizes.length === 0 || sizes.some((s) => !Number.isSafeInteger(s) || s < 1)) throw new RangeError(`--fleet-sizes ${text}: expected comma-separated device counts ≥ 1`);
  return sizes;
}

export const FLEET_BENCH_SECTION = {
  name: 'fleet',
  async run(ctx: Pick<BenchContext, 'log'>): Promise<Figure[]> {
    const figures: Figure[] = [];
    for (const n of fleetSizes()) {
      const row = await measureFleet(n, ctx.log);
      ctx.log(`fleet: ${n} devices: ${row.groups.map((g) => `every ${g.rateMinutes} min ${Math.round(g.totalMs)} ms`).join(', ')}`);
      figures.push(...fleetFigures(row));
    }
    return figures;
  },
};

if (process.argv[1] && /bench\/fleet\.ts$/.test(process.argv[1])) {
  for (const f of await FLEET_BENCH_SECTION.run({ log: (m) => console.error(m) })) {
    console.log(`${f.name.padEnd(44)} ${String(f.value).padStart(10)} ${f.unit.padEnd(18)} ${f.ratio !== undefined ? `${f.ratio}× cadence  ` : ''}${f.note ?? ''}`);
  }
}
