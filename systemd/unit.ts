/**
 * The systemd unit template (`systemd/sensorctl.service`) and its rendering for one installation.
 * Pure apart from reading the template file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the unit template shipped with the app. */
export const UNIT_TEMPLATE_PATH = fileURLToPath(new URL('./sensorctl.service', import.meta.url));


/** Unit name and its path relative to the install root. */
export const UNIT_NAME = 'sensorctl.service';
export const UNIT_PATH = '/etc/systemd/system/sensorctl.service';

/** An installation problem the operator must fix (bad path, bad user name); exit code 2. */
export class InstallError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = new.target.name;
  }
}

/** Values substituted into the template. */
export interface UnitValues {
  /** Absolute path of the Node.js binary (e.g. `/usr/bin/node`). */
  node: string;
  /** Absolute path of the app root (e.g. `/opt/sensorctl`). */
  appDir: string;
  /** Service user and group (default `sensorctl`). */
  user: string;
  group: string;
}

/** System user names accepted by useradd on Debian (a conservative subset). */
export const USER_NAME_PATTERN = /^[a-z_][a-z0-9_-]{0,30}$/;

function checkPath(field: string, value: string): void {
  if (!value.startsWith('/')) throw new InstallError(field, `${JSON.stringify(value)} is not an absolute path`);
  if (/[\s"'\\%$;]/.test(value)) {
    throw new InstallError(field, `${JSON.stringify(value)} contains whitespace, quotes, %, $, ; or a backslash; move it to a plain path such as /opt/sensorctl`);
  }
  if (value === '/home' || value.startsWith('/home/') || value === '/root' || value.startsWith('/root/') || value.startsWith('/run/user/')) {
    throw new InstallError(
      field,
      `${value} is under a home directory, which the unit hides (ProtectHome=yes); install the app under /opt/sensorctl and Node.js from a system package (/usr/bin/node)`,
    );
  }
}

/**
 * Replace `@NODE@`, `@APP_DIR@`, `@USER@` and `@GROUP@` in `template`.
 * @throws {InstallError} for a relative path, a path with characters systemd would split or expand,
 *   a path under /home or /root (hidden by `ProtectHome=yes`), or an invalid user/group name.
 */
export function renderUnit(template: string, values: UnitValues): string {
  checkPath('node', values.node);
  checkPath('appDir', values.appDir);
  for (const field of ['user', 'group'] as const) {
    if (!USER_NAME_PATTERN.test(values[field])) {
      throw new InstallError(field, `${JSON.stringify(values[field])} is not a valid name (lower-case letters, digits, _ and -, at most 31)`);
    }
  }
  const out = template
    .replaceAll('@NODE@', values.node)
    .replaceAll('@APP_DIR@', values.appDir)
    .replaceAll('@USER@', values.user)
    .replaceAll('@GROUP@', values.group);
  const left = out.match(/@[A-Z_]+@/);
  if (left) throw new InstallError('template', `placeholder ${left[0]} has no value`);
  return out;
}

/** Read the shipped template. */
export function readUnitTemplate(path = UNIT_TEMPLATE_PATH): string {
  return readFileSync(path, 'utf8');
}
