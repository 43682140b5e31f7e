/**
 * `sensorctl uninstall [--dry-run] [--purge] [--prefix /] [--user sensorctl]`: stop and disable the
 * service and remove its unit. Config (/etc/sensorctl), data (/var/lib/sensorctl) and the user stay
 * unless `--purge`.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { applyPlan, ApplyError, describe, execRunner, planUninstall, readFacts } from '../../systemd/installer.js';
import { USER_NAME_PATTERN } from '../../systemd/unit.js';
import { EXIT_FAILURE, UsageError } from '../context.js';
import type { InstallDeps } from './install.js';

export interface UninstallOptions {
  dryRun: boolean;
  purge: boolean;
  prefix: string;
  user: string;
}

/**
 * Plan and (unless dry-run) apply the removal.
 * @returns exit code: 0 done, 1 a step failed.
 * @throws {UsageError} for a bad user name, or when not root on `/`.
 */
export async function runUninstall(options: UninstallOptions, deps: InstallDeps): Promise<number> {
  if (!USER_NAME_PATTERN.test(options.user)) throw new UsageError(`--user ${options.user}: expected lower-case letters, digits, _ and - (at most 31)`);
  const prefix = resolve(options.prefix);
  if (prefix === '/' && !options.dryRun && deps.uid !== 0) throw new UsageError('uninstall from / needs root: run it with sudo (or try --dry-run)');
  const actions = planUninstall(readFacts(prefix), { user: options.user, purge: options.purge });
  if (options.dryRun) {
    deps.write(`Dry run: would do, under ${prefix}:`);
    for (const a of actions) deps.write(`  ${describe(a)}`);
    return 0;
  }
  deps.write(`Uninstalling under ${prefix}:`);
  try {
    await applyPlan(prefix, actions, deps.run, (line) => deps.write(`  done: ${line}`));
  } catch (err) {
    if (!(err instanceof ApplyError)) throw err;
    deps.write(`sensorctl uninstall: ${err.message}`);
    return EXIT_FAILURE;
  }
  if (!options.purge) deps.write('Kept /etc/sensorctl, /var/lib/sensorctl and the user; `sensorctl uninstall --purge` removes them.');
  return 0;
}

export function register(program: Command): void {
  program
    .command('uninstall')
    .description('stop and remove the systemd service; keeps config, data and the user unless --purge')
    .option('--dry-run', 'print every action without doing any of it')
    .option('--purge', 'also delete /etc/sensorctl, /var/lib/sensorctl (ALL buffered data) and the user')
    .option('--prefix <dir>', 'install root (as given to install)', '/')
    .option('--user <name>', 'service user', 'sensorctl')
    .addHelpText('after', `
Examples:
  sudo sensorctl uninstall              remove the service, keep data
  sudo sensorctl uninstall --purge      remove everything, including buffered samples`)
    .action(async (opts: { dryRun?: boolean; purge?: boolean; prefix: string; user: string }) => {
      const code = await runUninstall(
        { dryRun: Boolean(opts.dryRun), purge: Boolean(opts.purge), prefix: opts.prefix, user: opts.user },
        { run: execRunner, write: (l) => process.stdout.write(l + '\n'), uid: process.getuid?.() ?? 0 },
      );
      if (code !== 0) process.exitCode = code;
    });
}
