/**
 * What every subcommand shares: global options, config loading, the logger and exit codes.
 * This is part of the CLI composition root: the only place (with agent/main) that reads config files
 * and the environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { INSTALLED_RUNTIME_DIR, parseConfig, resolveSnapshotDir, type Config } from '../agent/config/config.js';
import { DATA_DIR } from '../systemd/installer.js';
import { ConfigError } from '../agent/config/errors.js';
import type { Logger } from '../builder/ports.js';
import { chooseDefaultDevice } from '../api/devices.js';
import { createLogger, isLogLevel } from './log.js';

/** Exit codes of `sensorctl`: 0 ok, 1 failure, 2 usage error (bad option, bad input, bad config). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A usage error: printed without a stack, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Default config file: /etc/sensorctl/config.json when installed there, else ./sensorctl.json. */
export const INSTALLED_CONFIG_PATH = '/etc/sensorctl/config.json';
export const LOCAL_CONFIG_PATH = 'sensorctl.json';

export interface GlobalOptions {
  /** Absolute data directory: SQLite file `sensorctl.db` lives there (snapshots: `snapshotDirOf`). */
  dataDir: string;
  /** Config file path; `undefined` when none exists (defaults apply). */
  configPath: string | undefined;
  json: boolean;
  log: Logger;
}

export function defaultConfigPath(): string | undefined {
  if (existsSync(INSTALLED_CONFIG_PATH)) return INSTALLED_CONFIG_PATH;
  if (existsSync(LOCAL_CONFIG_PATH)) return resolve(LOCAL_CONFIG_PATH);
  return undefined;
}

/** Resolve the global options of `cmd` (a subcommand) after commander parsed them. */
export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as { dataDir?: string; config?: string; json?: boolean; logLevel?: string };
  const level = o.logLevel ?? process.env.SENSORCTL_LOG_LEVEL ?? 'info';
  if (!isLogLevel(level)) throw new UsageError(`--log-level ${level}: expected one of error, warn, info, debug`);
  const configPath = o.config ? resolve(o.config) : defaultConfigPath();
  if (o.config && !existsSync(configPath!)) throw new UsageError(`--config ${o.config}: no such file`);
  return {
    dataDir: resolve(o.dataDir ?? process.env.SENSORCTL_DATA_DIR ?? 'var'),
    configPath,
    json: Boolean(o.json),
    log: createLogger(level),
  };
}

/**
 * A `JSON.parse` error message with the line and column of its `position N` (Node 20 gives only the
 * offset; Node 22 already adds `(line L column C)` and is left as is). Lines and columns count from 1.
 */
export function jsonErrorWithLine(message: string, text: string): string {
  const at = /position (\d+)/.exec(message);
  if (!at || /\bline \d+/.test(message)) return message;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line} column ${column})`;
}

/**
 * A repeatable option (`--window 1h --window 1d`) collecting its values in order; its help names the
 * default in words (`noneText`) instead of commander's `(default: [])`.
 */
export function repeatableOption(flags: string, description: string, noneText = 'none'): Option {
  return new Option(flags, description).argParser((value: string, previous: string[]) => [...previous, value]).default([] as string[], noneText);
}

/**
 * Read and validate the config file (or defaults when there is none).
 * @throws {UsageError} for unreadable JSON or an invalid key (exit 2): the daemon never starts half-configured.
 */
export function loadConfig(globals: GlobalOptions): Config {
  let raw: unknown = {};
  if (globals.configPath) {
    let text: string;
    try {
      text = readFileSync(globals.configPath, 'utf8');
    } catch (err) {
      throw new UsageError(`config file ${globals.configPath}: ${(err as Error).message}`);
    }
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`config file ${globals.configPath}: not valid JSON: ${jsonErrorWithLine((err as Error).message, text)}`);
    }
  }
  try {
    return parseConfig(raw, hostname());
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`${globals.configPath ?? '(defaults)'}: ${err.message}`);
    throw err;
  }
}

/**
 * The device a command works on when `--device` is not given: the configured one (the host name by
 * default) when it has samples, else the only device with samples in the database (an imported
 * data dir), else the configured one.
 */
export function defaultDevice(config: Config, buffer: { deviceIdsWithSamples(): string[] } | undefined): string {
  return chooseDefaultDevice(config.deviceId, buffer?.deviceIdsWithSamples() ?? []) ?? config.deviceId;
}

/**
 * Where this command's snapshots and rollup state live (`resolveSnapshotDir`): `storage.snapshotDir`,
 * else the service's `$RUNTIME_DIRECTORY`, else `/run/sensorctl` for the installed data dir when it
 * exists, else the data directory.
 */
export function snapshotDirOf(globals: GlobalOptions, config: Config): string {
  return resolve(resolveSnapshotDir(config.storage, {
    dataDir: globals.dataDir,
    installedDataDir: DATA_DIR,
    runtimeDirectory: process.env.RUNTIME_DIRECTORY,
    installedRuntimeDirExists: () => existsSync(INSTALLED_RUNTIME_DIR),
  }));
}

/** The SQLite buffer file inside the data directory. */
export const dbPath = (globals: GlobalOptions): string => resolve(globals.dataDir, 'sensorctl.db');

/** Print machine output (`--json`) or text. */
export function output(globals: GlobalOptions, json: unknown, text: () => string): void {
  process.stdout.write(globals.json ? JSON.stringify(json, null, 2) + '\n' : text() + '\n');
}

/**
 * Validate a `--port` value: an integer 0–65535 (0 = any free port); `undefined` passes through.
 * @throws {UsageError} naming the flag and the allowed range.
 */
export function parsePortOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`--port ${value}: expected an integer 0–65535`);
  return Number(value);
}

/**
 * Validate a `--host` value: an IPv4 address (four numbers 0–255), an IPv6 address, or a host name
 * (letters, digits, `.` and `-`); `undefined` passes through.
 * @throws {UsageError} naming the flag and what is allowed (e.g. `999.1.1.1`).
 */
export function parseHostOption(value: string | undefined): string | undefined {
  if (value === undefined || isIP(value) !== 0) return value;
  const looksNumeric = /^[0-9.]+$/.test(value);
  if (looksNumeric || !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(value)) {
    throw new UsageError(`--host ${value}: expected an IPv4 address (four numbers 0–255, e.g. 127.0.0.1 or 0.0.0.0), an IPv6 address or a host name`);
  }
  return value;
}

/** Resolves on the first SIGINT or SIGTERM (long-running commands then stop cleanly). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      done(signal);
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}
