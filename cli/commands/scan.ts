/** `sensorctl scan`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('scan')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl scan: not implemented yet\n');
      process.exitCode = 1;
    });
}
