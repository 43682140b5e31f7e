/** `sensorctl run`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('run')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl run: not implemented yet\n');
      process.exitCode = 1;
    });
}
