/**
 * Drives an `ImportSession` over input files read from disk: plans each file from its first lines,
 * feeds every line with its number, reports progress in bytes. With `rebaseToNowMs` it first makes a
 * dry pass to find the newest valid sample, then imports with every timestamp shifted so that sample
 * lands at that instant.
 */
import type { ImportOptions } from './plan.js';
import { ImportSession, type ImportReport, type ImportSink } from './importer.js';
import { NotTextError, readLineChunks, type InputFile } from './input-files.js';

/** Lines given to the planner (header plus data rows for detection; enough to pass a run of empty values at the start of a month). */
export const PLAN_HEAD_LINES = 500;

export interface RunImportOptions {
  deviceId: string;
  options: ImportOptions;
  sink: ImportSink;
  /** With `--rebase-to-now`: the instant (epoch ms) the newest valid sample is moved to. */
  rebaseToNowMs?: number;
  /** Progress: bytes done of all files, and the file being read. */
  onProgress?: (doneBytes: number, file: InputFile, pass: 'scan' | 'import') => void;
  /** Called once per file after planning, with the plan or the reason it was skipped. */
  onFile?: (file: InputFile, planned: ReturnType<ImportSession['beginFile']>) => void;
}

async function pass(files: readonly InputFile[], session: ImportSession, options: RunImportOptions, which: 'scan' | 'import'): Promise<ImportReport> {
  let done = 0;
  for (const file of files) {
    let lineNo = 0;
    let head: string[] | undefined = [];
    const feed = (lines: string[]) => {
      session.lines(lines, lineNo + 1);
      lineNo += lines.length;
    };
    const begin = (lines: string[]) => {
      const planned = session.beginFile(file.label, lines);
      if (which === 'import') options.onFile?.(file, planned);
    };
    try {
      for await (const lines of readLineChunks(file.path, (b) => options.onProgress?.(done + Math.min(b, file.bytes), file, which))) {
        if (head) {
          head.push(...lines);
          if (head.length < PLAN_HEAD_LINES) continue;
          begin(head.slice(0, PLAN_HEAD_LINES));
          feed(head);
          head = undefined;
        } else feed(lines);
      }
    } catch (err) {
      if (!(err instanceof NotTextError)) throw err;
      const skipped = session.skipFile(file.label, err.reason);
      if (which === 'import') options.onFile?.(file, skipped);
      head = undefined;
    }
    if (head) {
      begin(head);
      feed(head);
    }
    session.endFile();
    done += file.bytes;
    options.onProgress?.(done, file, which);
  }
  return session.finish();
}

/**
 * Import `files` into `sink`. Faults are in the report; files that are not text, empty, header only or
 * without a readable timestamp are listed in `skippedFiles`; only unreadable input throws.
 * @throws {ImportInputError} when a file cannot be read.
 */
export async function runImport(files: readonly InputFile[], options: RunImportOptions): Promise<ImportReport> {
  let offsetMs = 0;
  if (options.rebaseToNowMs !== undefined) {
    const scan = new ImportSession(options.options, options.deviceId, undefined);
    await pass(files, scan, options, 'scan');
    if (scan.newestValidTsMs !== undefined) offsetMs = options.rebaseToNowMs - scan.newestValidTsMs;
  }
  return pass(files, new ImportSession(options.options, options.deviceId, options.sink, offsetMs), options, 'import');
}
