/**
 * Tests that need something a developer's machine may lack (a binary, a dataset). CI provides it
 * (`.ci/run` installs the Debian packages), so there a missing requirement is a failure; elsewhere
 * the test is registered through uvu's `skip` (the runner's closing line counts it as skipped) and
 * one `SKIP` line says why. Never a silent pass.
 */
import type { Callback, Test } from 'uvu';
import * as assert from 'uvu/assert';

/** True on CI (`CI` set to anything but empty, `0` or `false`, as GitHub Actions and `.ci/run` do). */
export const ON_CI = !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());

/**
 * A test registrar for `suite` that runs when `missing` is empty, fails in CI naming what is
 * missing and `hint` (how to provide it), and is skipped visibly elsewhere.
 * @param missing what is absent, e.g. `['systemd-notify']`; empty when everything is there.
 */
export function requiring<T>(suite: Test<T>, missing: readonly string[], hint: string): (name: string, fn: Callback<T>) => void {
  let said = false;
  return (name, fn) => {
    if (missing.length === 0) return suite(name, fn);
    const what = missing.join(' and ');
    if (ON_CI) return suite(name, () => assert.unreachable(`${what} missing on CI (${hint})`));
    if (!said) console.log(`SKIP ${what} missing (${hint}); skipped tests follow`);
    said = true;
    console.log(`SKIP ${name}`);
    suite.skip(name, fn);
  };
}
