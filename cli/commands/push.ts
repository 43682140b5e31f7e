/** `sensorctl push`: placeholder until its issue lands. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('push')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('sensorctl push: not implemented yet\n');
      process.exitCode = 1;
    });
}
