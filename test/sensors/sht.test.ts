import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MalformedFrameError } from '../../sensors/errors.js';
import { crc8 } from '../../sensors/sensirion.js';
import { Sht3x, decodeSht3xFrame } from '../../sensors/sht3x.js';
import { Sht4x, decodeSht4xFrame } from '../../sensors/sht4x.js';
import { FakeI2cBus, FakeSht3x, FakeSht4x } from '../support/fake-i2c-bus.js';
import { loadVectors } from '../support/vectors.js';

const v = loadVectors('sht');
const u8 = (a: number[]) => Uint8Array.from(a);
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

const crc = suite('crc8');
crc('matches the data sheet example CRC(0xBEEF) = 0x92 (field case 4: masked to 8 bits)', () => {
  assert.is(crc8(u8([0xbe, 0xef])), 0x92);
});
for (const c of v.crc) crc(`computes 0x${c.crc.toString(16)} for ${c.bytes.join(',')}`, () => assert.is(crc8(u8(c.bytes)), c.crc));
crc('agrees with a bitwise long-division reference over all 65536 words', () => {
  for (let w = 0; w < 65536; w += 1) {
    let r = (w ^ 0xff00) << 8; // init 0xFF on the first byte, 24-bit register
    for (let bit = 23; bit >= 8; bit--) if (r & (1 << bit)) r ^= 0x131 << (bit - 8);
    if (crc8(u8([w >> 8, w & 0xff])) !== (r & 0xff)) assert.unreachable(`word ${w}`);
  }
});
crc.run();

const d3 = suite('decodeSht3xFrame');
for (const c of v.sht3x) {
  d3(`decodes ${c.id} as the vector says`, () => {
    const r = decodeSht3xFrame(u8(c.frame));
    if (c.expected.ok) {
      assert.ok(Math.abs(r.values.tempC! - c.expected.temperature_c) <= 1e-9);
      assert.ok(Math.abs(r.values.rhPct! - c.expected.humidity_rh) <= 1e-9);
    } else {
      assert.is(r.values[c.expected.word === 'temperature' ? 'tempC' : 'rhPct'], undefined);
      assert.ok(r.problems.some((p) => p.code === 'crc_mismatch'));
    }
  });
}
d3('field case 4: 64 8B C7 5E B9 3C → 23.73 °C, 37.00 %RH', () => {
  const r = decodeSht3xFrame(hex('648BC75EB93C'));
  assert.is(r.values.tempC!.toFixed(2), '23.73');
  assert.is(r.values.rhPct!.toFixed(2), '37.00');
  assert.equal(r.problems, []);
});
d3('field case 4: 64 8B C7 5E B9 3D → 23.73 °C and no humidity', () => {
  const r = decodeSht3xFrame(hex('648BC75EB93D'));
  assert.is(r.values.tempC!.toFixed(2), '23.73');
  assert.is(r.values.rhPct, undefined);
  assert.equal(r.problems.map((p) => [p.metric, p.code]), [['rhPct', 'crc_mismatch']]);
});
d3('rejects a frame that is not 6 bytes', () => {
  assert.throws(() => decodeSht3xFrame(hex('648BC75E')), (e: unknown) => e instanceof MalformedFrameError);
});
d3.run();

const d4 = suite('decodeSht4xFrame');
for (const c of v.sht4x) {
  d4(`decodes ${c.id} (RH cropped to 0…100)`, () => {
    const r = decodeSht4xFrame(u8(c.frame));
    assert.ok(Math.abs(r.values.tempC! - c.expected.temperature_c) <= 1e-9);
    assert.ok(Math.abs(r.values.rhPct! - c.expected.humidity_rh) <= 1e-9);
  });
}
d4.run();

const drv3 = suite('Sht3x');
drv3('sends 24 00 and decodes the emulated frame; a corrupted humidity CRC drops humidity only, never the previous value', async () => {
  const bus = new FakeI2cBus();
  const chip = new FakeSht3x();
  bus.add(0x44, chip);
  const s = new Sht3x('sht3x-44', bus, 0x44, async () => {});
  await s.init();
  const a = await s.read();
  assert.is(a.values.rhPct!.toFixed(2), '37.00');
  chip.corrupt = 'humidity';
  const b = await s.read();
  assert.is(b.values.tempC!.toFixed(2), '23.73');
  assert.is(b.values.rhPct, undefined);
  assert.equal(chip.commands, ['30a2', '2400', '2400']);
});
drv3('a NACK on the read is a transient bus error', async () => {
  const bus = new FakeI2cBus().add(0x44, new FakeSht3x());
  const s = new Sht3x('sht3x-44', bus, 0x44, async () => {});
  bus.failNext(0x44, 'EREMOTEIO');
  await s.read().then(() => assert.unreachable(), (e) => assert.is(e.code, 'eremoteio'));
});
drv3.run();

const drv4 = suite('Sht4x');
drv4('sends 0xFD and decodes the emulated frame', async () => {
  const bus = new FakeI2cBus();
  const chip = new FakeSht4x();
  chip.rawT = 26214;
  chip.rawRh = 55573;
  bus.add(0x44, chip);
  const s = new Sht4x('sht4x-44', bus, 0x44, async () => {});
  await s.init();
  const r = await s.read();
  assert.ok(Math.abs(r.values.tempC! - 25) < 1e-9);
  assert.ok(Math.abs(r.values.rhPct! - 99.99870298313878) < 1e-9);
  assert.equal(chip.commands, ['94', 'fd']);
});
drv4.run();
