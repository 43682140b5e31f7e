#!/usr/bin/env node
// Runs every `test/**/*.test.ts` file with uvu in its own Node process (tsx loader), two at a time,
// and ends with one plain line `N passed, N failed` (N counts uvu tests; a file that crashes or
// times out counts as one failure). Exit code 1 when anything failed.
// Usage: node scripts/run-tests.mjs [path-substring ...]
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';

const ROOT = new URL('..', import.meta.url).pathname;
const FILE_TIMEOUT_MS = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 600_000);
const filters = process.argv.slice(2);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'fixtures') return [];
    return statSync(path).isDirectory() ? walk(path) : /\.test\.ts$/.test(name) ? [path] : [];
  });
}

// Tests that run bin/sensorctl.js run the compiled CLI in dist/ when it exists: compile it first so
// they never run an older build than the sources under test.
const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
if (built.status !== 0) console.error('run-tests: scripts/build.mjs failed; tests of the compiled CLI will fail');

const files = walk(join(ROOT, 'test'))
  .map((f) => relative(ROOT, f))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n[run-tests] ${file}: killed after ${FILE_TIMEOUT_MS} ms\n`;
      child.kill('SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ file, code, out, ms: Date.now() - started });
    });
  });
}

function count(out, label) {
  // uvu prints e.g. "  Total:     12" / "  Passed:    12" once per file (ANSI codes stripped).
  const re = new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'gm');
  let sum = 0;
  for (const m of out.replace(/\x1b\[[0-9;]*m/g, '').matchAll(re)) sum += Number(m[1]);
  return sum;
}

let passed = 0;
let failed = 0;
let skipped = 0;
const queue = [...files];
const workers = Math.max(1, Math.min(Number(process.env.TEST_JOBS ?? 2), availableParallelism()));
async function worker() {
  for (let file = queue.shift(); file; file = queue.shift()) {
    const r = await runFile(file);
    const total = count(r.out, 'Total');
    const ok = count(r.out, 'Passed');
    const skip = count(r.out, 'Skipped');
    let bad = total - ok; // uvu's Total counts the tests that ran; skipped ones are not in it
    if (r.code !== 0 && bad === 0) bad = 1; // crashed, timed out, or failed outside a test
    if (total === 0 && skip === 0 && r.code === 0) bad = 1, r.out += '\n[run-tests] no test ran in this file\n';
    passed += ok;
    failed += bad;
    skipped += skip;
    const status = bad ? 'FAIL' : 'ok  ';
    process.stdout.write(`${status} ${r.file} (${ok} passed, ${bad} failed, ${(r.ms / 1000).toFixed(1)} s)\n`);
    if (bad || process.env.TEST_VERBOSE) process.stdout.write(r.out.replace(/^/gm, '    | ') + '\n');
  }
}
await Promise.all(Array.from({ length: workers }, worker));
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed || files.length === 0 ? 1 : 0);
