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
import { MakeDirError } from '../platform/make-dirs.js';
import { COMMANDS, type CommandEntry } from './commands/index.js';
import { appVersion } from '../platform/app-dir.js';

/** Global options that take a value: the word after them is that value, not the command. */
const GLOBAL_VALUE_OPTIONS = new Set(['--data-dir', '--config', '--log-level']);

/**
 * The commands whose modules `argv` needs: the one it names; none for `--version` alone; all for
 * the full `--help`, `help <command>`, no command or an unknown word (commander then lists them or
 * suggests the closest).
 */
export function commandsFor(argv: string[]): CommandEntry[] {
  const args = argv.slice(2);
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      name = args[i + 1];
      break;
    }
    if (arg.startsWith('-')) {
      if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    name = arg;
    break;
  }
  const named = COMMANDS.filter((c) => c.name === name);
  if (named.length > 0) return named;
  if (name === undefined && args.some((a) => a === '-V' || a === '--version')) return [];
  return COMMANDS;
}

/** The program with the commands `argv` needs (all of them when `argv` is left out). */
export async function buildProgram(argv?: string[]): Promise<Command> {
  const program = new Command('sensorctl')
    .description('Edge-first sensor agent: sample sensors into SQLite, build snapshots, serve the API and page, upload to AWS.')
    .option('--data-dir <dir>', 'data directory: the SQLite file, and snapshots/ unless config storage.snapshotDir or the service\'s /run/sensorctl holds them (default ./var, env SENSORCTL_DATA_DIR)')
    .option('--config <file>', 'config file (default /etc/sensorctl/config.json when present, else ./sensorctl.json)')
    .option('--json', 'machine-readable output on stdout')
    .option('--log-level <level>', 'error | warn | info | debug (env SENSORCTL_LOG_LEVEL)')
    .version(appVersion(), '-V, --version', 'print the version')
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
  const entries = argv ? commandsFor(argv) : COMMANDS;
  const modules = await Promise.all(entries.map((c) => c.load()));
  for (const m of modules) m.register(program);
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

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnClosedStdout();
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return EXIT_USAGE;
    }
    if (err instanceof UsageError || err instanceof MakeDirError) {
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
