#!/usr/bin/env node
/**
 * `sensorctl`: the operator's command line (commander). Composition root: each subcommand lives in
 * `cli/commands/<verb>.ts` and exports `register(program)`; this file wires global options and
 * exit codes (0 ok, 1 failure, 2 usage).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { EXIT_FAILURE, EXIT_USAGE, UsageError } from './context.js';
import { COMMANDS } from './commands/index.js';
import packageJson from '../package.json' with { type: 'json' };

const PACKAGE_VERSION: string = packageJson.version;

export function buildProgram(): Command {
  const program = new Command('sensorctl')
    .description('Edge-first sensor agent: sample sensors into SQLite, build snapshots, serve the API and page, upload to AWS.')
    .option('--data-dir <dir>', 'data directory: SQLite file and snapshots/ (default ./var, env SENSORCTL_DATA_DIR)')
    .option('--config <file>', 'config file (default /etc/sensorctl/config.json when present, else ./sensorctl.json)')
    .option('--json', 'machine-readable output on stdout')
    .option('--log-level <level>', 'error | warn | info | debug (env SENSORCTL_LOG_LEVEL)')
    .version(PACKAGE_VERSION, '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 failure, 2 usage error (bad option, input or config).

Examples:
  sensorctl run                                  sample, build and serve on 127.0.0.1:8080
  sensorctl import ../shared/datasets/bme280-livingroom
  sensorctl rebuild --at 2019-09-30T16:00:00Z
  sensorctl status --json`,
    )
    .exitOverride();
  for (const register of COMMANDS) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** A closed stdout (`sensorctl ... | head`) ends the process quietly instead of crashing on EPIPE. */
function exitQuietlyOnClosedStdout(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

/**
 * Node's warnings go to stderr as one line each; the AWS SDK's notice that its releases after
 * January 2027 need Node ≥ 22 is left out (this install pins its SDK versions; `engines` says Node ≥ 20).
 */
function quietWarnings(): void {
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name === 'NodeVersionSupportWarning' || w.message.startsWith('NodeVersionSupportWarning')) return;
    process.stderr.write(`sensorctl: ${w.name}: ${w.message}\n`);
  });
}

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedStdout();
  quietWarnings();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`sensorctl: ${err.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`sensorctl: ${(err as Error).message ?? String(err)}\n`);
    if (process.env.SENSORCTL_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return EXIT_FAILURE;
  }
}

/** True when this file is the program run (not when bin/sensorctl.js imported it: that calls main itself). */
function isEntryModule(): boolean {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

const isEntry = isEntryModule();
if (isEntry) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`sensorctl: ${String(err)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
