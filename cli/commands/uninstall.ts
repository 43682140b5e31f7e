/** `sensorctl uninstall`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('uninstall')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl uninstall: not implemented yet\n');
      process.exitCode = 1;
    });
}
