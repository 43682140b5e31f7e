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

test('issue 14: table create --help names --jobs-table, what it makes and that it is idempotent', async () => {
  const program = await buildProgram();
  const create = program.commands.find((c) => c.name() === 'table')!.commands.find((c) => c.name() === 'create')!;
  const help = create.helpInformation().replace(/\s+/g, ' ');
  assert.match(help, '--jobs-table <name> also create the refresh-jobs table <name> (PAY_PER_REQUEST; pk S; TTL on expiresAtS)');
  assert.match(help, '(default: none)');
});

test('issue 14: table index-devices --help says it is a Scan, what it costs and that it is idempotent', async () => {
  const program = await buildProgram();
  const cmd = program.commands.find((c) => c.name() === 'table')!.commands.find((c) => c.name() === 'index-devices')!;
  let help = '';
  cmd.configureOutput({ writeOut: (t) => (help += t) });
  cmd.outputHelp();
  help = help.replace(/\s+/g, ' ');
  assert.match(help, '--dry-run');
  assert.match(help, 'A paginated Scan of the whole table (filter tsMs = 0): it reads, and bills, every item. About 17,000 read units per million');
  assert.match(help, 'running it again updates 0');
});

test.run();
