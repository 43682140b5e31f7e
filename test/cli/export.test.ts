/** `sensorctl export` as a child process over a real SQLite buffer in a temp dir. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import type { Sample } from '../../builder/types.js';
import { CSV_HEADER, samplesInRange } from '../../cli/commands/export.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const AT = Date.UTC(2019, 8, 30, 16, 0, 0); // 2019-09-30T16:00:00Z
const HOUR = 3_600_000;
const dir = mkdtempSync(join(tmpdir(), 'sensorctl-export-'));
const DEVICE = 'pi-test';

// Two series over 12 days before AT (every 7 min for temperature, every 11 min for humidity) plus
// samples just inside and outside the 1h window's edges.
const samples: Sample[] = [];
for (let t = AT - 12 * 24 * HOUR; t <= AT + HOUR; t += 7 * 60_000) samples.push({ seriesId: 'sim0.tempC', tsMs: t, value: Math.round(Math.sin(t / 1e7) * 1000) / 100 });
for (let t = AT - 12 * 24 * HOUR + 13; t <= AT + HOUR; t += 11 * 60_000) samples.push({ seriesId: 'sim0.rhPct', tsMs: t, value: 40 + (t % 1000) / 100 });
samples.push({ seriesId: 'sim0.tempC', tsMs: AT - HOUR + 1, value: 1.5 }, { seriesId: 'sim0.tempC', tsMs: AT - HOUR, value: -1.5 }, { seriesId: 'sim0.rhPct', tsMs: AT, value: 55.25 });
// The buffer stores the first of two samples with the same (series, tsMs); mirror that here.
const firstByKey = new Map<string, Sample>();
for (const s of samples) if (!firstByKey.has(`${s.seriesId}@${s.tsMs}`)) firstByKey.set(`${s.seriesId}@${s.tsMs}`, s);
samples.splice(0, samples.length, ...firstByKey.values());
const buffer = SqliteBuffer.open(join(dir, 'sensorctl.db'));
buffer.defineSeries([
  { deviceId: DEVICE, seriesId: 'sim0.tempC', sensorId: 'sim0', metric: 'tempC', unit: '°C', kind: 'gauge' },
  { deviceId: DEVICE, seriesId: 'sim0.rhPct', sensorId: 'sim0', metric: 'rhPct', unit: '%RH', kind: 'gauge' },
]);
buffer.insert(DEVICE, samples);

/** Brute force: the window's samples, sorted by time then series. */
function expected(spanMs: number, series?: string): Sample[] {
  return samples
    .filter((s) => s.tsMs > AT - spanMs && s.tsMs <= AT && (!series || s.seriesId === series))
    .sort((a, b) => a.tsMs - b.tsMs || a.seriesId.localeCompare(b.seriesId));
}

function sensorctl(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', '--data-dir', dir, ...args], { cwd: ROOT, encoding: 'utf8' });
}

const cli = suite('sensorctl export');

cli('CSV of the 1h window holds exactly the samples in (at − 1h, at], in time order, with the header', () => {
  const r = sensorctl('export', '--window', '1h', '--at', '2019-09-30T16:00:00Z', '--device', DEVICE);
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines[0], CSV_HEADER);
  const want = expected(HOUR);
  assert.equal(lines.slice(1), want.map((s) => `${s.tsMs},${new Date(s.tsMs).toISOString()},${s.seriesId},${s.value}`));
  assert.ok(lines.includes(`${AT - HOUR + 1},2019-09-30T15:00:00.001Z,sim0.tempC,1.5`), 'first millisecond inside');
  assert.not.ok(lines.some((l) => l.startsWith(`${AT - HOUR},`)), 'the millisecond at the open edge is outside');
});

cli('JSON of the 10d window for one series equals the brute-force selection across day slices', () => {
  const r = sensorctl('export', '--window', '10d', '--format', 'json', '--series', 'sim0.rhPct', '--at', '2019-09-30T16:00:00Z', '--device', DEVICE);
  assert.is(r.status, 0, r.stderr);
  const body = JSON.parse(r.stdout) as { device: string; window: string; to: string; samples: Array<{ tsMs: number; seriesId: string; value: number }> };
  assert.is(body.window, '10d');
  assert.is(body.to, '2019-09-30T16:00:00.000Z');
  const want = expected(10 * 24 * HOUR, 'sim0.rhPct');
  assert.ok(want.length > 1000);
  assert.equal(body.samples.map((s) => [s.tsMs, s.seriesId, s.value]), want.map((s) => [s.tsMs, s.seriesId, s.value]));
});

cli('--output writes the file; bad window, format, time or series are usage errors (exit 2); no database is exit 1', () => {
  const file = join(dir, 'out.csv');
  const r = sensorctl('export', '--window', '1d', '--at', '2019-09-30T16:00:00Z', '--device', DEVICE, '--output', file);
  assert.is(r.status, 0, r.stderr);
  assert.is(readFileSync(file, 'utf8').trimEnd().split('\n').length, expected(24 * HOUR).length + 1);
  const w = sensorctl('export', '--window', '2h');
  assert.is(w.status, 2);
  assert.match(w.stderr, /expected one of 1h, 10h, 1d, 10d, 3m, 12m/);
  assert.is(sensorctl('export', '--window', '1h', '--format', 'xml').status, 2);
  assert.is(sensorctl('export', '--window', '1h', '--at', 'yesterday').status, 2);
  const s = sensorctl('export', '--window', '1h', '--device', DEVICE, '--series', 'nope');
  assert.is(s.status, 2);
  assert.match(s.stderr, /known: sim0.rhPct, sim0.tempC|known: sim0.tempC, sim0.rhPct/);
  const empty = mkdtempSync(join(tmpdir(), 'sensorctl-export-empty-'));
  const n = spawnSync(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', '--data-dir', empty, 'export', '--window', '1h'], { cwd: ROOT, encoding: 'utf8' });
  rmSync(empty, { recursive: true, force: true });
  assert.is(n.status, 1);
  assert.match(n.stderr, /no database/);
});

cli('--from/--to exports any range, inclusive at both ends, across day slices; --format wide-csv puts each instant on one row', () => {
  const fromMs = AT - 3 * 24 * HOUR + 1;
  const r = sensorctl('export', '--from', new Date(fromMs).toISOString(), '--to', '2019-09-30T16:00:00Z', '--device', DEVICE);
  assert.is(r.status, 0, r.stderr);
  const want = samples.filter((s) => s.tsMs >= fromMs && s.tsMs <= AT).sort((a, b) => a.tsMs - b.tsMs || a.seriesId.localeCompare(b.seriesId));
  assert.equal(r.stdout.trimEnd().split('\n').slice(1), want.map((s) => `${s.tsMs},${new Date(s.tsMs).toISOString()},${s.seriesId},${s.value}`));
  assert.ok(want.some((s) => s.tsMs === AT), 'the --to instant itself is inside');
  const w = sensorctl('export', '--from', '2019-09-30T14:00:00Z', '--to', '2019-09-30T16:00:00Z', '--device', DEVICE, '--format', 'wide-csv');
  assert.is(w.status, 0, w.stderr);
  const lines = w.stdout.trimEnd().split('\n');
  assert.is(lines[0], 'tsMs,iso,sim0.rhPct,sim0.tempC');
  const inRange = samples.filter((s) => s.tsMs >= Date.UTC(2019, 8, 30, 14) && s.tsMs <= AT);
  const instants = [...new Set(inRange.map((s) => s.tsMs))].sort((a, b) => a - b);
  assert.is(lines.length - 1, instants.length);
  const cell = (id: string, t: number) => String(inRange.find((s) => s.seriesId === id && s.tsMs === t)?.value ?? '');
  assert.equal(lines.slice(1), instants.map((t) => `${t},${new Date(t).toISOString()},${cell('sim0.rhPct', t)},${cell('sim0.tempC', t)}`));
  assert.ok(lines.some((l) => l.endsWith(',55.25,')), 'a humidity-only instant has an empty temperature cell');
});

cli('an unknown device is a usage error (exit 2) naming the devices; bad ranges are usage errors', () => {
  // Before issue 17: a header and exit 0.
  const r = sensorctl('export', '--window', '1h', '--device', 'nosuch');
  assert.is(r.status, 2, r.stdout);
  assert.match(r.stderr, `--device nosuch: no series stored for this device; devices in ${join(dir, 'sensorctl.db')}: ${DEVICE}`);
  assert.is(r.stdout, '');
  assert.is(sensorctl('export', '--from', '2019-09-30T16:00:00Z', '--to', '2019-09-30T15:00:00Z', '--device', DEVICE).status, 2);
  assert.is(sensorctl('export', '--from', 'monday', '--device', DEVICE).status, 2);
  assert.is(sensorctl('export', '--window', '1h', '--from', '2019-09-30T15:00:00Z', '--device', DEVICE).status, 2);
});

cli('status --device nosuch is a usage error (exit 2) naming the devices, as export is; a known device is shown', () => {
  // Before: exit 0, "Snapshots of nosuch: 1h not built yet …" and every device's series.
  const r = sensorctl('status', '--device', 'nosuch');
  assert.is(r.status, 2, r.stdout);
  assert.match(r.stderr, `--device nosuch: no samples or snapshots of this device; devices in ${join(dir, 'sensorctl.db')}: ${DEVICE}`);
  const ok = sensorctl('status', '--device', DEVICE);
  assert.is(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, `Snapshots of ${DEVICE}:`);
});

cli.run();

const range = suite('samplesInRange');

range('yields day slices whose concatenation is the whole range in time order', async () => {
  const got: Sample[] = [];
  let slices = 0;
  for await (const slice of samplesInRange(buffer, DEVICE, AT - 3 * 24 * HOUR + 1, AT, new Set())) {
    slices++;
    got.push(...slice);
  }
  assert.is(slices, 3);
  assert.equal(got.map((s) => `${s.tsMs}/${s.seriesId}`), expected(3 * 24 * HOUR).map((s) => `${s.tsMs}/${s.seriesId}`));
});

range.after(() => {
  buffer.close();
  rmSync(dir, { recursive: true, force: true });
});

range.run();
