import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadVectors } from '../../support/vectors.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const FIX = join(ROOT, 'test/fixtures/sensors');

/** Run `sensorctl` as a child process, as a user would. */
function sensorctl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'cli/sensorctl.ts', ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const json = async (...args: string[]) => {
  const r = await sensorctl(...args, '--json');
  return { ...r, out: r.stdout ? JSON.parse(r.stdout) : undefined };
};

const d = suite('sensorctl decode');
d('field case 4: an SHT3x frame with a bad humidity CRC gives 23.73 °C and rhPct null with the reason (exit 0)', async () => {
  const r = await json('decode', 'sht3x', '--frame', '64 8B C7 5E B9 3D');
  assert.is(r.code, 0);
  assert.is(r.out.tempC.toFixed(2), '23.73');
  assert.is(r.out.rhPct, null);
  assert.equal(r.out.problems.map((p: { field: string; code: string }) => [p.field, p.code]), [['rhPct', 'crc_mismatch']]);
});
d('prints values with units in text mode', async () => {
  const r = await sensorctl('decode', 'sht3x', '--frame', '648BC75EB93C');
  assert.is(r.code, 0);
  assert.match(r.stdout, /Temperature\s+23\.7315\d* °C/);
  assert.match(r.stdout, /Humidity\s+37\.00\d* %RH/);
});
d('decodes a BME280 i2cdump listing to the vector values', async () => {
  const r = await json('decode', 'bme280', '--dump', join(FIX, 'i2cdump-bme280-000.txt'));
  const e = loadVectors('bme280').cases[0].datasheet_listing.double;
  assert.is(r.code, 0);
  assert.ok(Math.abs(r.out.tempC - e.temperature_c) <= 1e-6);
  assert.ok(Math.abs(r.out.pressurePa - e.pressure_pa) <= 1e-4);
  assert.ok(Math.abs(r.out.rhPct - e.humidity_rh) <= 1e-6);
  assert.equal(r.out.problems, []);
});
d('decodes BME280 bytes given as repeated --reg, as the issue shows', async () => {
  const c = loadVectors('bme280').cases[4];
  const h = (a: number[]) => Buffer.from(a).toString('hex');
  const r = await json('decode', 'bme280', '--reg', `0x88=${h(c.input.calib_0x88_0xA1)}`, '--reg', `0xE1=${h(c.input.calib_0xE1_0xE7)}`, '--reg', `0xF7=${h(c.input.data_0xF7_0xFE)}`);
  assert.is(r.code, 0);
  assert.ok(Math.abs(r.out.rhPct - c.datasheet_listing.double.humidity_rh) <= 1e-6);
});
d('field case 3: skipped channels (ctrl_meas 0x03, data 80 00 00 80 00 00) give nulls, the reasons and exit 1', async () => {
  const r = await json('decode', 'bme280', '--dump', join(FIX, 'i2cdump-bme280-skipped.txt'));
  assert.is(r.code, 1);
  assert.equal([r.out.tempC, r.out.pressurePa, r.out.rhPct], [null, null, null]);
  assert.equal(r.out.problems.slice(0, 2).map((p: { code: string }) => p.code), ['skipped', 'skipped']);
  assert.ok(r.out.notes.some((n: string) => /ctrl_meas 0x03.*temperature skipped/.test(n)));
});
d('a BMP280 listing has no humidity key', async () => {
  const c = loadVectors('bme280').cases[0];
  const h = (a: number[]) => Buffer.from(a).toString('hex');
  const r = await json('decode', 'bmp280', '--reg', `0x88=${h(c.input.calib_0x88_0xA1)}`, '--reg', `0xF7=${h(c.input.data_0xF7_0xFE.slice(0, 6))}`);
  assert.equal(Object.keys(r.out).filter((k) => !['chip', 'problems', 'notes'].includes(k)), ['tempC', 'pressurePa']);
});
d('BH1750: the datasheet example 83 90 is 28066.67 lx; H2 and MTreg scale it', async () => {
  assert.ok(Math.abs((await json('decode', 'bh1750', '--raw', '83 90')).out.illuminanceLux - 28066.666666666668) < 1e-9);
  assert.ok(Math.abs((await json('decode', 'bh1750', '--raw', '83 90', '--mode', 'h2', '--mtreg', '138')).out.illuminanceLux - 28066.666666666668 / 4) < 1e-9);
});
d('DS18B20: field cases 5 and 6 from w1_slave files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'decode-'));
  try {
    const put = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
    const por = await json('decode', 'ds18b20', '--file', put('por', '50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=85000\n'));
    assert.is(por.code, 1);
    assert.is(por.out.tempC, null);
    assert.is(por.out.problems[0].code, 'power_on_reset');
    const ok = await json('decode', 'ds18b20', '--file', put('ok', '61 01 4b 46 7f ff 0f 10 02 : crc=02 YES\n61 01 4b 46 7f ff 0f 10 02 t=22062\n'));
    assert.is(ok.out.tempC, 22.062);
    const no = await json('decode', 'ds18b20', '--file', put('no', 'ff ff ff ff ff ff ff ff ff : crc=c9 NO\n63 01 4b 46 7f ff 0d 10 15 t=-62\n'));
    assert.equal([no.code, no.out.tempC, no.out.problems[0].code], [1, null, 'crc_mismatch']);
    const cut = await sensorctl('decode', 'ds18b20', '--file', put('cut', '72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n'));
    assert.is(cut.code, 2);
    assert.match(cut.stderr, /1 line/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
d('malformed input exits 2 with what was expected, without a stack trace', async () => {
  const cases: Array<[string[], string]> = [
    [['decode', 'sht3x', '--frame', '64 8B'], 'sensorctl: decode sht3x: --frame has 2 bytes, expected 6 (T msb, T lsb, T crc, RH msb, RH lsb, RH crc)'],
    [['decode', 'sht3x', '--frame', 'hello'], 'sensorctl: decode sht3x: --frame "hello": expected hex bytes like "64 8B C7"'],
    [['decode', 'sht3x'], 'sensorctl: decode sht3x needs --frame HEX, e.g. --frame "64 8B C7 5E B9 3C"'],
    [['decode', 'bh1750', '--raw', '8390', '--mtreg', '300'], 'sensorctl: decode bh1750: --mtreg 300: expected an integer 31–254'],
    [['decode', 'bme280', '--reg', '0xF7=800000800000'], 'sensorctl: decode bme280: the calibration needs registers 0x88–0xA1; missing 0x88 0x89 0x8A 0x8B 0x8C 0x8D 0x8E 0x8F 0x90 0x91 0x92 0x93 0x94 0x95 0x96 0x97 0x98 0x99 0x9A 0x9B 0x9C 0x9D 0x9E 0x9F 0xA0 0xA1'],
    [['decode', 'bme280', '--reg', 'F7'], 'sensorctl: decode bme280: --reg "F7": expected ADDR=HEXBYTES, e.g. 0xF7=8000008000008000'],
    [['decode', 'bme280', '--dump', '/nonexistent/dump.txt'], 'sensorctl: --dump /nonexistent/dump.txt: ENOENT'],
    [['decode', 'lm75', '--frame', '00'], "error: command-argument value 'lm75' is invalid for argument 'chip'. Allowed choices are bme280, bmp280, sht3x, sht4x, bh1750, ds18b20.\n(run with --help for usage)"],
  ];
  for (const [args, message] of cases) {
    const r = await sensorctl(...args);
    assert.is(r.code, 2, args.join(' '));
    assert.is(r.stderr, `${message}\n`, args.join(' '));
    assert.is(r.stdout, '', args.join(' '));
  }
});
d.run();
