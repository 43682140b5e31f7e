/** `sensorctl table`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('table')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl table: not implemented yet\n');
      process.exitCode = 1;
    });
}
