import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Bh1750, InvalidMtregError, decodeBh1750, mtregCommands, type Bh1750Resolution } from '../../sensors/bh1750.js';
import { FakeBh1750, FakeI2cBus } from '../support/fake-i2c-bus.js';
import { loadVectors } from '../support/vectors.js';

const v = loadVectors('bh1750');
const mode = (m: string) => m.toLowerCase() as Bh1750Resolution;

const dec = suite('decodeBh1750');
for (const r of v.readings) {
  dec(`converts ${r.id} (${r.mode}, MTreg ${r.mtreg}) to ${r.expected_lux} lx`, () => {
    const lux = decodeBh1750(Uint8Array.from(r.bytes), mode(r.mode), r.mtreg).values.illuminanceLux!;
    assert.ok(Math.abs(lux - r.expected_lux) <= 1e-12 * r.expected_lux, `${lux}`);
  });
}
dec('scales with MTreg: raw / 1.2 × 69 / MTreg, halved in H2', () => {
  assert.ok(Math.abs(decodeBh1750(Uint8Array.of(0x10, 0x00), 'h', 138).values.illuminanceLux! - 4096 / 1.2 / 2) < 1e-9);
  assert.ok(Math.abs(decodeBh1750(Uint8Array.of(0x10, 0x00), 'h2', 31).values.illuminanceLux! - (4096 / 1.2) * (69 / 31) / 2) < 1e-9);
});
dec.run();

const mt = suite('mtregCommands');
for (const c of v.mtreg_commands) {
  mt(`MTreg ${c.mtreg}: ${c.expected.ok ? 'opcodes ' + c.bytes.join(', ') : 'rejected'}`, () => {
    if (c.expected.ok) assert.equal(mtregCommands(c.mtreg), c.bytes);
    else assert.throws(() => mtregCommands(c.mtreg), (e: unknown) => e instanceof InvalidMtregError);
  });
}
mt('accepts 31 and 254, rejects 255', () => {
  assert.equal(mtregCommands(31), [0x40, 0x7f]);
  assert.equal(mtregCommands(254), [0x47, 0x7e]);
  assert.throws(() => mtregCommands(255));
});
mt.run();

const drv = suite('Bh1750');
drv('one-time H mode: sets MTreg at init and triggers a measurement before each read, waiting the scaled time', async () => {
  const bus = new FakeI2cBus();
  const chip = new FakeBh1750();
  bus.add(0x23, chip);
  const sleeps: number[] = [];
  const s = new Bh1750('bh1750-23', bus, 0x23, async (ms) => void sleeps.push(ms), 'h', 138, false);
  await s.init();
  assert.is(chip.mtreg, 138);
  const r1 = await s.read();
  await s.read();
  assert.is(chip.measurements, 2);
  assert.equal(sleeps, [360, 360]);
  assert.ok(Math.abs(r1.values.illuminanceLux! - (0x8390 / 1.2) * (69 / 138)) < 1e-9);
});
drv('continuous H2 mode: one mode command at init, reads only fetch the result', async () => {
  const bus = new FakeI2cBus();
  const chip = new FakeBh1750();
  bus.add(0x5c, chip);
  const s = new Bh1750('bh1750-5c', bus, 0x5c, async () => {}, 'h2', 69, true);
  await s.init();
  await s.read();
  await s.read();
  assert.is(chip.measurements, 1);
  assert.is(chip.mode, 0x11);
});
drv.run();
