/**
 * Every subcommand, in the order `--help` lists them. Each module is imported only when its command
 * is run (or for the full `--help` listing), so a command loads only what it uses: `--version` loads
 * none, `status` never loads the AWS SDK.
 */
import type { Command } from 'commander';

export interface CommandEntry {
  /** The word on the command line (`sensorctl <name>`). */
  name: string;
  /** Import the command's module; its `register(program)` adds the command and its options. */
  load: () => Promise<{ register: (program: Command) => void }>;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'run', load: () => import('./run.js') },
  { name: 'serve', load: () => import('./serve.js') },
  { name: 'import', load: () => import('./import.js') },
  { name: 'rebuild', load: () => import('./rebuild.js') },
  { name: 'status', load: () => import('./status.js') },
  { name: 'push', load: () => import('./push.js') },
  { name: 'table', load: () => import('./table.js') },
  { name: 'scan', load: () => import('./scan.js') },
  { name: 'decode', load: () => import('./decode.js') },
  { name: 'export', load: () => import('./export.js') },
  { name: 'doctor', load: () => import('./doctor.js') },
  { name: 'install', load: () => import('./install.js') },
  { name: 'uninstall', load: () => import('./uninstall.js') },
];
