import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Ds18b20, dallasCrc8, decodeW1Slave, parseW1Slave, scratchpadMilliC } from '../../sensors/ds18b20.js';
import { MalformedFrameError, SensorMissingError } from '../../sensors/errors.js';
import { fsSysfsReader } from '../../hardware/fs-sysfs-reader.js';
import { loadVectors } from '../support/vectors.js';

const v = loadVectors('ds18b20');
const w1 = (line1: string, line2: string) => `${line1}\n${line2}\n`;

const dec = suite('decodeW1Slave');
for (const c of v.cases) {
  dec(`${c.id} (${c.note}) → ${c.expected.ok ? c.expected.celsius + ' °C' : c.expected.error}`, () => {
    if (c.expected.error === 'malformed') {
      assert.throws(() => decodeW1Slave(c.file_text), (e: unknown) => e instanceof MalformedFrameError);
      return;
    }
    const r = decodeW1Slave(c.file_text);
    if (c.expected.ok) assert.is(r.values.tempC, c.expected.celsius);
    else {
      assert.is(r.values.tempC, undefined);
      assert.is(r.problems[0].code, c.expected.error);
    }
  });
}
dec('field case 5: 85 °C with byte 6 = 0x0c is the power-on value and is not stored', () => {
  const r = decodeW1Slave(w1('50 05 4b 46 7f ff 0c 10 1c : crc=1c YES', '50 05 4b 46 7f ff 0c 10 1c t=85000'));
  assert.equal(r.values, {});
  assert.is(r.problems[0].code, 'power_on_reset');
});
dec('field case 5: 85 °C with byte 6 = 0x10 is a genuine reading', () => {
  const r = decodeW1Slave(w1('50 05 4b 46 7f ff 10 10 bd : crc=bd YES', '50 05 4b 46 7f ff 10 10 bd t=85000'));
  assert.is(r.values.tempC, 85);
});
dec('the power-on value is accepted when the previous reading makes 85 °C plausible', () => {
  const r = decodeW1Slave(w1('50 05 4b 46 7f ff 0c 10 1c : crc=1c YES', '50 05 4b 46 7f ff 0c 10 1c t=85000'), { previousMilliC: 84_500 });
  assert.is(r.values.tempC, 85);
});
dec('field case 6a: crc NO is rejected (not −0.062 °C)', () => {
  const r = decodeW1Slave(w1('ff ff ff ff ff ff ff ff ff : crc=c9 NO', '63 01 4b 46 7f ff 0d 10 15 t=-62'));
  assert.equal(r.values, {});
  assert.is(r.problems[0].code, 'crc_mismatch');
});
dec('field case 6c: 61 01 … crc=02 YES / t=22062 → 22.062 °C', () => {
  assert.is(decodeW1Slave(w1('61 01 4b 46 7f ff 0f 10 02 : crc=02 YES', '61 01 4b 46 7f ff 0f 10 02 t=22062')).values.tempC, 22.062);
});
dec('issue 12: an unsigned t=4086000 with the CRC-checked scratchpad 60 ff … 8e is −10 °C', () => {
  const r = decodeW1Slave(w1('60 ff 4b 46 7f ff 10 10 8e : crc=8e YES', '60 ff 4b 46 7f ff 10 10 8e t=4086000'));
  assert.equal(r, { values: { tempC: -10 }, problems: [] });
});
dec('issue 12: an unsigned t=4095500 is −0.5 °C (scratchpad 0xFFF8 = −8/16 °C, byte 6 = 0x10 − 8, CRC f8)', () => {
  const sp = [0xf8, 0xff, 0x4b, 0x46, 0x7f, 0xff, 0x08, 0x10];
  assert.is(dallasCrc8(Uint8Array.from(sp)), 0xf8);
  const r = decodeW1Slave(w1('f8 ff 4b 46 7f ff 08 10 f8 : crc=f8 YES', 'f8 ff 4b 46 7f ff 08 10 f8 t=4095500'));
  assert.equal(r, { values: { tempC: -0.5 }, problems: [] });
  assert.is(decodeW1Slave(w1('f8 ff 4b 46 7f ff 08 10 f8 : crc=f8 YES', 'f8 ff 4b 46 7f ff 08 10 f8 t=-500')).values.tempC, -0.5);
});
dec('t= is cross-checked: one that matches the scratchpad neither signed nor unsigned is not stored', () => {
  const r = decodeW1Slave(w1('72 01 4b 46 7f ff 0e 10 57 : crc=57 YES', '72 01 4b 46 7f ff 0e 10 57 t=-23125'));
  assert.equal(r.values, {});
  assert.is(r.problems[0].code, 'malformed');
  assert.match(r.problems[0].message, /t=-23125 disagrees with the scratchpad's 23125 m°C/);
});
dec('the scratchpad value is truncated to m°C as the kernel prints it (0x0161 → 22.062 °C, −0x0001 → −0.062 °C)', () => {
  assert.is(scratchpadMilliC(Uint8Array.of(0x61, 0x01)), 22_062);
  assert.is(scratchpadMilliC(Uint8Array.of(0xff, 0xff)), -62);
  assert.is(scratchpadMilliC(Uint8Array.of(0x90, 0xfc)), -55_000);
});
dec('an all-zero frame with crc=00 YES / t=0 is rejected by the configuration byte check', () => {
  assert.is(dallasCrc8(new Uint8Array(8)), 0);
  const r = decodeW1Slave(w1('00 00 00 00 00 00 00 00 00 : crc=00 YES', '00 00 00 00 00 00 00 00 00 t=0'));
  assert.equal(r.values, {});
  assert.is(r.problems[0].code, 'invalid_config');
});
dec('accepts every datasheet resolution byte 1f/3f/5f/7f', () => {
  for (const cfg of [0x1f, 0x3f, 0x5f, 0x7f]) {
    const sp = [0x72, 0x01, 0x4b, 0x46, cfg, 0xff, 0x0e, 0x10];
    const crc = dallasCrc8(Uint8Array.from(sp));
    const bytes = [...sp, crc].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    assert.is(decodeW1Slave(w1(`${bytes} : crc=${crc.toString(16).padStart(2, '0')} YES`, `${bytes} t=23125`)).values.tempC, 23.125);
  }
});
dec('the Dallas CRC of the classic 23.125 °C scratchpad is 0x57', () => {
  assert.is(dallasCrc8(Uint8Array.of(0x72, 0x01, 0x4b, 0x46, 0x7f, 0xff, 0x0e, 0x10)), 0x57);
});
dec('parses both lines and rejects a missing second line', () => {
  assert.is(parseW1Slave(v.cases[0].file_text).milliC, 23125);
  assert.throws(() => parseW1Slave('72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n'));
});
dec.run();

const drv = suite('Ds18b20');
function tree() {
  const root = mkdtempSync(join(tmpdir(), 'w1-'));
  const dir = join(root, 'devices');
  mkdirSync(join(dir, 'w1_bus_master1'), { recursive: true });
  mkdirSync(join(dir, '00-400000000000'), { recursive: true });
  const put = (dev: string, text: string) => {
    mkdirSync(join(dir, dev), { recursive: true });
    writeFileSync(join(dir, dev, 'w1_slave'), text);
  };
  return { root, dir, put, done: () => rmSync(root, { recursive: true, force: true }) };
}
drv('field case 5: re-reads a power-on value once after ≥ 750 ms', async () => {
  const t = tree();
  try {
    t.put('28-0316a2795aff', w1('50 05 4b 46 7f ff 0c 10 1c : crc=1c YES', '50 05 4b 46 7f ff 0c 10 1c t=85000'));
    const sleeps: number[] = [];
    const s = new Ds18b20('ds', fsSysfsReader('/'), async (ms) => {
      sleeps.push(ms);
      t.put('28-0316a2795aff', w1('72 01 4b 46 7f ff 0e 10 57 : crc=57 YES', '72 01 4b 46 7f ff 0e 10 57 t=23125'));
    }, { devicesDir: t.dir });
    await s.init();
    const r = await s.read();
    assert.ok(sleeps[0] >= 750);
    assert.is(r.values.tempC, 23.125);
  } finally {
    t.done();
  }
});
drv('field case 6: NO → no sample; file gone → missing, only 28-* rescanned; back → 22.062 °C', async () => {
  const t = tree();
  try {
    const dev = '28-0316a2795aff';
    t.put(dev, w1('ff ff ff ff ff ff ff ff ff : crc=c9 NO', '63 01 4b 46 7f ff 0d 10 15 t=-62'));
    const s = new Ds18b20('ds', fsSysfsReader('/'), async () => {}, { devicesDir: t.dir });
    await s.init();
    assert.is(s.deviceName, dev);
    const a = await s.read();
    assert.equal(a.values, {});
    rmSync(join(t.dir, dev), { recursive: true });
    await s.read().then(() => assert.unreachable(), (e) => assert.instance(e, SensorMissingError));
    await s.read().then(() => assert.unreachable(), (e) => assert.instance(e, SensorMissingError)); // w1_bus_master1 and 00-* ignored
    t.put(dev, w1('61 01 4b 46 7f ff 0f 10 02 : crc=02 YES', '61 01 4b 46 7f ff 0f 10 02 t=22062'));
    assert.is((await s.read()).values.tempC, 22.062);
  } finally {
    t.done();
  }
});
drv.run();
