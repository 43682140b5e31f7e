import { execFile } from 'node:child_process';
import { Command } from 'commander';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { register } from '../../../cli/commands/scan.js';
import { formatGrid, scanBus } from '../../../sensors/scan.js';
import { FakeBh1750, FakeBme280, FakeI2cBus, FakeSht3x, FakeSht4x } from '../../support/fake-i2c-bus.js';
import { loadVectors } from '../../support/vectors.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const c0 = loadVectors('bme280').cases[0];

function populatedBus(): FakeI2cBus {
  return new FakeI2cBus()
    .add(0x76, new FakeBme280(0x60, c0.input.calib_0x88_0xA1, c0.input.calib_0xE1_0xE7, c0.input.data_0xF7_0xFE))
    .add(0x77, new FakeBme280(0x58, c0.input.calib_0x88_0xA1, c0.input.calib_0xE1_0xE7, c0.input.data_0xF7_0xFE))
    .add(0x44, new FakeSht3x())
    .add(0x45, new FakeSht4x())
    .add(0x23, new FakeBh1750())
    .add(0x68, { readReg: () => 0 });
}

const s = suite('scanBus');
s('identifies every known chip on the fake bus by its id register or id command', async () => {
  const found = await scanBus(populatedBus(), async () => {});
  assert.equal(found.map((e) => [e.address, e.chip]), [[0x23, 'bh1750?'], [0x44, 'sht3x'], [0x45, 'sht4x'], [0x68, 'unknown'], [0x76, 'bme280'], [0x77, 'bmp280']]);
  assert.match(found.find((e) => e.chip === 'sht4x')!.detail, /serial number 0x0c0ffee0/);
});
s('reports an unknown id at a Bosch address instead of guessing', async () => {
  const bus = populatedBus();
  bus.stuck(0x76, 0xd0, [0x61]);
  const found = await scanBus(bus, async () => {});
  assert.equal(found.find((e) => e.address === 0x76), { address: 0x76, chip: 'unknown', detail: 'id register 0xD0 = 0x61 (0x61 would be a BME680)' });
});
s('a device that stops answering is simply absent', async () => {
  const bus = populatedBus();
  bus.absent.add(0x44);
  assert.not.ok((await scanBus(bus, async () => {})).some((e) => e.address === 0x44));
});
s('draws the i2cdetect grid', () => {
  const g = formatGrid([0x23, 0x76]).split('\n');
  assert.is(g[0], '     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f');
  assert.is(g[1], '00:          -- -- -- -- -- -- -- -- -- -- -- -- --');
  assert.is(g[3], '20: -- -- -- 23 -- -- -- -- -- -- -- -- -- -- -- --');
  assert.is(g[8], '70: -- -- -- -- -- -- 76 --');
});
s.run();

const cmd = suite('sensorctl scan');
cmd('with the fake bus injected, prints the grid and names the chips (--json)', async () => {
  const program = new Command('sensorctl').option('--json').option('--log-level <l>').option('--config <f>').option('--data-dir <d>').exitOverride();
  let opened = -1;
  register(program, { openBus: async (n) => ((opened = n), populatedBus()) });
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((c: string) => (chunks.push(String(c)), true)) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'sensorctl', 'scan', '--bus', '3', '--json']);
  } finally {
    process.stdout.write = write;
  }
  assert.is(opened, 3);
  const out = JSON.parse(chunks.join(''));
  assert.is(out.bus, 3);
  assert.equal(out.devices.map((d: { address: string; chip: string }) => `${d.address} ${d.chip}`), ['0x23 bh1750?', '0x44 sht3x', '0x45 sht4x', '0x68 unknown', '0x76 bme280', '0x77 bmp280']);
});
cmd('as a child process, a bus that cannot be opened is exit 1 with the reason; a bad --bus is exit 2', async () => {
  const run = (...args: string[]) => new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', 'scan', ...args], { cwd: ROOT }, (err, _o, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }));
  });
  const missing = await run('--bus', '99');
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /i2c-99|i2c-bus/);
  assert.is((await run('--bus', 'one')).code, 2);
});
cmd.run();
