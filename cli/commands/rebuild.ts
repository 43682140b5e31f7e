/** `sensorctl rebuild`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('rebuild')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl rebuild: not implemented yet\n');
      process.exitCode = 1;
    });
}
