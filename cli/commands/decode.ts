/** `sensorctl decode`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('decode')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl decode: not implemented yet\n');
      process.exitCode = 1;
    });
}
