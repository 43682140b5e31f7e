/**
 * The daemon with an `mqtt` section against a real mosquitto: the simulated sensor's first samples
 * reach MQTT as state messages with Home Assistant discovery, `/metrics` on the daemon's own HTTP
 * server passes promtool and shows the same values, and bad broker config stops the start naming the key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../agent/config/config.js';
import { ConfigError } from '../../agent/config/errors.js';
import { startDaemon } from '../../pi/daemon.js';
import { silentLog } from '../../builder/ports.js';
import { MOSQUITTO_HINT, MOSQUITTO_MISSING, record, startMosquitto } from '../support/mosquitto.js';
import { PROMETHEUS_MISSING, promtoolCheck } from '../support/prometheus.js';
import { requiring } from '../support/requirement.js';

const daemon = suite('daemon: MQTT and /metrics');
const test = requiring(daemon, [...MOSQUITTO_MISSING, ...PROMETHEUS_MISSING], `${MOSQUITTO_HINT} prometheus`);

test('stored samples reach MQTT and /metrics; /metrics passes promtool', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'obs-daemon-'));
  const broker = await startMosquitto();
  const rec = await record(broker.url, ['homeassistant/#', 'sensorctl/#']);
  const config = parseConfig({ deviceId: 'pi-obs', http: { port: 0 }, mqtt: { url: broker.url } }, 'pi');
  const d = await startDaemon({ config, dataDir, log: silentLog });
  try {
    const state = await rec.waitFor((m) => m.topic === 'sensorctl/pi-obs/series/sim.tempC/state', 15_000, 'the simulated temperature');
    const { value, unit } = JSON.parse(state.payload);
    assert.is(unit, '°C');
    assert.type(value, 'number');
    const discovery = JSON.parse((await rec.waitFor((m) => m.topic === 'homeassistant/sensor/sensorctl_pi-obs/sim_tempC/config')).payload);
    assert.is(discovery.device.name, 'sensorctl pi-obs');
    await d.firstBuild;
    const r = await fetch(new URL('/metrics', d.url));
    assert.is(r.status, 200);
    const text = await r.text();
    assert.ok(text.includes(`sensorctl_series_value{device="pi-obs",series="sim.tempC",unit="°C"} ${value}`), 'the value MQTT got');
    assert.ok(text.includes('sensorctl_mqtt_connected 1'));
    assert.match(text, /sensorctl_snapshot_age_seconds\{window="1h",granularity="500"\} \d/);
    assert.match(text, /sensorctl_build_duration_seconds_count\{window="1h",outcome="ok"\} [1-9]/);
    assert.match(text, /sensorctl_database_size_bytes [1-9]/);
    const check = promtoolCheck(text);
    assert.is(check.output, '', check.output);
  } finally {
    await d.stop();
    await rec.close();
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

daemon('a password variable that is unset stops the start with a ConfigError naming mqtt.passwordEnv', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'obs-daemon-'));
  const config = parseConfig({ deviceId: 'pi-obs', http: { port: 0 }, mqtt: { url: 'mqtt://127.0.0.1:1', username: 'u', passwordEnv: 'SENSORCTL_TEST_UNSET_PASSWORD' } }, 'pi');
  try {
    const err = await startDaemon({ config, dataDir, log: silentLog }).then(() => undefined, (e) => e);
    assert.instance(err, ConfigError);
    assert.is((err as ConfigError).key, 'mqtt.passwordEnv');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

daemon.run();
