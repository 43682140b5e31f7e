/**
 * Make a directory read-only for a test, the way that really stops writes for the user running it:
 * - not root: `chmod 555` (EACCES on every create);
 * - root (mode bits do not stop root): a read-only bind mount of the directory onto itself (EROFS,
 *   as on an SD card the kernel remounted read-only). Needs CAP_SYS_ADMIN; without it this throws
 *   and says so, rather than letting a test pass on a directory that is still writable.
 * `how` names the method (tests print it); `restore()` undoes it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, openSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

export function makeReadOnly(dir: string): { how: string; restore(): void } {
  let handle: { how: string; restore(): void };
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    handle = { how: 'chmod 555 (tests run as a normal user)', restore: () => chmodSync(dir, 0o755) };
  } else {
    try {
      execFileSync('mount', ['--bind', dir, dir], { stdio: 'pipe' });
      execFileSync('mount', ['-o', 'remount,ro,bind', dir], { stdio: 'pipe' });
    } catch (err) {
      throw new Error(`running as root, and a read-only bind mount of ${dir} failed (${(err as Error).message.split('\n')[0]}): chmod cannot make a directory read-only for root; run the tests as a normal user or with CAP_SYS_ADMIN`);
    }
    handle = { how: 'read-only bind mount (tests run as root, where chmod does not stop writes)', restore: () => execFileSync('umount', [dir], { stdio: 'pipe' }) };
  }
  // Prove it: a test on a directory that is still writable would pass for nothing.
  const probe = join(dir, '.read-only-probe');
  try {
    closeSync(openSync(probe, 'w'));
  } catch {
    return handle;
  }
  unlinkSync(probe);
  handle.restore();
  throw new Error(`${dir} is still writable after ${handle.how}`);
}
