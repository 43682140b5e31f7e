/**
 * `npm run soak [-- --days N] [-- --start ISO] [-- --build-every MIN] [-- --tmp DIR] [-- --json] [-- --keep]`:
 * the soak run (`soak.ts`), a bench, not a test. Default: 2 days from 2027-10-30 (the October DST
 * change, every fault of the table once), about 30 s; `--days 365 --start 2027-01-01` is the year
 * (8–15 s of real time per simulated day on a loaded 2-core machine). `--build-every`: minutes
 * between two builds of a window at least (default 60; 0: the daemon's own cadences). `--tmp`: parent
 * of the run's directory (default /dev/shm). Prints the figures; exits 1 when a loss has no cause,
 * DynamoDB differs from SQLite, the integrity check fails or a snapshot's meta does not match its payload.
 */
import { DEFAULT_SOAK, runSoak } from './soak.js';
import { FAULTS } from './plan.js';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const days = Number(arg('--days') ?? DEFAULT_SOAK.days);
const startMs = arg('--start') ? Date.parse(arg('--start')!) : DEFAULT_SOAK.startMs;
if (!Number.isInteger(days) || days < 1 || days > 400) {
  console.error(`--days ${arg('--days')}: expected a whole number of days, 1–400`);
  process.exit(2);
}
if (!Number.isFinite(startMs) || startMs < Date.UTC(2026, 10, 1)) {
  console.error(`--start ${arg('--start')}: expected an ISO date from 2026-11-01 on (the build date; earlier clocks are held by the clock guard)`);
  process.exit(2);
}
const buildEveryMin = Number(arg('--build-every') ?? DEFAULT_SOAK.buildEveryMs / 60_000);
if (!(buildEveryMin >= 0)) {
  console.error(`--build-every ${arg('--build-every')}: expected minutes (0: every window at the daemon's own cadence)`);
  process.exit(2);
}
const report = await runSoak({ ...DEFAULT_SOAK, days, startMs, buildEveryMs: buildEveryMin * 60_000, ...(arg('--tmp') ? { tmpDir: arg('--tmp') } : {}), keep: args.includes('--keep'), progress: (l) => process.stderr.write(`${l}\n`) });
if (args.includes('--json')) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const lostTotal = report.expected - report.stored;
  console.log(`soak: ${report.days} days ${report.from} → ${report.to}, ${report.boots} boots, ${report.realSeconds} s real`);
  console.log('faults:');
  for (const s of FAULTS) console.log(`  ${s.kind.padEnd(13)} ${s.todo ? `TODO (${s.todo})` : `${String(report.logLines[s.kind]?.occurrences ?? 0).padStart(3)}×`}  ${s.what}`);
  console.log(`samples expected ${report.expected}, stored ${report.stored} (${report.storedRows} rows), lost ${lostTotal}`);
  for (const [cause, n] of Object.entries(report.lost)) console.log(`  lost ${String(n).padStart(6)}  ${cause === 'none' ? 'WITHOUT A CAUSE' : cause}`);
  console.log(`  (of which torn WAL tails ${report.tornRows} rows; clock guard discarded ${report.clockGuard.discarded}, restamped ${report.clockGuard.restamped})`);
  console.log(`disk full: ${report.diskFullRefusals} sample commits refused (held in memory, committed when space returned)`);
  for (const m of report.movedAside) console.log(`damaged database (${m.reason}, found at ${m.phase}) moved to ${m.movedTo}: ${m.unreadable ? `unreadable (${m.unreadable})` : `${m.readableInstants} instants readable, ${m.uploadedInstants} uploaded before, ${m.pendingInstants} were pending`}`);
  console.log(`snapshot builds: ${report.builds.done} done, ${report.builds.failed} with failed snapshots; store checked after each of ${report.builds.checks} boots: fewest built ${report.builds.minBuilt} of 24, ${report.builds.problems.length ? `PROBLEMS: ${report.builds.problems.join('; ')}` : 'every meta matches its payload'}`);
  console.log(`sub-zero DS18B20 readings stored: ${report.subZeroStored}`);
  console.log(`max event-loop delay (real): ${report.maxLoopDelayMs} ms`);
  console.log(`WAL high-water mark: ${(report.walHighWaterBytes / 1048576).toFixed(2)} MiB`);
  console.log(`log lines (info+): ${report.logLinesPerQuietDay}/quiet day; per fault: ${Object.entries(report.logLines).map(([k, v]) => `${k} ${v.lines} in ${v.occurrences} (max ${v.maxPerOccurrence})`).join(', ')}`);
  console.log(`integrity_check: ${report.integrity}`);
  console.log(`DynamoDB ${report.dynamoItems} items, SQLite ${report.sqliteItems} instants${report.movedAside.length ? ' (+ those moved-aside files had uploaded)' : ''}: ${report.dynamoEqualsSqlite ? 'equal' : `DIFFERENT (${report.dynamoDiff})`}`);
  if (report.dataDir) console.log(`data kept in ${report.dataDir}`);
}
process.exit(report.lostWithoutCause === 0 && report.dynamoEqualsSqlite && report.integrity === 'ok' && report.builds.problems.length === 0 ? 0 : 1);
