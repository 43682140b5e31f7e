import { gunzipSync } from 'node:zlib';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startDaemon } from '../../pi/daemon.js';
import { parseConfig } from '../../agent/config/config.js';
import type { Payload } from '../../builder/types.js';
import { GRANULARITIES, WINDOW_NAMES, devicePrefix, windowObjectKey } from '../../builder/constants.js';
import { payloadObjectOf, readWindowObject } from '../../builder/publish.js';
import { FsObjectStore } from '../../platform/fs-object-store.js';
import { collectSnapshots } from '../../pi/snapshot-status.js';
import { gatherFacts } from '../../platform/doctor-probes.js';
import { evaluate } from '../../agent/doctor/doctor.js';
import { recordingLogger } from '../support/recording-logger.js';
import { VirtualTime } from '../support/virtual-time.js';

const snapshotDir = suite('storage.snapshotDir: snapshots and rollup state live apart from the data dir (issue 13; real SQLite and files, virtual clock)');

const T0 = Date.UTC(2027, 2, 1, 9);

snapshotDir('the daemon builds into the snapshot dir, writes nothing of them under the data dir, and serves, reports and checks them from there', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sensorctl-snapdir-data-'));
  const snapDir = mkdtempSync(join(tmpdir(), 'sensorctl-snapdir-tmpfs-'));
  const time = new VirtualTime(T0);
  const config = parseConfig({ deviceId: 'pi', http: { port: 0 }, storage: { snapshotDir: snapDir } }, 'pi');
  const d = await startDaemon({ config, dataDir, log: recordingLogger(), time: { clock: time, timers: time, timeZone: 'UTC' } });
  try {
    await d.firstBuild;
    await time.advance(2 * 60_000, d.isBusy); // four more 1h builds, two sample commits
    // The data dir holds the SQLite file (and its WAL) only.
    assert.ok(!existsSync(join(dataDir, 'snapshots')), 'no <dataDir>/snapshots');
    assert.ok(!existsSync(join(dataDir, 'state')), 'no <dataDir>/state');
    assert.ok(!existsSync(join(dataDir, '.headers')), 'no <dataDir>/.headers');
    assert.equal(readdirSync(dataDir).filter((n) => !n.startsWith('sensorctl.db')), []);
    // Everything the builds write is under the snapshot dir.
    // ONE file per window (metas, payloads and rollup state together), nothing else.
    assert.equal(readdirSync(join(snapDir, 'snapshots', 'pi')).sort(), WINDOW_NAMES.map((w) => windowObjectKey(w)).sort());
    assert.ok(!existsSync(join(snapDir, 'state')), `no state/ beside the window objects: ${readdirSync(snapDir).join(', ')}`);
    const store = new FsObjectStore(snapDir);
    const object = (await readWindowObject(store, devicePrefix('pi'), '1h'))!;
    assert.ok(object.state()!.byteLength > 0, 'the 1h rollup state is in its window object');
    for (const g of GRANULARITIES) assert.is(object.metas.get(g)!.generatedAt, new Date(T0 + 2 * 60_000).toISOString(), `the latest 1h build is there (${g})`);
    const stored = JSON.parse(gunzipSync(payloadObjectOf(object, devicePrefix('pi'), 100)!.body).toString('utf8')) as Payload;
    // The API serves that snapshot.
    const res = await fetch(`${d.url.replace(/\/$/, '')}/samples/latest?window=1h&samples=100`);
    assert.is(res.status, 200, await res.clone().text());
    const served = (await res.json()) as Payload;
    assert.is(served.generatedAt, stored.generatedAt);
    assert.equal(served.series.map((s) => [s.id, s.points.length]), stored.series.map((s) => [s.id, s.points.length]));
    assert.ok(served.series.length > 0 && served.series[0].points.length > 0, 'samples were built');
    // status and doctor read the same directory.
    const status = await collectSnapshots(snapDir, 'pi', T0 + 2 * 60_000);
    assert.is(status.length, 24);
    assert.ok(status.every((s) => s.isBuilt && !s.isStale), JSON.stringify(status.filter((s) => !s.isBuilt || s.isStale)));
    const facts = await gatherFacts({ hwRoot: dataDir, dataDir, snapshotDir: snapDir, nowMs: T0 + 2 * 60_000, sensors: [], cloud: undefined });
    assert.is(facts.snapshotMetas.length, 24);
    assert.is(evaluate(facts).find((c) => c.id === 'snapshots')!.status, 'ok');
  } finally {
    await d.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(snapDir, { recursive: true, force: true });
  }
});

snapshotDir('an upgraded Pi: the first builds delete the earlier per-snapshot layout\'s files and say so in the journal', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sensorctl-snapdir-upgrade-'));
  const old = join(dataDir, 'snapshots', 'pi');
  mkdirSync(old, { recursive: true });
  const legacy = ['latest_1h_20.meta.json', 'latest_1h_20.v1700000000000-0123456789abcdef.json', 'latest_10d_500.json', 'notes.txt'];
  for (const name of legacy) writeFileSync(join(old, name), '{}');
  const time = new VirtualTime(T0);
  const log = recordingLogger();
  const config = parseConfig({ deviceId: 'pi', http: { port: 0 } }, 'pi');
  const d = await startDaemon({ config, dataDir, log, time: { clock: time, timers: time, timeZone: 'UTC' } });
  try {
    await d.firstBuild;
    assert.equal(readdirSync(old).sort(), [...WINDOW_NAMES.map((w) => windowObjectKey(w)), 'notes.txt'].sort(), 'the old files gone, a file of the user kept');
    const said = log.lines.map((l, i) => [l, log.fields[i]] as const).filter(([l]) => l.startsWith('info deleted the files of the earlier per-snapshot layout'));
    assert.is(said.reduce((n, [, f]) => n + (f!.files as number), 0), 3, log.lines.join('\n'));
  } finally {
    await d.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

snapshotDir.run();
