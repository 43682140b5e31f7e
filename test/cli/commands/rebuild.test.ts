import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import { parseRebuildFlags } from '../../../cli/commands/rebuild.js';
import { UsageError } from '../../../cli/context.js';
import { main } from '../../../cli/sensorctl.js';
import { gunzip, parseJsonBytes } from '../../../builder/codec.js';
import { GRANULARITIES, WINDOW_NAMES, windowObjectKey } from '../../../builder/constants.js';
import { payloadObjectOf, readWindowObject } from '../../../builder/publish.js';
import { FsObjectStore } from '../../../platform/fs-object-store.js';
import { payloadProblems, metaProblems } from '../../../builder/validate-payload.js';
import type { BuildReport } from '../../../builder/run-build.js';

const AT = '2024-03-10T12:00:00Z';
const AT_MS = Date.parse(AT);

/** Run `sensorctl …` in-process, capturing stdout/stderr. */
async function sensorctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const [w1, w2] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((c: string) => ((out.stdout += c), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => ((out.stderr += c), true)) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'sensorctl', ...args]);
    return { code, ...out };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
    process.exitCode = undefined;
  }
}

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rebuild-cli-'));
  const b = SqliteBuffer.open(join(dir, 'sensorctl.db'));
  b.defineSeries([{ deviceId: 'pi1', seriesId: 'bme.tempC', sensorId: 'bme', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
  b.insert('pi1', Array.from({ length: 2000 }, (_, i) => ({ seriesId: 'bme.tempC', tsMs: AT_MS - i * 60_000, value: 20 + (i % 17) / 4 })));
  b.close();
  return dir;
}

const flags = suite('parseRebuildFlags');
flags('accepts an ISO instant with a zone, windows and a device', () => {
  assert.equal(parseRebuildFlags({ at: '2019-09-30T16:00:00Z', window: ['1h', '12m', '1h'], device: 'pi-1' }), {
    full: false, atMs: Date.parse('2019-09-30T16:00:00Z'), windows: ['1h', '12m'], deviceId: 'pi-1',
  });
  assert.is(parseRebuildFlags({ at: '2019-09-30T18:00+02:00' }).atMs, Date.parse('2019-09-30T16:00:00Z'));
});
flags('rejects a bad --at, an unknown --window and a bad --device with the allowed values', () => {
  for (const [f, text] of [
    [{ at: '2019-09-30' }, 'ISO 8601 instant with a zone'],
    [{ at: '2019-09-30T16:00:00' }, 'with a zone'],
    [{ at: '2019-13-45T16:00:00Z' }, '--at'],
    [{ window: ['2h'] }, '1h, 10h, 1d, 10d, 3m, 12m'],
    [{ device: '../x' }, '--device'],
  ] as const) {
    try {
      parseRebuildFlags(f);
      assert.unreachable(JSON.stringify(f));
    } catch (err) {
      assert.instance(err, UsageError);
      assert.match((err as Error).message, text);
    }
  }
});
flags.run();

const cli = suite('sensorctl rebuild');
cli('writes the 24 snapshots, whose metas and payloads validate, as one window object per window into <data-dir>/snapshots/<device>/', async () => {
  const dir = dataDir();
  try {
    const r = await sensorctl(['--data-dir', dir, '--json', 'rebuild', '--device', 'pi1', '--at', AT]);
    assert.is(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as BuildReport;
    assert.is(report.snapshots.length, 24);
    assert.ok(report.ok);
    const files = readdirSync(join(dir, 'snapshots', 'pi1'));
    assert.equal(files.sort(), WINDOW_NAMES.map((w) => windowObjectKey(w)).sort(), 'exactly one latest_<w>.snapshots per window, no meta or payload files');
    const store = new FsObjectStore(dir);
    for (const w of WINDOW_NAMES) {
      const object = (await readWindowObject(store, 'snapshots/pi1/', w))!;
      assert.is(object.state(), undefined, `${w}: a build --at saves no rollup state`);
      for (const g of GRANULARITIES) {
        const meta = object.metas.get(g)!;
        assert.equal(metaProblems(meta), [], `${w}/${g}`);
        assert.equal([meta.key, meta.stale], [`snapshots/pi1/${windowObjectKey(w)}`, false]);
        const p = parseJsonBytes(await gunzip(payloadObjectOf(object, 'snapshots/pi1/', g)!.body)) as { to: string };
        assert.equal(payloadProblems(p), [], `${w}/${g}`);
        assert.is(p.to, new Date(AT_MS).toISOString(), `${w}/${g} is as of --at`);
      }
    }
    const table = await sensorctl(['--data-dir', dir, 'rebuild', '--device', 'pi1', '--at', AT, '--window', '1h']);
    assert.is(table.code, 0);
    assert.match(table.stdout, '4 of 4 snapshots built');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
cli('exits 2 with a clear message for a bad --at or --window, and for a missing database', async () => {
  const dir = dataDir();
  try {
    const bad = await sensorctl(['--data-dir', dir, 'rebuild', '--at', 'yesterday']);
    assert.is(bad.code, 2);
    assert.match(bad.stderr, '--at "yesterday"');
    const w = await sensorctl(['--data-dir', dir, 'rebuild', '--window', '2h']);
    assert.is(w.code, 2);
    assert.match(w.stderr, 'expected one of 1h, 10h, 1d, 10d, 3m, 12m');
    const none = await sensorctl(['--data-dir', join(dir, 'nope'), 'rebuild']);
    assert.is(none.code, 2);
    assert.match(none.stderr, 'no database at');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
cli('exits 1 and names the four snapshots of the window whose object (the commit point) cannot be written; the other windows are published', async () => {
  // (Marking metas stale after a failed put is covered by test/builder/run-build*.test.ts.)
  const dir = dataDir();
  try {
    mkdirSync(join(dir, 'snapshots', 'pi1', windowObjectKey('1h')), { recursive: true }); // a directory in the way
    const r = await sensorctl(['--data-dir', dir, '--json', 'rebuild', '--device', 'pi1', '--at', AT, '--window', '1h', '--window', '10h']);
    assert.is(r.code, 1);
    const report = JSON.parse(r.stdout) as BuildReport;
    assert.equal(report.snapshots.filter((s) => !s.ok).map((s) => `${s.window}/${s.granularity}`), GRANULARITIES.map((g) => `1h/${g}`));
    assert.equal(report.snapshots.filter((s) => s.ok).map((s) => `${s.window}/${s.granularity}`), GRANULARITIES.map((g) => `10h/${g}`));
    const store = new FsObjectStore(dir);
    const object = (await readWindowObject(store, 'snapshots/pi1/', '10h'))!;
    for (const g of GRANULARITIES) {
      assert.is(object.metas.get(g)!.stale, false);
      assert.ok(payloadObjectOf(object, 'snapshots/pi1/', g), `payload of 10h/${g}`);
    }
    const table = await sensorctl(['--data-dir', dir, 'rebuild', '--device', 'pi1', '--at', AT, '--window', '1h']);
    assert.is(table.code, 1);
    assert.match(table.stdout, /1h\/20\s+FAIL/);
    assert.match(table.stdout, '0 of 4 snapshots built');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
cli('the first rebuild in the window-object layout deletes the earlier layout\'s files of the device and says how many', async () => {
  const dir = dataDir();
  try {
    const legacy = ['latest_1h_20.meta.json', 'latest_1h_20.json', 'latest_1h_20.v1700000000000-0123456789abcdef.json', 'latest_10d_500.tmp-1700000000000.json'];
    mkdirSync(join(dir, 'snapshots', 'pi1'), { recursive: true });
    for (const f of legacy) writeFileSync(join(dir, 'snapshots', 'pi1', f), '{}');
    writeFileSync(join(dir, 'snapshots', 'pi1', 'notes.txt'), 'not a snapshot key');
    const r = await sensorctl(['--data-dir', dir, 'rebuild', '--device', 'pi1', '--at', AT, '--window', '1h']);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, `deleted ${legacy.length} key(s) of the earlier per-snapshot layout`);
    assert.equal(readdirSync(join(dir, 'snapshots', 'pi1')).sort(), [windowObjectKey('1h'), 'notes.txt'].sort());
    const again = await sensorctl(['--data-dir', dir, 'rebuild', '--device', 'pi1', '--at', AT, '--window', '1h']);
    assert.not.match(again.stdout, 'earlier per-snapshot layout');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
cli('builds into storage.snapshotDir, else $RUNTIME_DIRECTORY, and status reads the same directory; nothing under <data-dir>/snapshots (issue 13)', async () => {
  const dir = dataDir();
  const snapDir = mkdtempSync(join(tmpdir(), 'rebuild-cli-snapdir-'));
  const runtimeDir = mkdtempSync(join(tmpdir(), 'rebuild-cli-runtime-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ deviceId: 'pi1', storage: { snapshotDir: snapDir } }));
  const before = process.env.RUNTIME_DIRECTORY;
  try {
    const r = await sensorctl(['--data-dir', dir, '--config', config, 'rebuild', '--device', 'pi1', '--window', '1h']);
    assert.is(r.code, 0, r.stderr);
    assert.equal(readdirSync(join(snapDir, 'snapshots', 'pi1')), [windowObjectKey('1h')], readdirSync(snapDir).join(', '));
    assert.ok((await readWindowObject(new FsObjectStore(snapDir), 'snapshots/pi1/', '1h'))!.state()!.byteLength > 0, 'the rollup state is in the window object');
    assert.ok(!existsSync(join(snapDir, 'state')), 'no state/ beside it');
    assert.ok(!existsSync(join(dir, 'snapshots')) && !existsSync(join(dir, 'state')), readdirSync(dir).join(', '));
    const s = await sensorctl(['--data-dir', dir, '--config', config, '--json', 'status', '--device', 'pi1']);
    assert.is(s.code, 0, s.stderr);
    const built = (JSON.parse(s.stdout) as { snapshots: Array<{ window: string; isBuilt: boolean }> }).snapshots.filter((x) => x.isBuilt).map((x) => x.window);
    assert.equal(built, ['1h', '1h', '1h', '1h'], 'status sees the 1h snapshots in the snapshot dir');
    // Without the key, the service's RuntimeDirectory (systemd sets RUNTIME_DIRECTORY) is the snapshot dir.
    writeFileSync(config, JSON.stringify({ deviceId: 'pi1' }));
    process.env.RUNTIME_DIRECTORY = runtimeDir;
    const r2 = await sensorctl(['--data-dir', dir, '--config', config, 'rebuild', '--device', 'pi1', '--window', '10h']);
    assert.is(r2.code, 0, r2.stderr);
    assert.equal(readdirSync(join(runtimeDir, 'snapshots', 'pi1')), [windowObjectKey('10h')], readdirSync(runtimeDir).join(', '));
    assert.ok(!existsSync(join(dir, 'snapshots')));
  } finally {
    if (before === undefined) delete process.env.RUNTIME_DIRECTORY;
    else process.env.RUNTIME_DIRECTORY = before;
    for (const d of [dir, snapDir, runtimeDir]) rmSync(d, { recursive: true, force: true });
  }
});

cli.run();
