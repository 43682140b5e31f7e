/**
 * Kill safety of publishing (issue 12): a build stopped at any point leaves every built meta naming a
 * payload that exists and matches its sha256, size and versionId. Two ways:
 * 1. in-process and deterministic: the store "dies" after its k-th operation (every later call
 *    rejects, nothing more reaches the directory), for every k of a build;
 * 2. real SIGKILLs of a child process building into a directory, at spread-out moments.
 * Also: hidden temp files of killed atomic writes are swept.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devicePrefix } from '../../builder/constants.js';
import { StoreError } from '../../builder/errors.js';
import type { ObjectHeaders, ObjectStore, PutOptions } from '../../builder/ports.js';
import { runBuild, type BuildDeps } from '../../builder/run-build.js';
import type { Sample } from '../../builder/types.js';
import { FsObjectStore } from '../../platform/fs-object-store.js';
import { MemoryBuffer } from '../support/memory-buffer.js';
import { DEVICE, FakeClock, gauge, silentLog } from '../support/builder-harness.js';
import { publishedProblems } from '../support/published-check.js';

const T0 = Date.parse('2024-03-10T12:00:00Z');
const SERIES = [gauge('a.tempC'), gauge('b.tempC')];
const dir = mkdtempSync(join(tmpdir(), 'publish-kill-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A store that dies after `lives` operations: that call and every later one reject, as after a kill. */
class DyingStore implements ObjectStore {
  ops = 0;
  constructor(readonly inner: ObjectStore, readonly lives = Infinity) {}
  private step(key: string): void {
    if (++this.ops > this.lives) throw new StoreError('any', key, 'process killed (simulated)');
  }
  async put(key: string, body: Uint8Array, headers: ObjectHeaders, options?: PutOptions) {
    this.step(key);
    return this.inner.put(key, body, headers, options);
  }
  async get(key: string, options?: { versionId?: string }) {
    this.step(key);
    return this.inner.get(key, options);
  }
  async head(key: string) {
    this.step(key);
    return this.inner.head(key);
  }
  async delete(key: string) {
    this.step(key);
    return this.inner.delete(key);
  }
  async list(prefix: string) {
    this.step(prefix);
    return this.inner.list(prefix);
  }
}

function samplesUntil(toMs: number): Sample[] {
  const out: Sample[] = [];
  for (let ts = T0 - 2 * 86_400_000; ts <= toMs; ts += 60_000) for (const s of SERIES) out.push({ seriesId: s.seriesId, tsMs: ts, value: 20 + ((ts / 60_000) % 11) });
  return out;
}

const crash = suite('runBuild killed after each store operation (in-process)');

crash('every built meta names a payload matching its sha256, size and versionId, whatever operation the kill follows', async () => {
  const root = join(dir, 'in-process');
  const fs = new FsObjectStore(root);
  const source = MemoryBuffer.holding(SERIES, samplesUntil(T0));
  // A build of 1h and 1d: 8 snapshots in two window objects.
  const clock = new FakeClock(T0);
  const deps = (store: ObjectStore): BuildDeps => ({ source, store, clock, log: silentLog, deviceId: DEVICE, builder: 'pi' });
  const windows = ['1h', '1d'] as const;
  const healthy = new DyingStore(fs);
  assert.ok((await runBuild(deps(healthy), { windows })).ok);
  const opsPerBuild = healthy.ops;
  // The first build of 1h and 1d: 2 GETs of their window objects (state), 2 PUTs (one per window), 4 GETs
  // of the other windows' objects (their cursors, before releasing the journal), 1 LIST (the sweep of
  // the earlier layout's keys, as no window object existed).
  assert.is(opsPerBuild, 9);
  for (let k = 0; k <= opsPerBuild; k++) {
    clock.tsMs += 61_000;
    source.insert(DEVICE, SERIES.map((s) => ({ seriesId: s.seriesId, tsMs: clock.tsMs - 1000, value: k })));
    await runBuild(deps(new DyingStore(fs, k)), { windows });
    const { problems, built } = await publishedProblems(fs, devicePrefix(DEVICE));
    assert.equal(problems, [], `killed after operation ${k} of ${opsPerBuild}`);
    assert.is(built, 8);
  }
  clock.tsMs += 5 * 61_000;
  assert.ok((await runBuild(deps(fs), { windows })).ok);
  clock.tsMs += 5 * 61_000;
  assert.ok((await runBuild(deps(fs), { windows })).ok);
  assert.equal((await publishedProblems(fs, devicePrefix(DEVICE))).problems, []);
  assert.equal(await fs.list(devicePrefix(DEVICE)), [`${devicePrefix(DEVICE)}latest_1d.snapshots`, `${devicePrefix(DEVICE)}latest_1h.snapshots`], 'one window object per window, nothing else');
});

crash.run();

const CHILD = fileURLToPath(new URL('../support/build-child.ts', import.meta.url));
const KILLS = Number(process.env.PUBLISH_KILLS ?? 12);
/** Deterministic delays (ms) so a failure can be replayed. */
const delayOf = (run: number) => ((run * 1_103_515_245 + 12_345) % 2 ** 31) % 700;

function buildAndKill(root: string, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (!timer && out.includes('built 0')) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child exited ${code} ${signal}: ${err}`));
      resolve([...out.matchAll(/^built (\d+)$/gm)].length);
    });
  });
}

const sigkill = suite('runBuild under SIGKILL (child process, directory store)');

sigkill(`leaves every built meta matching its payload over ${KILLS} kills at spread-out moments`, async () => {
  const root = join(dir, 'sigkill');
  let builds = 0;
  for (let run = 0; run < KILLS; run++) {
    builds += await buildAndKill(root, delayOf(run));
    const { problems, built } = await publishedProblems(new FsObjectStore(root), devicePrefix(DEVICE));
    assert.equal(problems, [], `kill ${run} (after ${delayOf(run)} ms)`);
    assert.is(built, 8);
  }
  assert.ok(builds > KILLS, `the children built (${builds} builds)`);
});

sigkill.run();

const sweep = suite('FsObjectStore temp files');

sweep('a killed atomic write leaves a hidden .<hex>.tmp file that the next write into that directory sweeps (older than a minute only)', async () => {
  const root = join(dir, 'sweep');
  const first = new FsObjectStore(root);
  await first.put('snapshots/dev1/a.json', new Uint8Array([1]), { contentType: 'application/json' });
  const d = join(root, 'snapshots', 'dev1');
  const old = join(d, '.0123456789ab.tmp');
  const young = join(d, '.ba9876543210.tmp');
  writeFileSync(old, 'partial');
  writeFileSync(young, 'in progress');
  const past = (Date.now() - 5 * 60_000) / 1000;
  utimesSync(old, past, past);
  const second = new FsObjectStore(root); // a new process opening the store
  await second.put('snapshots/dev1/b.json', new Uint8Array([2]), { contentType: 'application/json' });
  assert.not.ok(existsSync(old), 'leftover swept');
  assert.ok(existsSync(young), 'a temp file of a write in progress is kept');
  assert.equal(readdirSync(d).filter((n) => !n.startsWith('.')).sort(), ['a.json', 'b.json']);
});

sweep.run();
