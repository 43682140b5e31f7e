import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SensorSetupError } from '../../sensors/errors.js';
import { DigitalInputSensor, PulseCounterSensor } from '../../sensors/gpio-inputs.js';
import { kernelGpioNumber } from '../../sensors/gpio-numbering.js';
import { PulseCounter, type StateStore } from '../../sensors/pulse-counter.js';
import { SysfsGpio } from '../../sensors/sysfs-gpio.js';
import { FakeEdgeSource, FakeSysfsGpio } from '../support/fake-sysfs-gpio.js';

const PI4_CHIPS = [
  { base: 512, ngpio: 58, label: 'pinctrl-bcm2711' },
  { base: 570, ngpio: 8, label: 'raspberrypi-exp-gpio' },
];
const PI5_CHIPS = [
  { base: 512, ngpio: 54, label: 'pinctrl-bcm2712' },
  { base: 566, ngpio: 5, label: 'gpio-brcmstb@107d508500' },
  { base: 571, ngpio: 54, label: 'pinctrl-rp1' },
];
const mapState = (): StateStore & { m: Map<string, string> } => {
  const m = new Map<string, string>();
  return { m, getState: (k) => m.get(k), setState: (k, v) => void m.set(k, v) };
};
const named = (chips: typeof PI4_CHIPS) => chips.map((c) => ({ ...c, name: `gpiochip${c.base}` }));

const num = suite('kernelGpioNumber');
num('field case 1: BCM 17 is 529 on a Pi 4 kernel with gpiochip512, ignoring the expander chip', () => {
  assert.is(kernelGpioNumber(17, named(PI4_CHIPS)), 529);
});
num('field case 1: BCM 17 is 588 on a Pi 5 (pinctrl-rp1 at base 571), not on the bcm2712 chip', () => {
  assert.is(kernelGpioNumber(17, named(PI5_CHIPS)), 588);
});
num('keeps base 0 on older kernels', () => {
  assert.is(kernelGpioNumber(17, [{ name: 'gpiochip0', base: 0, ngpio: 54, label: 'pinctrl-bcm2835' }]), 17);
});
num('rejects a pin beyond the chip and a system with no header chip', () => {
  assert.throws(() => kernelGpioNumber(60, named(PI4_CHIPS)), (e: unknown) => e instanceof SensorSetupError);
  assert.throws(() => kernelGpioNumber(17, named([PI4_CHIPS[1]])), /no Raspberry Pi header GPIO chip/);
});
num.run();

const pc = suite('PulseCounter');
const BOUNCE: Array<[number, 0 | 1]> = [[0.0, 0], [1.2, 1], [1.9, 0], [3.4, 1], [4.0, 0], [250.0, 1], [2400.0, 0], [2401.1, 1], [2401.7, 0], [2655.0, 1]];
pc('field case 2: the bounce sequence is 2 tips, not 5', () => {
  const c = new PulseCounter('rain', { debounceMs: 20, countOn: 1, initialLevel: 0 });
  for (const [t, v] of BOUNCE) c.onEdge(t, v);
  assert.is(c.take(3000), 2);
  assert.is(c.take(4000), 0);
});
pc('any debounce window between the longest bounce gap and the shortest real level works', () => {
  for (const w of [2, 10, 50, 200, 245]) {
    const c = new PulseCounter('rain', { debounceMs: w, countOn: 1, initialLevel: 0 });
    for (const [t, v] of BOUNCE) c.onEdge(t, v);
    assert.is(c.take(10_000), 2, `window ${w} ms`);
  }
  const naive = BOUNCE.filter(([, v], i) => i > 0 && v === 1).length;
  assert.is(naive, 5);
});
pc('counts a level that is not yet stable at take() in the next take', () => {
  const c = new PulseCounter('rain', { debounceMs: 20, countOn: 1, initialLevel: 0 });
  c.onEdge(100, 1);
  assert.is(c.take(110), 0);
  assert.is(c.take(130), 1);
});
pc('with rising-only interrupts, edges within the window after a counted one are ignored (lockout)', () => {
  const c = new PulseCounter('rain', { debounceMs: 20, countOn: 1, initialLevel: 0, mode: 'edge' });
  for (const t of [1.2, 3.4, 4.9, 250, 263, 900]) c.onEdge(t, 1);
  assert.is(c.take(1000), 3);
});
pc('the untaken count survives a restart through the state store', () => {
  const st = mapState();
  const a = new PulseCounter('rain', { debounceMs: 20, countOn: 1, initialLevel: 0 }, st);
  for (const [t, v] of BOUNCE) a.onEdge(t, v);
  a.onEdge(3000, 0); // settles the 2655 closure
  const b = new PulseCounter('rain', { debounceMs: 20, countOn: 1, initialLevel: 0 }, st);
  assert.is(b.take(5000), 2);
  const c = new PulseCounter('rain', { debounceMs: 20, countOn: 1, initialLevel: 0 }, st);
  assert.is(c.take(5000), 0);
});
pc.run();

const sensor = suite('PulseCounterSensor');
sensor('field case 1+2: exports 529 (not 17), sets input/both, and turns 2 tips into 0.5588 mm', async () => {
  const fs = new FakeSysfsGpio(PI4_CHIPS);
  try {
    const edges = new FakeEdgeSource(fs);
    const s = new PulseCounterSensor('rain', new SysfsGpio(fs.root, fs.files), edges, { bcmPin: 17, edge: 'both', debounceMs: 20, countOn: 1, metric: 'rainMm', factor: 0.2794 }, mapState());
    await s.init();
    assert.equal(fs.exports, [529]);
    assert.is(fs.read(529, 'direction'), 'in');
    assert.is(fs.read(529, 'edge'), 'both');
    for (const [t, v] of BOUNCE) edges.emit(529, t, v);
    edges.now = 3000;
    const r = await s.read();
    assert.ok(Math.abs(r.values.rainMm! - 0.5588) < 1e-12, String(r.values.rainMm));
  } finally {
    fs.remove();
  }
});
sensor('field case 1: reuses gpio529 left exported by a killed process (EBUSY)', async () => {
  const fs = new FakeSysfsGpio(PI4_CHIPS);
  try {
    fs.preExport(529);
    const gpio = new SysfsGpio(fs.root, fs.files);
    assert.is(await gpio.export(529, 'rain'), 'reused');
    // the directory appearing between the check and the write: the kernel answers EBUSY, still reuse
    let checks = 0;
    const racing = new SysfsGpio(fs.root, { ...fs.files, exists: (p) => (checks++ === 0 ? false : fs.files.exists(p)) });
    assert.is(await racing.export(529, 'rain'), 'reused');
    assert.equal(fs.exports, [529]);
  } finally {
    fs.remove();
  }
});
sensor('writing the bare BCM number would be EINVAL: the adapter reports it as a setup error', async () => {
  const fs = new FakeSysfsGpio(PI4_CHIPS);
  try {
    await new SysfsGpio(fs.root, fs.files).export(17, 'rain').then(() => assert.unreachable(), (e) => {
      assert.instance(e, SensorSetupError);
      assert.match(e.message, /EINVAL/);
    });
  } finally {
    fs.remove();
  }
});
sensor('anemometer: pulse rate × km/h per Hz', async () => {
  const fs = new FakeSysfsGpio(PI5_CHIPS);
  try {
    const edges = new FakeEdgeSource(fs);
    const s = new PulseCounterSensor('wind', new SysfsGpio(fs.root, fs.files), edges, { bcmPin: 5, edge: 'both', debounceMs: 2, countOn: 1, metric: 'windKmh', factor: 2.4 }, mapState());
    await s.init();
    for (let i = 0; i < 20; i++) {
      edges.emit(576, i * 500, 1);
      edges.emit(576, i * 500 + 100, 0);
    }
    edges.now = 10_000;
    assert.ok(Math.abs((await s.read()).values.windKmh! - 2 * 2.4) < 1e-12);
  } finally {
    fs.remove();
  }
});
sensor.run();

const dig = suite('DigitalInputSensor');
dig('reads the door contact as 0/1, inverted when active low', async () => {
  const fs = new FakeSysfsGpio(PI4_CHIPS);
  try {
    const s = new DigitalInputSensor('door', new SysfsGpio(fs.root, fs.files), { bcmPin: 27, activeLow: true });
    await s.init();
    fs.setLevel(539, 0);
    assert.equal((await s.read()).values, { state: 1 });
    fs.setLevel(539, 1);
    assert.equal((await s.read()).values, { state: 0 });
  } finally {
    fs.remove();
  }
});
dig.run();
