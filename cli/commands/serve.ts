/** `sensorctl serve`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('serve')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl serve: not implemented yet\n');
      process.exitCode = 1;
    });
}
