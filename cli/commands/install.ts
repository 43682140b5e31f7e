/** `sensorctl install`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('install')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl install: not implemented yet\n');
      process.exitCode = 1;
    });
}
