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
  /** Modification time of the file sent (the `.gz` copy's when gzip), epoch ms. */
  lastModifiedMs: number;
  /** Path below the root, `/`-separated, of the file named (`/index.html` for `/`). */
  path: string;
}

/** Asset names the page build gives content hashes (`app.<10 hex>.js`): they never change, so they are cached for a year. */
export const HASHED_ASSET_PATTERN = /\.[0-9a-f]{10}\.(js|css)$/;

/**
 * Validators of a static file: a strong ETag from size and mtime (with `-gz` for the gzip copy, so each
 * representation has its own tag) and its mtime as `Last-Modified`.
 */
export function staticValidators(file: StaticFile): { etag: string; lastModified: string } {
  const tag = `${file.body.byteLength.toString(16)}-${Math.floor(file.lastModifiedMs).toString(16)}${file.contentEncoding ? '-gz' : ''}`;
  return { etag: `"${tag}"`, lastModified: new Date(file.lastModifiedMs).toUTCString() };
}

/** `Cache-Control` of hashed assets (a year, never revalidated) and of every other page file (revalidate each time); the cloud stack sends the same. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
export const REVALIDATE_CACHE_CONTROL = 'no-cache';

/** `Cache-Control` of a static file: a year, immutable, for hashed asset names; else revalidate each time (`no-cache`). */
export function staticCacheControl(file: StaticFile): string {
  return HASHED_ASSET_PATTERN.test(file.path) ? IMMUTABLE_CACHE_CONTROL : REVALIDATE_CACHE_CONTROL;
}

/** The `<file>.gz` copy beside `real`, when it is a regular file. */
async function gzipCopy(real: string): Promise<{ body: Uint8Array; mtimeMs: number } | undefined> {
  try {
    const st = await stat(real + '.gz');
    if (!st.isFile()) return undefined;
    return { body: await readFile(real + '.gz'), mtimeMs: st.mtimeMs };
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
    const st = await stat(real);
    if (!real.startsWith(root + sep) || !st.isFile()) return undefined;
    const contentType = CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream';
    const named = file.slice(root.length).split(sep).join('/');
    const gz = acceptsGzip ? await gzipCopy(real) : undefined;
    if (gz) return { body: gz.body, contentType, contentEncoding: 'gzip', lastModifiedMs: gz.mtimeMs, path: named };
    return { body: await readFile(real), contentType, lastModifiedMs: st.mtimeMs, path: named };
  } catch {
    return undefined; // ENOENT, EACCES, ENOTDIR: not a file we serve
  }
}
