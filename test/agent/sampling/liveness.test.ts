import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { samplingLiveness, staleAfterMsFor, type SamplerProgress } from '../../../agent/sampling/liveness.js';
import { ClockGuard } from '../../../agent/sampling/clock-guard.js';
import { Sampler } from '../../../agent/sampling/sampler.js';
import type { SensorDriver } from '../../../sensors/driver.js';
import { parseSensorConfigs, seriesOf } from '../../../agent/config/sensor-config.js';
import { SqliteBuffer } from '../../../sqlite/sqlite-buffer.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { VirtualTime } from '../../support/virtual-time.js';

const base: SamplerProgress = {
  startedMonoMs: 0, nowMonoMs: 600_000, lastAdmittedMonoMs: 596_000, seriesCount: 3, heldSamples: 0,
  sensors: [{ id: 'bme', state: 'online' }, { id: 'soil', state: 'online' }],
};

const l = suite('samplingLiveness');
l('healthy while samples are stored; STATUS says what the agent does', () => {
  assert.equal(samplingLiveness(base, 60_000, 12), { isHealthy: true, status: 'sampling 3 series, last stored 4 s ago, upload backlog 12' });
  assert.equal(samplingLiveness(base, 60_000), { isHealthy: true, status: 'sampling 3 series, last stored 4 s ago' });
});
l('unhealthy when nothing was stored for longer than staleAfterMs though sensors should deliver', () => {
  assert.equal(samplingLiveness({ ...base, lastAdmittedMonoMs: 500_000 }, 60_000), { isHealthy: false, status: 'sampling 3 series, last stored 100 s ago' });
  assert.is(samplingLiveness({ ...base, lastAdmittedMonoMs: undefined }, 60_000).isHealthy, false);
  assert.is(samplingLiveness({ ...base, lastAdmittedMonoMs: undefined, nowMonoMs: 30_000 }, 60_000).isHealthy, true, 'grace after start');
});
l('unhealthy when a read hangs, even if another sensor stores', () => {
  const r = samplingLiveness({ ...base, oldestReadInFlightMonoMs: 400_000 }, 60_000);
  assert.equal(r, { isHealthy: false, status: 'sampling 3 series, last stored 4 s ago, a read hangs for 200 s' });
});
l('healthy when every sensor is offline or disabled (a restart would not help), and the status names them', () => {
  const r = samplingLiveness({ ...base, lastAdmittedMonoMs: 100_000, sensors: [{ id: 'bme', state: 'offline' }, { id: 'soil', state: 'disabled' }] }, 60_000);
  assert.equal(r, { isHealthy: true, status: 'sampling 3 series, last stored 500 s ago, bme offline, soil disabled' });
});
l('says when samples are held for an untrusted clock (held counts as sampling)', () => {
  assert.equal(samplingLiveness({ ...base, heldSamples: 39 }, 60_000).status, 'sampling 3 series, last stored 4 s ago, holding 39 samples (clock untrusted)');
});
l('staleAfterMs: three times the longest interval, at least 60 s', () => {
  assert.is(staleAfterMsFor([10_000, 60_000]), 180_000);
  assert.is(staleAfterMsFor([10_000]), 60_000);
});
l.run();

const s = suite('Sampler progress');
s('issue 12: a read that never returns (the event loop still runs) makes sampling unhealthy', async () => {
  const time = new VirtualTime(Date.UTC(2026, 10, 30));
  let n = 0;
  const driver: SensorDriver = {
    id: 'bme', metrics: ['tempC'], init: async () => {}, close: async () => {},
    read: () => (n++ < 6 ? Promise.resolve({ values: { tempC: 20 }, problems: [] }) : new Promise(() => {})), // the 7th read hangs
  };
  const c = parseSensorConfigs([{ type: 'simulated', id: 'bme' }])[0];
  const buffer = SqliteBuffer.open(':memory:');
  const log = recordingLogger();
  const sampler = new Sampler({
    deviceId: 'pi', buffer, clock: time, scheduler: time, log, guard: new ClockGuard({ buildDateMs: 0, log }),
    sensors: [{ driver, type: 'test', intervalMs: 10_000, series: new Map(seriesOf(c, 'pi').filter((x) => x.metric === 'tempC').map((x) => [x.metric, x])) }],
  });
  sampler.start();
  await time.advance(59_000);
  assert.equal(samplingLiveness(sampler.progress(), 60_000), { isHealthy: true, status: 'sampling 1 series, last stored 9 s ago' });
  await time.advance(120_000); // hung since 60 s
  assert.equal(samplingLiveness(sampler.progress(), 60_000), { isHealthy: false, status: 'sampling 1 series, last stored 129 s ago, a read hangs for 119 s' });
  buffer.close();
});
s.run();
