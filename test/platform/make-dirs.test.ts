/**
 * makeDirs / makeDirsSync on the real file system, and `sensorctl run|import --data-dir` on a path that
 * cannot be a directory. Before the fix `sensorctl run --data-dir /proc/x` hung with no output (Node's
 * recursive mkdir loops where mkdir answers ENOENT under an existing parent) and a file in the way
 * printed a bare `EEXIST: file already exists, mkdir` with exit 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MakeDirError, makeDirs, makeDirsSync } from '../../platform/make-dirs.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const dirs = suite('makeDirs');
const tmp = mkdtempSync(join(tmpdir(), 'sensorctl-mkdirs-'));
// Removed after the last suite (the CLI suite uses the same file in the way).
writeFileSync(join(tmp, 'afile'), 'x');

const errorOf = (f: () => void): MakeDirError => {
  try { f(); } catch (err) { if (err instanceof MakeDirError) return err; throw err; }
  throw new Error('no error');
};
const asyncErrorOf = async (p: Promise<void>): Promise<MakeDirError> => {
  try { await p; } catch (err) { if (err instanceof MakeDirError) return err; throw err; }
  throw new Error('no error');
};

dirs('makes every missing level, and again without error', async () => {
  makeDirsSync(join(tmp, 'a/b/c'));
  assert.ok(statSync(join(tmp, 'a/b/c')).isDirectory());
  makeDirsSync(join(tmp, 'a/b/c'));
  await makeDirs(join(tmp, 'x/y'));
  await makeDirs(join(tmp, 'x/y'));
  assert.ok(statSync(join(tmp, 'x/y')).isDirectory());
});

dirs('a file in the way is named, sync and async, at the data dir itself or a parent', async () => {
  for (const [path, at] of [[join(tmp, 'afile'), join(tmp, 'afile')], [join(tmp, 'afile/sub'), join(tmp, 'afile')]]) {
    const e = errorOf(() => makeDirsSync(path));
    assert.equal([e.code, e.at, e.message], ['ENOTDIR', at, `cannot create directory ${path}: ${at} is a file, not a directory`]);
    assert.is((await asyncErrorOf(makeDirs(path))).message, e.message);
  }
});

dirs('under /proc: an error at once (Node\'s recursive mkdir never returns there)', async () => {
  if (!existsSync('/proc/self')) return void console.log('  (no /proc here: skipped)');
  const e = errorOf(() => makeDirsSync('/proc/sensorctl-x/y'));
  assert.equal([e.code, e.at], ['ENOENT', '/proc/sensorctl-x']);
  assert.match(e.message, /^cannot create directory \/proc\/sensorctl-x\/y: \/proc does not accept new directories/);
  assert.is((await asyncErrorOf(makeDirs('/proc/sensorctl-x'))).code, 'ENOENT');
});

const cli = suite('sensorctl --data-dir that cannot be a directory');
const sensorctl = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
cli.after(() => rmSync(tmp, { recursive: true, force: true }));

cli('run and import exit 2 with the reason, at once (run hung on /proc/x, a file gave a bare EEXIST)', () => {
  const cases: Array<[string[], RegExp]> = [
    [['run', '--data-dir', join(tmp, 'afile')], /^sensorctl: cannot create directory .*afile: .*afile is a file, not a directory\n$/],
    [['import', join(tmp, 'afile'), '--data-dir', join(tmp, 'afile/db')], /^sensorctl: cannot create directory .*afile\/db: .*afile is a file, not a directory\n$/],
  ];
  if (existsSync('/proc/self')) cases.push([['run', '--data-dir', '/proc/sensorctl-x'], /^sensorctl: cannot create directory \/proc\/sensorctl-x: \/proc does not accept new directories/]);
  for (const [args, stderr] of cases) {
    const r = sensorctl(...args);
    assert.is(r.signal, null, `${args.join(' ')}: killed by the timeout (hung)`);
    assert.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, stderr);
  }
});

dirs.run();
cli.run();
