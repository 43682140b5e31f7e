/** `sensorctl import`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('import')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl import: not implemented yet\n');
      process.exitCode = 1;
    });
}
