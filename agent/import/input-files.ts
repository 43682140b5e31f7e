/**
 * Filesystem adapter of the importer: expands the PATH arguments into files (folders walked
 * recursively, entries in byte order of their names, so `2017/02` comes before `2017/10`) and reads
 * a file as chunks of lines. Unreadable input is the only fatal import error.
 */
import { accessSync, constants, createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

/**
 * A path that cannot be read: missing, a permission error, not a file or folder.
 * `isPathArgument` is true when the PATH given on the command line itself is wrong (a usage error).
 */
export class ImportInputError extends Error {
  constructor(readonly path: string, message: string, options?: ErrorOptions & { isPathArgument?: boolean }) {
    super(`${path}: ${message}`, options);
    this.name = new.target.name;
    this.isPathArgument = options?.isPathArgument ?? false;
  }
  readonly isPathArgument: boolean;
}

/** A file whose first bytes are not UTF-8 text (a NUL byte or an invalid sequence): skipped, not fatal. */
export class NotTextError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`${path}: ${reason}`);
    this.name = new.target.name;
  }
}

/** A file-system error as a sentence (`no such file or directory`), from its POSIX code (errno(3)). */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a folder where a file was expected';
    case 'ENOTDIR': return 'a part of the path is a file, not a folder';
    case 'ELOOP': return 'too many symbolic links (a link loop)';
    case 'ENAMETOOLONG': return 'path too long';
    case 'EMFILE': case 'ENFILE': return 'too many open files';
    case 'EIO': return 'input/output error while reading';
    default: return (err as Error | undefined)?.message ?? String(err);
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
    throw new ImportInputError(dir, `cannot list folder: ${describeFsError(err)}`, { cause: err });
  }
  for (const name of names) {
    if (SKIPPED_NAMES.test(name)) continue;
    const path = join(dir, name);
    let st;
    try {
      st = statSync(path);
    } catch (err) {
      throw new ImportInputError(path, describeFsError(err), { cause: err });
    }
    if (st.isDirectory()) walk(path, root, out);
    else if (st.isFile()) out.push({ path, label: relative(root, path), bytes: st.size });
  }
}

/**
 * Files named by `paths`, in argument order, each folder's files in path order.
 * @throws {ImportInputError} with `isPathArgument` when a path does not exist, cannot be read or is
 * neither file nor folder; without it when an entry inside a folder cannot be read.
 */
export function listInputFiles(paths: readonly string[]): InputFile[] {
  const out: InputFile[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      throw new ImportInputError(p, describeFsError(err), { cause: err, isPathArgument: true });
    }
    try {
      accessSync(p, constants.R_OK);
    } catch (err) {
      throw new ImportInputError(p, describeFsError(err), { cause: err, isPathArgument: true });
    }
    if (st.isDirectory()) walk(p, p, out);
    else if (st.isFile()) out.push({ path: p, label: basename(p), bytes: st.size });
    else throw new ImportInputError(p, 'neither a file nor a folder (a device, socket or pipe)', { isPathArgument: true });
  }
  return out;
}

/** Bytes of the first chunk checked for text: a NUL byte or invalid UTF-8 there means "not a text log". */
export const TEXT_CHECK_BYTES = 64 * 1024;

/**
 * Read `path` as UTF-8 in chunks of whole lines (LF or CRLF; the line end is removed; a leading
 * byte-order mark is dropped). Invalid UTF-8 after the first `TEXT_CHECK_BYTES` becomes U+FFFD
 * (the line then reads as malformed).
 * @param onBytes called with the bytes of the file read so far after each chunk (progress).
 * @throws {NotTextError} before yielding anything when the first bytes hold a NUL byte or invalid UTF-8.
 * @throws {ImportInputError} when the file cannot be opened or read.
 */
export async function* readLineChunks(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<string[]> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let rest = '';
  let bytes = 0;
  try {
    for await (const buf of stream as AsyncIterable<Buffer>) {
      if (bytes === 0) {
        const head = buf.subarray(0, TEXT_CHECK_BYTES);
        if (head.includes(0)) throw new NotTextError(path, 'not a text log: binary data (a NUL byte in the first bytes)');
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
        } catch {
          throw new NotTextError(path, 'not a text log: not UTF-8 text');
        }
      }
      bytes += buf.length;
      const lines = (rest + decoder.decode(buf, { stream: true })).split('\n');
      rest = lines.pop()!;
      onBytes?.(bytes);
      yield lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    }
    rest += decoder.decode();
  } catch (err) {
    if (err instanceof NotTextError) throw err;
    throw new ImportInputError(path, `cannot read: ${describeFsError(err)}`, { cause: err });
  } finally {
    stream.destroy();
  }
  if (rest !== '') yield [rest.endsWith('\r') ? rest.slice(0, -1) : rest];
}
