/**
 * Static files of the page (`web/dist`) for the Node adapter: content types by extension, `index.html`
 * for `/`, and no path outside the root (no `..`, no encoded slashes or NUL, no symlink escape).
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

/** Content types of the files the page is built from. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** A file to send, or `undefined` when there is none at that path. */
export interface StaticFile {
  body: Uint8Array;
  contentType: string;
  /** `gzip` when `body` is the pre-compressed `<file>.gz` copy (the page build writes them). */
  contentEncoding?: 'gzip';
}

/** The `<file>.gz` copy beside `real`, when it is a regular file. */
async function gzipCopy(real: string): Promise<Uint8Array | undefined> {
  try {
    if (!(await stat(real + '.gz')).isFile()) return undefined;
    return await readFile(real + '.gz');
  } catch {
    return undefined;
  }
}

function decodedPath(pathname: string): string | undefined {
  try {
    const path = decodeURIComponent(pathname);
    return path.includes('\0') || path.includes('\\') ? undefined : path;
  } catch {
    return undefined;
  }
}

/**
 * Read the file that `pathname` names under `root` (an absolute, real directory path). With
 * `acceptsGzip`, its pre-compressed `<file>.gz` copy is returned instead when one exists.
 * @returns `undefined` for anything that is not a regular file inside `root`.
 */
export async function readStaticFile(root: string, pathname: string, acceptsGzip = false): Promise<StaticFile | undefined> {
  const path = decodedPath(pathname);
  if (path === undefined || path.split('/').includes('..')) return undefined;
  let file = resolve(root, '.' + path);
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    const real = await realpath(file);
    if (!real.startsWith(root + sep) || !(await stat(real)).isFile()) return undefined;
    const contentType = CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream';
    const gz = acceptsGzip ? await gzipCopy(real) : undefined;
    if (gz) return { body: gz, contentType, contentEncoding: 'gzip' };
    return { body: await readFile(real), contentType };
  } catch {
    return undefined; // ENOENT, EACCES, ENOTDIR: not a file we serve
  }
}
