/**
 * A small file system for disk-full tests: a tmpfs of `bytes` mounted on `dir` (needs root, or
 * CAP_SYS_ADMIN). `fill()` writes a filler file until the file system refuses (ENOSPC) and returns a
 * function that deletes it again (space returns). Returns undefined when mounting is not allowed; the
 * caller says that it skipped (the sampler's disk-full policy is also tested without a mount).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export function mountSmallDisk(dir: string, bytes: number): { release(): void; fill(): () => void } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch {
    return undefined;
  }
  return {
    release: () => execFileSync('umount', [dir], { stdio: 'pipe' }),
    fill: () => {
      const path = join(dir, 'filler');
      const fd = openSync(path, 'w');
      for (const chunk of [65_536, 4_096, 512, 1]) {
        const b = Buffer.alloc(chunk, 1);
        try {
          for (;;) writeSync(fd, b);
        } catch (err) {
          if ((err as { code?: string }).code !== 'ENOSPC') throw err;
        }
      }
      closeSync(fd);
      return () => unlinkSync(path);
    },
  };
}
