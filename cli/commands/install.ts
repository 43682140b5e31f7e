/**
 * `sensorctl install [--dry-run] [--prefix /] [--user sensorctl]`: install the agent as a systemd
 * service. Writes /etc/systemd/system/sensorctl.service (rendered from systemd/sensorctl.service) and
 * a starter /etc/sensorctl/config.json, creates the user and its i2c/gpio membership and the
 * directories, runs `systemctl daemon-reload`, and prints each step and the next steps.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { deviceIdFromHostname } from '../../agent/config/config.js';
import { applyPlan, ApplyError, describe, execRunner, planInstall, readFacts, type CommandRunner } from '../../systemd/installer.js';
import { InstallError, readUnitTemplate, renderUnit, USER_NAME_PATTERN } from '../../systemd/unit.js';
import { APP_DIR } from '../../platform/app-dir.js';
import { EXIT_FAILURE, UsageError } from '../context.js';

export interface InstallOptions {
  dryRun: boolean;
  /** Install root; `/` for the running system. */
  prefix: string;
  user: string;
  /** Node.js binary and app root written into ExecStart (default: this process's). */
  node?: string;
  appDir?: string;
  host?: string;
}

export interface InstallDeps {
  run: CommandRunner;
  write: (line: string) => void;
  /** Effective uid (`process.getuid()`); installing into `/` needs root. */
  uid: number;
}

/** The starter config: this host's device id, the API on loopback, no sensors (simulated source). */
export function starterConfig(host: string): string {
  return JSON.stringify(
    {
      comment: 'sensorctl config; see docs/install-pi.md. Add sensors (sensors/README.md) and a "cloud" section to upload.',
      deviceId: deviceIdFromHostname(host),
      http: { host: '127.0.0.1', port: 8080 },
      sensors: [],
    },
    null,
    2,
  ) + '\n';
}

/**
 * Plan and (unless dry-run) apply the installation.
 * @returns exit code: 0 done, 1 a step failed (the message names it).
 * @throws {UsageError} for a bad user name or app/node path, or when not root on `/`.
 */
export async function runInstall(options: InstallOptions, deps: InstallDeps): Promise<number> {
  if (!USER_NAME_PATTERN.test(options.user)) throw new UsageError(`--user ${options.user}: expected lower-case letters, digits, _ and - (at most 31)`);
  const prefix = resolve(options.prefix);
  if (prefix === '/' && !options.dryRun && deps.uid !== 0) throw new UsageError('install into / needs root: run it with sudo (or try --dry-run)');
  const appDir = options.appDir ?? APP_DIR;
  // The unit runs the compiled CLI: refuse to install this app's unit while its ExecStart does not exist.
  if (!options.dryRun && options.appDir === undefined && !existsSync(`${appDir}/dist/cli/sensorctl.js`)) {
    throw new UsageError(`${appDir}/dist/cli/sensorctl.js is missing: run \`npm ci\` (or \`npm run build\`) in ${appDir} first`);
  }
  let unitText: string;
  try {
    unitText = renderUnit(readUnitTemplate(), { node: options.node ?? process.execPath, appDir, user: options.user, group: options.user });
  } catch (err) {
    if (err instanceof InstallError) throw new UsageError(err.message);
    throw err;
  }
  const actions = planInstall(readFacts(prefix), { user: options.user, unitText, starterConfig: starterConfig(options.host ?? hostname()) });
  if (options.dryRun) {
    deps.write(`Dry run: would do, under ${prefix}:`);
    for (const a of actions) deps.write(`  ${describe(a)}`);
    return 0;
  }
  deps.write(`Installing under ${prefix}:`);
  try {
    await applyPlan(prefix, actions, deps.run, (line) => deps.write(`  done: ${line}`));
  } catch (err) {
    if (!(err instanceof ApplyError)) throw err;
    deps.write(`sensorctl install: ${err.message}`);
    deps.write('Fix the cause and run `sensorctl install` again; finished steps are kept and not repeated.');
    return EXIT_FAILURE;
  }
  deps.write(`
Next steps:
  1. Edit /etc/sensorctl/config.json (sensors, deviceId, cloud); check it: sensorctl --config /etc/sensorctl/config.json doctor
  2. Optional AWS credentials: /etc/sensorctl/aws.env, mode 0600 root (see docs/install-pi.md)
  3. sudo systemctl enable --now sensorctl
  4. journalctl -u sensorctl -f`);
  return 0;
}

export function register(program: Command): void {
  program
    .command('install')
    .description('install the agent as a systemd service: unit, starter config, user sensorctl (groups i2c, gpio), directories')
    .option('--dry-run', 'print every action without doing any of it')
    .option('--prefix <dir>', 'install root (for images and tests; commands get --root, systemctl is skipped)', '/')
    .option('--user <name>', 'service user to create and run as', 'sensorctl')
    .addHelpText('after', `
Examples:
  sudo sensorctl install --dry-run     show what would happen
  sudo sensorctl install               then: sudo systemctl enable --now sensorctl
  sensorctl install --prefix /mnt/sdcard/root --dry-run`)
    .action(async (opts: { dryRun?: boolean; prefix: string; user: string }) => {
      const code = await runInstall(
        { dryRun: Boolean(opts.dryRun), prefix: opts.prefix, user: opts.user },
        { run: execRunner, write: (l) => process.stdout.write(l + '\n'), uid: process.getuid?.() ?? 0 },
      );
      if (code !== 0) process.exitCode = code;
    });
}
