import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildProgram } from '../../cli/sensorctl.js';

test('no command help shows a raw JS default such as "(default: [])": every default reads as words', async () => {
  const program = await buildProgram();
  const offenders: string[] = [];
  for (const cmd of program.commands) {
    const help = cmd.helpInformation();
    for (const m of help.matchAll(/\(default: (\[\]|\{\}|undefined|null|"")\)/g)) offenders.push(`${cmd.name()}: ${m[0]}`);
  }
  assert.ok(program.commands.length >= 10, `all commands registered (${program.commands.length})`);
  assert.equal(offenders, []);
});

test('rebuild --window and decode --reg name their defaults', async () => {
  const program = await buildProgram();
  const help = (name: string) => program.commands.find((c) => c.name() === name)!.helpInformation().replace(/\s+/g, ' ');
  assert.match(help('rebuild'), '(default: every window)');
  assert.match(help('decode'), '(default: none)');
});

test.run();
