/** `sensorctl status`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('status')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl status: not implemented yet\n');
      process.exitCode = 1;
    });
}
