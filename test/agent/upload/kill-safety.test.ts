/**
 * A writer SIGKILLed at random moments: after each reopen the file passes `PRAGMA integrity_check`,
 * every batch the child reported committed is there in full, and no batch is there in part.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import { openDatabase } from '../../../sqlite/sqlite-db.js';

const RUNS = Number(process.env.KILL_RUNS ?? 20);
const BATCH_ROWS = 500;
const CHILD = fileURLToPath(new URL('../../support/kill-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kill-safety-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Deterministic delays (ms) so a failure can be replayed: a small LCG seeded per run. */
const delayOf = (run: number) => ((run * 1_103_515_245 + 12_345) % 2 ** 31) % 400;

function runChildAndKill(dbPath: string, delayMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (!timer && out.includes('committed ')) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child exited ${code} ${signal}: ${err}`));
      resolve([...out.matchAll(/^committed (\d+)$/gm)].map((m) => Number(m[1])));
    });
  });
}

const kill = suite('SqliteBuffer under SIGKILL');

kill(`loses no committed batch and stays intact over ${RUNS} random kills`, async () => {
  const path = join(dir, 'kill.db');
  const reported = new Set<number>();
  for (let run = 0; run < RUNS; run++) {
    for (const k of await runChildAndKill(path, delayOf(run))) reported.add(k);
    const db = openDatabase(path);
    const b = SqliteBuffer.openOn(db);
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `run ${run}`);
      const perBatch = new Map<number, number>();
      for (const [k, n] of db.prepare(`SELECT ts_ms / ${BATCH_ROWS} AS k, count(*) AS n FROM samples GROUP BY k`).raw().all() as Array<[number, number]>) perBatch.set(k, n);
      for (const k of reported) assert.is(perBatch.get(k), 2 * BATCH_ROWS, `run ${run}: reported batch ${k} present in full`);
      for (const [k, n] of perBatch) assert.is(n, 2 * BATCH_ROWS, `run ${run}: batch ${k} is all or nothing`);
    } finally {
      b.close();
    }
  }
  console.log(`kill-safety: ${RUNS} SIGKILLs, ${reported.size} batches reported committed (${reported.size * 2 * BATCH_ROWS} samples), 0 lost, integrity ok after each`);
  assert.ok(reported.size >= RUNS, `at least one batch per run committed (${reported.size})`);
});
kill.run();
