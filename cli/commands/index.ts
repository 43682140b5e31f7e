/** Every subcommand, in the order `--help` lists them. */
import type { Command } from 'commander';
import { register as run } from './run.js';
import { register as serve } from './serve.js';
import { register as importCmd } from './import.js';
import { register as rebuild } from './rebuild.js';
import { register as status } from './status.js';
import { register as push } from './push.js';
import { register as table } from './table.js';
import { register as scan } from './scan.js';
import { register as decode } from './decode.js';
import { register as exportCmd } from './export.js';
import { register as doctor } from './doctor.js';
import { register as install } from './install.js';
import { register as uninstall } from './uninstall.js';

export const COMMANDS: Array<(program: Command) => void> = [
  run, serve, importCmd, rebuild, status, push, table, scan, decode, exportCmd, doctor, install, uninstall,
];
