/** `sensorctl export`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('export')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl export: not implemented yet\n');
      process.exitCode = 1;
    });
}
