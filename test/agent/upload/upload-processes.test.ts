/**
 * The uploader as real child processes on one WAL database: SIGKILLed at random moments, two
 * uploaders at once, and a sampler writing while uploaders lease and ack (field cases 2 and 3).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startDynalite, type DynaliteHandle } from '../../support/dynalite.js';
import type { Fault } from '../../support/fault-proxy.js';
import { startHarness, type Harness } from '../../support/upload-harness.js';
import { BME280_SERIES, DEVICE_ID, diffItems, dynamoItems, loadBme280Month, sqliteItems } from '../../support/upload-fixture.js';

const CHILD = new URL('../../support/upload-child.ts', import.meta.url).pathname;
const ROOT = new URL('../../../', import.meta.url).pathname;
const KILL_ROUNDS = Number(process.env.UPLOAD_KILL_ROUNDS ?? 20);

function child(env: Record<string, string>): { proc: ChildProcess; lines: string[]; line: (re: RegExp) => Promise<string>; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<[RegExp, (l: string) => void]> = [];
  let buf = '';
  let errText = '';
  proc.stderr!.on('data', (d) => (errText += d));
  proc.stdout!.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(l);
      for (const w of [...waiters]) if (w[0].test(l)) waiters.splice(waiters.indexOf(w), 1), w[1](l);
    }
  });
  const exit = new Promise<number | null>((resolve) =>
    proc.on('close', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(errText);
      for (const w of waiters) w[1]('(exited)');
      resolve(code);
    }),
  );
  return {
    proc,
    lines,
    line: (re) => new Promise((resolve) => {
      const hit = lines.find((l) => re.test(l));
      if (hit) resolve(hit);
      else waiters.push([re, resolve]);
    }),
    exit,
  };
}

/** Deterministic pseudo-random numbers (mulberry32) so a failing round can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTH = loadBme280Month('2019/09');
let dyn: DynaliteHandle;

async function assertEqual(h: Harness, label: string) {
  const diff = diffItems(sqliteItems(h.db, DEVICE_ID), await dynamoItems(h.dynalite.client, h.table, DEVICE_ID));
  assert.is(diff, undefined, label);
}

const kill = suite('uploader process SIGKILLed');
kill.before(async () => void (dyn = await startDynalite()));
kill.after(async () => dyn.close());

kill(`killed at random moments over ${KILL_ROUNDS} runs: after each, DynamoDB equals SQLite exactly`, async () => {
  const seed = Number(process.env.UPLOAD_KILL_SEED ?? 20261130);
  const rnd = random(seed);
  const h = await startHarness(BME280_SERIES, [], dyn);
  const extra = { ...BME280_SERIES[0], seriesId: 'bme280-76.dewPointC', metric: 'dewPointC' };
  h.buffer.defineSeries([extra]);
  const slice = Math.floor(MONTH.length / KILL_ROUNDS);
  // Faults all along: some batches half unprocessed, some throttled, some delayed so batches are in flight.
  h.proxy.setPlan((c): Fault => {
    if (c.operation !== 'BatchWriteItem') return { kind: 'pass' };
    const r = rnd();
    if (r < 0.1) return { kind: 'unprocessed', keep: Math.floor(c.keys.length / 2), delayMs: 5 };
    if (r < 0.15) return { kind: 'error', status: 400, type: 'com.amazon.coral.availability#ThrottlingException' };
    // 20–60 ms per batch: ~27 batches at 3 in flight keep the child busy for ≥ 180 ms after `started`,
    // longer than the ≤ 150 ms kill delay below, so the kill lands mid-upload whatever the machine load.
    return { kind: 'pass', delayMs: 20 + Math.floor(rnd() * 40) };
  });
  let kills = 0;
  let midBatch = 0;
  try {
    for (let round = 0; round < KILL_ROUNDS; round++) {
      h.buffer.insert(DEVICE_ID, MONTH.slice(round * slice, (round + 1) * slice));
      // A late series value at instants already uploaded: a new version of those items.
      if (round > 0) {
        const earlier = MONTH.slice((round - 1) * slice, round * slice).filter((_, i) => i % 17 === 0);
        h.buffer.insert(DEVICE_ID, earlier.map((s) => ({ seriesId: extra.seriesId, tsMs: s.tsMs, value: Math.round(s.value) / 3 })));
      }
      const c = child({ CHILD_MODE: 'upload', CHILD_DB: h.dbPath, CHILD_ENDPOINT: h.proxy.endpoint, CHILD_TABLE: h.table, CHILD_BATCH: '10', CHILD_IN_FLIGHT: '3', CHILD_LEASE_MS: '60000' });
      await c.line(/^started/);
      await new Promise((r) => setTimeout(r, Math.floor(rnd() * 150)));
      if (c.proc.exitCode === null && c.proc.kill('SIGKILL')) kills++;
      await c.exit;
      if (h.queue.backlog(Date.now()).leased > 0) midBatch++; // the kill left leased items behind: it hit batches in flight
      // Recovery: the next uploader (here in-process) sees the dead process's leases expired.
      const summary = await h.uploader({}, () => Date.now() + 120_000).runOnce({});
      assert.is(summary.remaining.items, 0, `round ${round} (seed ${seed}) drained`);
      await assertEqual(h, `round ${round} (seed ${seed})`);
    }
    assert.ok(kills >= KILL_ROUNDS * 0.8, `${kills} of ${KILL_ROUNDS} runs were killed mid-upload`);
    assert.ok(midBatch >= KILL_ROUNDS / 2, `${midBatch} kills hit leased batches`);
    assert.is(h.queue.rejected().length, 0);
    process.stdout.write(`[kill test] ${kills} SIGKILLs over ${KILL_ROUNDS} runs (${midBatch} with batches in flight), zero loss, seed ${seed}\n`);
  } finally {
    await h.close();
  }
});

const two = suite('two uploader processes on one database');
two.before(async () => void (dyn = await startDynalite()));
two.after(async () => dyn.close());

two('field case 2: row leases keep any item out of two in-flight batches at once', async () => {
  const h = await startHarness(BME280_SERIES, MONTH.slice(0, 3000), dyn);
  try {
    h.proxy.setPlan((c): Fault => (c.operation === 'BatchWriteItem' ? { kind: 'pass', delayMs: 10 } : { kind: 'pass' }));
    const env = { CHILD_MODE: 'upload', CHILD_DB: h.dbPath, CHILD_ENDPOINT: h.proxy.endpoint, CHILD_TABLE: h.table, CHILD_BATCH: '10', CHILD_IN_FLIGHT: '3' };
    const [a, b] = [child(env), child(env)];
    assert.equal(await Promise.all([a.exit, b.exit]), [0, 0]);
    const written = [a, b].map((c) => JSON.parse(c.lines.find((l) => l.startsWith('done '))!.slice(5)).written as number);
    assert.ok(written[0] > 0 && written[1] > 0, `both processes uploaded (${written})`);
    const calls = h.proxy.calls.filter((c) => c.keys.length > 1);
    for (let i = 0; i < calls.length; i++) {
      for (let j = i + 1; j < calls.length; j++) {
        const overlap = calls[i].startMs < calls[j].endMs && calls[j].startMs < calls[i].endMs;
        if (!overlap) continue;
        const shared = calls[i].keys.filter((k) => calls[j].keys.includes(k));
        assert.equal(shared, [], 'two in-flight batches shared keys');
      }
    }
    assert.is(written[0] + written[1], sqliteItems(h.db, DEVICE_ID).size, 'every item sent exactly once overall');
    await assertEqual(h, 'two processes');
  } finally {
    await h.close();
  }
});

two('field case 3: a sampler and two uploaders share the WAL file; no busy failure, no lost insert', async () => {
  const h = await startHarness(BME280_SERIES, MONTH.slice(0, 300), dyn);
  try {
    const total = 3000;
    const startMs = MONTH[MONTH.length - 1].tsMs + 60_000;
    const up = { CHILD_MODE: 'upload', CHILD_DB: h.dbPath, CHILD_ENDPOINT: h.proxy.endpoint, CHILD_TABLE: h.table, CHILD_BATCH: '5', CHILD_IN_FLIGHT: '2', CHILD_IDLE_RUNS: '20' };
    const sampler = child({ CHILD_MODE: 'sample', CHILD_DB: h.dbPath, CHILD_SAMPLES: String(total), CHILD_PER_TX: '3', CHILD_START_MS: String(startMs), CHILD_DEVICE: DEVICE_ID, CHILD_SERIES: 'bme280-76.tempC' });
    const uploaders = [child(up), child(up)];
    assert.is(await sampler.exit, 0);
    assert.is(sampler.lines.find((l) => l.startsWith('done ')), `done ${total}`);
    assert.equal(await Promise.all(uploaders.map((u) => u.exit)), [0, 0]);
    const stored = h.db.prepare('SELECT count(*) AS n FROM samples WHERE ts_ms >= ?').get(startMs) as { n: number };
    assert.is(stored.n, total, 'every sampler insert is stored');
    await h.uploader().runOnce();
    await assertEqual(h, 'after the sampler and two uploaders');
  } finally {
    await h.close();
  }
});

kill.run();
two.run();
