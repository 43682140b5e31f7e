/**
 * Filesystem adapter of the importer: expands the PATH arguments into files (folders walked
 * recursively, entries in byte order of their names, so `2017/02` comes before `2017/10`) and reads
 * a file as chunks of lines. Unreadable input is the only fatal import error.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

/** A path argument that cannot be read: missing, a permission error, not a file or folder. */
export class ImportInputError extends Error {
  constructor(readonly path: string, message: string, options?: ErrorOptions) {
    super(`${path}: ${message}`, options);
    this.name = new.target.name;
  }
}

export interface InputFile {
  path: string;
  /** Short name for reports: relative to the folder argument, or the file's base name. */
  label: string;
  bytes: number;
}

/** Names skipped while walking: documentation that sits next to data (`SOURCE.md`, `LICENSE`, dot files). */
export const SKIPPED_NAMES = /^(\..*|.*\.md|LICENSE(\..*)?|README(\..*)?|COPYING)$/i;

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function walk(dir: string, root: string, out: InputFile[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort(byteOrder);
  } catch (err) {
    throw new ImportInputError(dir, `cannot list folder: ${(err as Error).message}`, { cause: err });
  }
  for (const name of names) {
    if (SKIPPED_NAMES.test(name)) continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) walk(path, root, out);
    else if (st.isFile()) out.push({ path, label: relative(root, path), bytes: st.size });
  }
}

/**
 * Files named by `paths`, in argument order, each folder's files in path order.
 * @throws {ImportInputError} when a path does not exist or is neither file nor folder.
 */
export function listInputFiles(paths: readonly string[]): InputFile[] {
  const out: InputFile[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      throw new ImportInputError(p, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
    if (st.isDirectory()) walk(p, p, out);
    else if (st.isFile()) out.push({ path: p, label: basename(p), bytes: st.size });
    else throw new ImportInputError(p, 'neither a file nor a folder');
  }
  return out;
}

/**
 * Read `path` as UTF-8 in chunks of whole lines (LF or CRLF; the line end is removed; a leading
 * byte-order mark is dropped).
 * @param onBytes called with the bytes read so far after each chunk (progress).
 * @throws {ImportInputError} when the file cannot be opened or read.
 */
export async function* readLineChunks(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<string[]> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      bytes += Buffer.byteLength(chunk);
      const lines = (bytes === Buffer.byteLength(chunk) && chunk.startsWith('\uFEFF') ? chunk.slice(1) : rest + chunk).split('\n');
      rest = lines.pop()!;
      onBytes?.(bytes);
      yield lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    }
  } catch (err) {
    throw new ImportInputError(path, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  if (rest !== '') yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}
