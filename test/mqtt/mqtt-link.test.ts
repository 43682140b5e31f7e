/**
 * The agent's MQTT path against a real broker (Debian's mosquitto on 127.0.0.1): discovery and state
 * messages arrive as Home Assistant would read them, the last will fires when the agent is killed, a
 * broker restart is survived, and broker misconfiguration is reported naming the config key.
 */
import { spawn } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMqttConfig } from '../../agent/config/mqtt-config.js';
import { ConfigError } from '../../agent/config/errors.js';
import { ObservedBuffer } from '../../agent/buffer/observed-buffer.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { mqttLinkOptions, startMqtt, type RunningMqtt } from '../../pi/mqtt-service.js';
import { brokerErrorMessage } from '../../mqtt/mqtt-link.js';
import { silentLog } from '../../builder/ports.js';
import type { SeriesInfo } from '../../builder/types.js';
import { recordingLogger } from '../support/recording-logger.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MOSQUITTO_HINT, MOSQUITTO_MISSING, OPENSSL_MISSING, makeTestCertificates, record, startMosquitto, type MosquittoHandle, type Recorder } from '../support/mosquitto.js';
import { requiring } from '../support/requirement.js';

const HEALTH = { uploadBacklogItems: 3, snapshotAgeS: 42, staleSnapshots: 0, sensorsFailing: 1 };
const SERIES: SeriesInfo[] = [
  { deviceId: 'pi-test', seriesId: 'bme.tempC', sensorId: 'bme', metric: 'tempC', unit: '°C', kind: 'gauge' },
  { deviceId: 'pi-test', seriesId: 'rain.rainMm', sensorId: 'rain', metric: 'rainMm', unit: 'mm', kind: 'counter' },
];

async function agent(broker: MosquittoHandle, log = recordingLogger(), extra: Record<string, unknown> = {}): Promise<{ buffer: ObservedBuffer; mqtt: RunningMqtt; log: ReturnType<typeof recordingLogger> }> {
  const mqtt = await startMqtt({
    mqtt: parseMqttConfig({ url: broker.url, ...extra })!, deviceId: 'pi-test', version: '0.1.0-test', log, health: async () => HEALTH,
    link: { reconnectPeriodMs: 200 },
  });
  const buffer = new ObservedBuffer(SqliteBuffer.open(':memory:'));
  buffer.observe(mqtt.publisher);
  buffer.defineSeries(SERIES);
  return { buffer, mqtt, log };
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const broker = suite('MQTT against mosquitto');
const test = requiring(broker, MOSQUITTO_MISSING, MOSQUITTO_HINT);

test('discovery, availability and health arrive retained; states carry value, unit and time', async () => {
  const b = await startMosquitto();
  let rec: Recorder | undefined;
  const a = await agent(b);
  try {
    await until(() => a.mqtt.isConnected(), 5_000, 'the agent to connect');
    a.buffer.insert('pi-test', [{ seriesId: 'bme.tempC', tsMs: Date.UTC(2026, 11, 3), value: 21.25 }, { seriesId: 'rain.rainMm', tsMs: Date.UTC(2026, 11, 3), value: 0.2 }]);
    a.buffer.insert('pi-test', [{ seriesId: 'rain.rainMm', tsMs: Date.UTC(2026, 11, 3) + 60_000, value: 0.4 }]);
    // A late subscriber (Home Assistant starting after the agent) gets the retained messages.
    rec = await record(b.url, ['homeassistant/#', 'sensorctl/#']);
    const config = await rec.waitFor((m) => m.topic === 'homeassistant/sensor/sensorctl_pi-test/bme_tempC/config', 5_000, 'temperature discovery');
    assert.ok(config.retain);
    const payload = JSON.parse(config.payload);
    assert.is(payload.device_class, 'temperature');
    assert.is(payload.unit_of_measurement, '°C');
    assert.is(payload.state_topic, 'sensorctl/pi-test/series/bme.tempC/state');
    const rain = JSON.parse((await rec.waitFor((m) => m.topic.endsWith('/rain_rainMm/config'))).payload);
    assert.equal([rain.device_class, rain.state_class, rain.value_template], ['precipitation', 'total_increasing', '{{ value_json.total }}']);
    const diag = JSON.parse((await rec.waitFor((m) => m.topic.endsWith('/health_sensorsFailing/config'))).payload);
    assert.is(diag.entity_category, 'diagnostic');
    assert.is((await rec.waitFor((m) => m.topic === 'sensorctl/pi-test/status')).payload, 'online');
    assert.equal(JSON.parse((await rec.waitFor((m) => m.topic === 'sensorctl/pi-test/health/state')).payload), HEALTH);
    const temp = JSON.parse((await rec.waitFor((m) => m.topic === 'sensorctl/pi-test/series/bme.tempC/state')).payload);
    assert.equal(temp, { value: 21.25, unit: '°C', tsMs: Date.UTC(2026, 11, 3), time: '2026-12-03T00:00:00.000Z' });
    const rainState = JSON.parse((await rec.waitFor((m) => m.topic === 'sensorctl/pi-test/series/rain.rainMm/state')).payload);
    assert.is(rainState.total, 0.6000000000000001, 'the retained state is the latest: running total 0.2 + 0.4');
  } finally {
    await rec?.close();
    await a.mqtt.stop();
    await b.close();
  }
});

test("Home Assistant's birth message (homeassistant/status = online) makes the agent send discovery again", async () => {
  const b = await startMosquitto();
  const a = await agent(b);
  const rec = await record(b.url, ['homeassistant/sensor/#']);
  try {
    await until(() => a.mqtt.isConnected(), 5_000, 'the agent to connect');
    await rec.waitFor((m) => m.topic.endsWith('/bme_tempC/config'));
    const before = rec.messages.length;
    await rec.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
    await rec.waitFor((m) => rec.messages.indexOf(m) >= before && m.topic.endsWith('/bme_tempC/config'), 5_000, 'discovery after the birth message');
    assert.ok(a.log.lines.includes('info mqtt: Home Assistant came online; discovery sent again'));
  } finally {
    await rec.close();
    await a.mqtt.stop();
    await b.close();
  }
});

test('the last will publishes offline when the agent is killed with SIGKILL; a clean stop publishes offline itself', async () => {
  const b = await startMosquitto();
  const rec = await record(b.url, ['sensorctl/+/status']);
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mqtt-child.ts', b.url, 'pi-killed'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d) => String(d).includes('connected') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    await rec.waitFor((m) => m.topic === 'sensorctl/pi-killed/status' && m.payload === 'online');
    child.kill('SIGKILL');
    const will = await rec.waitFor((m) => m.topic === 'sensorctl/pi-killed/status' && m.payload === 'offline', 10_000, 'the last will');
    assert.ok(will);
    const a = await agent(b);
    await until(() => a.mqtt.isConnected(), 5_000, 'the agent to connect');
    await rec.waitFor((m) => m.topic === 'sensorctl/pi-test/status' && m.payload === 'online');
    await a.mqtt.stop();
    await rec.waitFor((m) => m.topic === 'sensorctl/pi-test/status' && m.payload === 'offline', 5_000, 'offline on a clean stop');
  } finally {
    child.kill('SIGKILL');
    await rec.close();
    await b.close();
  }
});

test('a broker restart is survived: inserts never wait, states during the outage are dropped and counted, publishing resumes', async () => {
  const b = await startMosquitto();
  const a = await agent(b);
  try {
    await until(() => a.mqtt.isConnected(), 5_000, 'the agent to connect');
    await b.stop();
    await until(() => !a.mqtt.isConnected(), 5_000, 'the agent to notice the broker is gone');
    const t0 = performance.now();
    a.buffer.insert('pi-test', [{ seriesId: 'bme.tempC', tsMs: 1_000, value: 1 }]);
    const insertMs = performance.now() - t0;
    assert.ok(insertMs < 1_000, `insert took ${insertMs} ms while the broker was down`);
    assert.is(a.buffer.stats('pi-test').find((s) => s.seriesId === 'bme.tempC')!.count, 1, 'the sample is in SQLite');
    assert.is(a.mqtt.publisher.counts.dropped, 1);
    await b.start();
    await until(() => a.mqtt.isConnected(), 10_000, 'the agent to reconnect');
    const rec = await record(b.url, ['sensorctl/#']);
    try {
      a.buffer.insert('pi-test', [{ seriesId: 'bme.tempC', tsMs: 2_000, value: 2 }]);
      const state = await rec.waitFor((m) => m.topic === 'sensorctl/pi-test/series/bme.tempC/state', 5_000, 'a state after the restart');
      assert.is(JSON.parse(state.payload).value, 2);
      assert.is((await rec.waitFor((m) => m.topic === 'sensorctl/pi-test/status')).payload, 'online', 'online again (the broker kept no retained state)');
      assert.not.ok(rec.messages.some((m) => m.topic.endsWith('/state') && m.payload.includes('"value":1,')), 'the missed sample is not replayed by default');
    } finally {
      await rec.close();
    }
    const lines = a.log.lines.filter((l) => l.startsWith('warn mqtt:'));
    assert.ok(lines.length <= 3, `one line per change, got:\n${lines.join('\n')}`);
    assert.ok(a.log.lines.includes('info mqtt: reconnected to the broker'));
  } finally {
    await a.mqtt.stop();
    await b.close();
  }
});

test('with replayMissed the samples stored during the outage are published after the reconnect', async () => {
  const b = await startMosquitto();
  const a = await agent(b, recordingLogger(), { replayMissed: true });
  try {
    await until(() => a.mqtt.isConnected(), 5_000, 'the agent to connect');
    await b.stop();
    await until(() => !a.mqtt.isConnected(), 5_000, 'the agent to notice the broker is gone');
    a.buffer.insert('pi-test', [{ seriesId: 'bme.tempC', tsMs: 1_000, value: 1 }]);
    await b.start();
    const rec = await record(b.url, ['sensorctl/pi-test/series/#']);
    try {
      const m = await rec.waitFor((x) => JSON.parse(x.payload).value === 1, 10_000, 'the replayed state');
      assert.is(m.topic, 'sensorctl/pi-test/series/bme.tempC/state');
    } finally {
      await rec.close();
    }
  } finally {
    await a.mqtt.stop();
    await b.close();
  }
});

test('a wrong password is logged once, naming the config keys to check; sampling is not affected', async () => {
  const b = await startMosquitto({ users: { sensorctl: 'right' } });
  const log = recordingLogger();
  const a = await agent(b, log, { username: 'sensorctl', passwordEnv: 'TEST_MQTT_PASSWORD' }).catch((err) => err);
  assert.instance(a, ConfigError, 'the variable is unset');
  assert.is((a as ConfigError).key, 'mqtt.passwordEnv');
  process.env.TEST_MQTT_PASSWORD = 'wrong';
  const running = await agent(b, log, { username: 'sensorctl', passwordEnv: 'TEST_MQTT_PASSWORD' });
  try {
    await until(() => log.lines.some((l) => l.includes('refused')), 5_000, 'the refusal to be logged');
    await new Promise((r) => setTimeout(r, 600)); // a few reconnect attempts (every 200 ms)
    const refusals = log.lines.filter((l) => l.includes('refused'));
    assert.is(refusals.length, 1, refusals.join('\n'));
    assert.match(refusals[0], /mqtt\.username/);
    running.buffer.insert('pi-test', [{ seriesId: 'bme.tempC', tsMs: 1, value: 1 }]);
    assert.is(running.buffer.stats('pi-test')[0].count, 1);
    // The right password, from a file, connects.
    const file = join(mkdtempSync(join(tmpdir(), 'mqtt-pw-')), 'password');
    writeFileSync(file, 'right\n', { mode: 0o600 });
    const good = await agent(b, recordingLogger(), { username: 'sensorctl', passwordFile: file });
    try {
      await until(() => good.mqtt.isConnected(), 5_000, 'the connection with the password from the file');
    } finally {
      await good.mqtt.stop();
      rmSync(dirname(file), { recursive: true, force: true });
    }
  } finally {
    delete process.env.TEST_MQTT_PASSWORD;
    await running.mqtt.stop();
    await b.close();
  }
});

const tls = suite('MQTT over TLS against mosquitto');
const tlsTest = requiring(tls, [...MOSQUITTO_MISSING, ...OPENSSL_MISSING], `${MOSQUITTO_HINT} openssl`);

tlsTest('mqtts with tls.caFile connects and publishes; without the CA the TLS failure names mqtt.tls.caFile', async () => {
  const certs = makeTestCertificates();
  const b = await startMosquitto({ tls: certs });
  const log = recordingLogger();
  const untrusted = await agent(b, log);
  const trusted = await agent(b, recordingLogger(), { tls: { caFile: certs.caFile } });
  try {
    await until(() => trusted.mqtt.isConnected(), 5_000, 'the TLS connection');
    await until(() => log.lines.length > 0, 5_000, 'the TLS failure to be logged');
    assert.not.ok(untrusted.mqtt.isConnected());
    assert.match(log.lines[0], /^warn mqtt: TLS handshake failed: .*\(check mqtt\.tls\.caFile, mqtt\.tls\.rejectUnauthorized\)$/);
    const rec = await record(b.url, ['sensorctl/#'], { ca: readFileSync(certs.caFile, 'utf8') });
    try {
      trusted.buffer.insert('pi-test', [{ seriesId: 'bme.tempC', tsMs: 5_000, value: 5 }]);
      assert.is(JSON.parse((await rec.waitFor((m) => m.topic === 'sensorctl/pi-test/series/bme.tempC/state')).payload).value, 5);
    } finally {
      await rec.close();
    }
  } finally {
    await untrusted.mqtt.stop();
    await trusted.mqtt.stop();
    await b.close();
    rmSync(certs.dir, { recursive: true, force: true });
  }
});

const errors = suite('broker configuration errors');

errors('an unreadable password file or TLS file is a ConfigError naming the key', () => {
  const missing = (p: string) => {
    throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  };
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ username: 'u', passwordFile: '/etc/sensorctl/nope' }, 'mqtt.passwordFile', /cannot read the password file \/etc\/sensorctl\/nope: ENOENT/],
    [{ tls: { caFile: '/etc/ca.pem' } }, 'mqtt.tls.caFile', /cannot read the PEM file \/etc\/ca.pem: ENOENT/],
  ];
  for (const [extra, key, message] of cases) {
    try {
      mqttLinkOptions(parseMqttConfig({ url: 'mqtts://b', ...extra })!, 'pi', silentLog, {}, missing);
      assert.unreachable(key);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      assert.is(err.key, key);
      assert.match(err.message, message);
    }
  }
  const empty = () => mqttLinkOptions(parseMqttConfig({ url: 'mqtt://b', username: 'u', passwordFile: '/pw' })!, 'pi', silentLog, {}, () => '\n');
  assert.throws(empty, /config mqtt.passwordFile: \/pw is empty/);
  const ok = mqttLinkOptions(parseMqttConfig({ url: 'mqtt://b', username: 'u', passwordFile: '/pw' })!, 'pi', silentLog, {}, () => 's3cret\n');
  assert.equal([ok.password, ok.clientId, ok.willTopic, ok.willPayload], ['s3cret', 'sensorctl-pi', 'sensorctl/pi/status', 'offline']);
});

errors('broker errors are worded for an operator, with the key to check', () => {
  const e = (message: string, code: string | number) => Object.assign(new Error(message), { code });
  assert.match(brokerErrorMessage(e('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), 'mqtt://127.0.0.1:1'), /nothing listens at mqtt:\/\/127.0.0.1:1 \(check mqtt.url/);
  assert.match(brokerErrorMessage(e('getaddrinfo ENOTFOUND nope', 'ENOTFOUND'), 'mqtt://nope'), /cannot resolve the host of mqtt:\/\/nope \(check mqtt.url\)/);
  assert.match(brokerErrorMessage(e('Connection refused: Bad username or password', 4), 'mqtt://b'), /check mqtt.username and mqtt.passwordFile/);
  assert.match(brokerErrorMessage(e('Connection refused: Not authorized', 5), 'mqtt://b'), /not authorized \(check mqtt.username/);
});

errors('an unreachable broker is logged once naming mqtt.url, and never thrown', async () => {
  const { freePort } = await import('../support/mosquitto.js');
  const port = await freePort();
  const log = recordingLogger();
  const running = await startMqtt({ mqtt: parseMqttConfig({ url: `mqtt://127.0.0.1:${port}` })!, deviceId: 'pi', version: 't', log, health: async () => HEALTH, link: { reconnectPeriodMs: 100 } });
  try {
    await until(() => log.lines.length > 0, 5_000, 'a log line');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(log.lines, [`warn mqtt: nothing listens at mqtt://127.0.0.1:${port} (check mqtt.url, and that the broker runs)`]);
  } finally {
    await running.stop();
  }
});

broker.run();
tls.run();
errors.run();
