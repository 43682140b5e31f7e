/** `sensorctl doctor`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl doctor: not implemented yet\n');
      process.exitCode = 1;
    });
}
