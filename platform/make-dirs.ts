/**
 * Create a directory and its missing parents, one level at a time, with an error that says which
 * part of the path was wrong.
 *
 * Why not `mkdir(dir, { recursive: true })`: on Node 20–24 it never returns where `mkdir` answers
 * ENOENT under a parent that exists (a kernel pseudo-filesystem: `--data-dir /proc/x` hung
 * `sensorctl run` silently, sync and async alike), and a file in the way gives a bare EEXIST/ENOTDIR.
 */
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** A directory could not be made. `path`: the directory asked for; `at`: the part of it that failed; `code`: the errno name. */
export class MakeDirError extends Error {
  constructor(readonly path: string, readonly at: string, readonly code: string) {
    super(`cannot create directory ${path}: ${reasonOf(at, code)}`);
    this.name = 'MakeDirError';
  }
}

function reasonOf(at: string, code: string): string {
  switch (code) {
    case 'ENOTDIR': return `${at} is a file, not a directory`;
    case 'ENOENT': return `${dirname(at)} does not accept new directories (a kernel pseudo-filesystem such as /proc or /sys?)`;
    case 'EACCES': case 'EPERM': return `permission denied creating ${at}`;
    case 'EROFS': return `${dirname(at)} is on a read-only file system`;
    case 'ENOSPC': return `no space left on the device of ${dirname(at)}`;
    default: return `${code} creating ${at}`;
  }
}

const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'EIO';

/** `dir` and its ancestors, the root first. */
function chain(dir: string): string[] {
  const out: string[] = [];
  for (let p = resolve(dir); ; p = dirname(p)) {
    out.unshift(p);
    if (dirname(p) === p) return out;
  }
}

/** Make `dir` (absolute or relative to the cwd) and its missing parents. @throws {MakeDirError} */
export function makeDirsSync(dir: string): void {
  for (const p of chain(dir)) {
    let isDir: boolean | undefined;
    try { isDir = statSync(p).isDirectory(); } catch (err) { if (codeOf(err) !== 'ENOENT') throw new MakeDirError(dir, p, codeOf(err)); }
    if (isDir === false) throw new MakeDirError(dir, p, 'ENOTDIR');
    if (isDir) continue;
    try { mkdirSync(p); } catch (err) { if (codeOf(err) !== 'EEXIST') throw new MakeDirError(dir, p, codeOf(err)); }
  }
}

/** `makeDirsSync`, without blocking the event loop. @throws {MakeDirError} */
export async function makeDirs(dir: string): Promise<void> {
  for (const p of chain(dir)) {
    let isDir: boolean | undefined;
    try { isDir = (await stat(p)).isDirectory(); } catch (err) { if (codeOf(err) !== 'ENOENT') throw new MakeDirError(dir, p, codeOf(err)); }
    if (isDir === false) throw new MakeDirError(dir, p, 'ENOTDIR');
    if (isDir) continue;
    try { await mkdir(p); } catch (err) { if (codeOf(err) !== 'EEXIST') throw new MakeDirError(dir, p, codeOf(err)); }
  }
}
