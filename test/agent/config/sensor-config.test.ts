import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../../agent/config/config.js';
import { ConfigError } from '../../../agent/config/errors.js';
import { parseSensorConfigs, seriesOf } from '../../../agent/config/sensor-config.js';

const p = suite('parseSensorConfigs');
const fails = (raw: unknown, key: string, re: RegExp) => {
  try {
    parseSensorConfigs(raw);
    assert.unreachable('accepted');
  } catch (err) {
    assert.instance(err, ConfigError);
    assert.is((err as ConfigError).key, key);
    assert.match((err as Error).message, re);
  }
};

p('fills defaults for every sensor type', () => {
  const c = parseSensorConfigs([
    { type: 'bme280', id: 'bme' },
    { type: 'sht3x', id: 'sht', address: '0x45' },
    { type: 'sht4x', id: 'sht4' },
    { type: 'bh1750', id: 'lux', address: 0x5c },
    { type: 'ds18b20', id: 'probe', device: '28-0316a2795aff' },
    { type: 'pulse', id: 'rain', pin: 17, metric: 'rainMm', factor: 0.2794 },
    { type: 'digital', id: 'door', pin: 27, activeLow: true },
    { type: 'simulated' },
  ]);
  assert.equal(c[0], { type: 'bme280', id: 'bme', intervalMs: 10_000, series: {}, bus: 1, address: 0x76, mode: 'forced', osrsT: 1, osrsP: 1, osrsH: 1, filter: 0, standbyMs: 1000 });
  assert.is((c[1] as { address: number }).address, 0x45);
  assert.is((c[3] as { mtreg: number }).mtreg, 69);
  assert.is((c[4] as { w1Dir: string }).w1Dir, '/sys/bus/w1/devices');
  assert.equal({ ...(c[5] as object), series: undefined }, { type: 'pulse', id: 'rain', intervalMs: 10_000, series: undefined, pin: 17, edge: 'both', debounceMs: 20, countOn: 1, metric: 'rainMm', factor: 0.2794 });
  assert.is(c[7].id, 'sim7');
  assert.equal((c[7] as { metrics: string[] }).metrics, ['tempC', 'rhPct', 'pressurePa']);
});
p('a simulated sensor produces the metrics it lists (the footprint bench: 3 + 1 = 4 series)', () => {
  const [one] = parseSensorConfigs([{ type: 'simulated', id: 'sim1', metrics: ['tempC'] }]);
  assert.equal(seriesOf(one, 'pi').map((s) => s.seriesId), ['sim1.tempC']);
  assert.throws(() => parseSensorConfigs([{ type: 'simulated', metrics: ['lux'] }]), /metrics: got \["lux"\], expected a non-empty list of distinct tempC, rhPct, pressurePa/);
  assert.throws(() => parseSensorConfigs([{ type: 'simulated', metrics: [] }]), /metrics/);
});
p('names each series <sensorId>.<metric> with the unit and kind of builder/metrics', () => {
  const [bme, rain] = parseSensorConfigs([{ type: 'bme280', id: 'bme', series: { tempC: 'living.temp' } }, { type: 'pulse', id: 'rain', pin: 17, metric: 'rainMm' }]);
  assert.equal(seriesOf(bme, 'pi').map((s) => [s.seriesId, s.metric, s.unit, s.kind]), [
    ['living.temp', 'tempC', '°C', 'gauge'], ['bme.pressurePa', 'pressurePa', 'Pa', 'gauge'], ['bme.rhPct', 'rhPct', '%RH', 'gauge'],
  ]);
  assert.equal(seriesOf(rain, 'pi').map((s) => [s.seriesId, s.unit, s.kind]), [['rain.rainMm', 'mm', 'counter']]);
});
p('rejects an unknown type naming the allowed ones', () => fails([{ type: 'dht22', id: 'x' }], 'sensors[0].type', /allowed: bme280, bmp280, sht3x/));
p('rejects an address the chip cannot have', () => fails([{ type: 'bme280', id: 'x', address: 0x44 }], 'sensors[0].address', /allowed: 0x76, 0x77/));
p('rejects an unknown key naming the allowed ones', () => fails([{ type: 'sht3x', id: 'x', mtreg: 69 }], 'sensors[0].mtreg', /allowed: .*repeatability/));
p('rejects an interval under 1 s', () => fails([{ type: 'sht3x', id: 'x', intervalMs: 500 }], 'sensors[0].intervalMs', /1000–86400000/));
p('rejects MTreg outside 31…254', () => fails([{ type: 'bh1750', id: 'x', mtreg: 30 }], 'sensors[0].mtreg', /31–254/));
p('rejects an oversampling that is not a datasheet setting', () => fails([{ type: 'bme280', id: 'x', osrsP: 3 }], 'sensors[0].osrsP', /allowed: 0, 1, 2, 4, 8, 16/));
p('rejects pressure without temperature (t_fine)', () => fails([{ type: 'bme280', id: 'x', osrsT: 0 }], 'sensors[0].osrsT', /t_fine/));
p('rejects a missing pin and a bad factor', () => {
  fails([{ type: 'pulse', id: 'x' }], 'sensors[0].pin', /missing/);
  fails([{ type: 'pulse', id: 'x', pin: 17, factor: 0 }], 'sensors[0].factor', /> 0/);
});
p('rejects a malformed DS18B20 device name', () => fails([{ type: 'ds18b20', id: 'x', device: '10-000' }], 'sensors[0].device', /28-0316a2795aff/));
p('rejects a series name for a metric the sensor does not have', () => fails([{ type: 'sht3x', id: 'x', series: { pressurePa: 'p' } }], 'sensors[0].series.pressurePa', /allowed: tempC, rhPct/));
p('rejects duplicate ids, addresses and pins', () => {
  fails([{ type: 'sht3x', id: 'a' }, { type: 'sht3x', id: 'a', address: 0x45 }], 'sensors[1]', /id a is already used by sensors\[0\]/);
  fails([{ type: 'sht3x', id: 'a' }, { type: 'sht4x', id: 'b' }], 'sensors[1]', /address 0x44 is already used/);
  fails([{ type: 'pulse', id: 'a', pin: 17 }, { type: 'digital', id: 'b', pin: 17 }], 'sensors[1]', /BCM pin 17/);
});
p('is reached through parseConfig, which refuses the whole file', () => {
  assert.throws(() => parseConfig({ sensors: [{ type: 'bme280', id: 'x', bus: -1 }] }, 'pi'), /sensors\[0\]\.bus/);
  assert.is(parseConfig({}, 'pi').sensors.length, 0);
});
p.run();
