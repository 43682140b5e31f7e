import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { METRICS, type Metric } from '../../../builder/metrics.js';
import type { SeriesInfo } from '../../../builder/types.js';
import { MqttPublisher, type MqttLink, type MqttPublishOptions } from '../../../agent/mqtt/publisher.js';
import { silentLog } from '../../../builder/ports.js';

/** The publisher's port as a recorder: the real broker runs in test/mqtt/; here only the policy. */
class RecordingLink implements MqttLink {
  isConnected = false;
  sent: Array<{ topic: string; payload: string } & MqttPublishOptions> = [];
  subscribed: string[] = [];
  publish(topic: string, payload: string, options: MqttPublishOptions): void {
    this.sent.push({ topic, payload, ...options });
  }
  subscribe(topic: string): void {
    this.subscribed.push(topic);
  }
  topics(): string[] {
    return this.sent.map((m) => m.topic);
  }
}

const series = (seriesId: string, metric: Metric, deviceId = 'pi'): SeriesInfo => ({ deviceId, seriesId, sensorId: 's', metric, unit: METRICS[metric].unit, kind: METRICS[metric].kind });
const HEALTH = { uploadBacklogItems: 0, staleSnapshots: 0, sensorsFailing: 0 };

function publisher(options: { replayMissed?: boolean; maxReplayMessages?: number } = {}) {
  const link = new RecordingLink();
  const p = new MqttPublisher({
    link, identity: { deviceId: 'pi', swVersion: '1' }, log: silentLog, health: async () => HEALTH, maxReplayMessages: options.maxReplayMessages,
    settings: { topicPrefix: 'sc', discoveryPrefix: 'homeassistant', deviceId: 'pi', qos: 1, retain: true, replayMissed: options.replayMissed ?? false },
  });
  p.seriesDefined([series('t', 'tempC'), series('rain', 'rainMm'), series('other', 'tempC', 'another-device')]);
  return { link, p };
}

const pub = suite('MqttPublisher');

pub('on connect: online (retained), Home Assistant birth subscription, discovery, then health', async () => {
  const { link, p } = publisher();
  link.isConnected = true;
  await p.connected();
  assert.equal(link.topics(), [
    'sc/pi/status',
    'homeassistant/sensor/sensorctl_pi/t/config',
    'homeassistant/sensor/sensorctl_pi/rain/config',
    ...['uploadBacklogItems', 'snapshotAgeS', 'staleSnapshots', 'sensorsFailing'].map((k) => `homeassistant/sensor/sensorctl_pi/health_${k}/config`),
    'sc/pi/health/state',
  ]);
  assert.equal(link.subscribed, ['homeassistant/status']);
  assert.is(link.sent[0].payload, 'online');
  assert.ok(link.sent.slice(0, 7).every((m) => m.retain), 'availability and discovery are retained');
  assert.equal(JSON.parse(link.sent[7].payload), { ...HEALTH, snapshotAgeS: null });
});

pub("Home Assistant's birth message sends discovery again; other payloads do not", () => {
  const { link, p } = publisher();
  link.isConnected = true;
  p.message('homeassistant/status', 'offline');
  assert.is(link.sent.length, 0);
  p.message('homeassistant/status', 'online');
  assert.is(link.sent.length, 6);
  assert.ok(link.topics().every((t) => t.endsWith('/config')));
});

pub('a stored sample becomes one state message; counters carry the running total; other devices are ignored', () => {
  const { link, p } = publisher();
  link.isConnected = true;
  p.samplesStored('pi', [{ seriesId: 't', tsMs: 1000, value: 21.5 }, { seriesId: 'rain', tsMs: 1000, value: 0.2 }]);
  p.samplesStored('pi', [{ seriesId: 'rain', tsMs: 2000, value: 0.4 }, { seriesId: 'undeclared', tsMs: 2000, value: 1 }]);
  p.samplesStored('another-device', [{ seriesId: 'other', tsMs: 2000, value: 1 }]);
  assert.equal(link.topics(), ['sc/pi/series/t/state', 'sc/pi/series/rain/state', 'sc/pi/series/rain/state']);
  assert.equal(JSON.parse(link.sent[0].payload), { value: 21.5, unit: '°C', tsMs: 1000, time: '1970-01-01T00:00:01.000Z' });
  assert.equal(link.sent.slice(1).map((m) => JSON.parse(m.payload).total), [0.2, 0.6000000000000001]);
  assert.is(p.counts.published, 3);
});

pub('while disconnected, states are dropped and counted (default), nothing replayed on reconnect', async () => {
  const { link, p } = publisher();
  p.samplesStored('pi', [{ seriesId: 't', tsMs: 1000, value: 1 }]);
  assert.is(link.sent.length, 0);
  assert.is(p.counts.dropped, 1);
  link.isConnected = true;
  await p.connected();
  assert.not.ok(link.topics().includes('sc/pi/series/t/state'));
});

pub('with replayMissed, states stored while disconnected are published on reconnect, the oldest dropped past the bound', async () => {
  const { link, p } = publisher({ replayMissed: true, maxReplayMessages: 2 });
  p.samplesStored('pi', [1, 2, 3].map((k) => ({ seriesId: 't', tsMs: k * 1000, value: k })));
  assert.is(p.counts.dropped, 1);
  link.isConnected = true;
  await p.connected();
  const states = link.sent.filter((m) => m.topic === 'sc/pi/series/t/state').map((m) => JSON.parse(m.payload).value);
  assert.equal(states, [2, 3]);
  assert.is(p.counts.replayed, 2);
});

pub('a series declared after connecting is announced at once', async () => {
  const { link, p } = publisher();
  link.isConnected = true;
  await p.connected();
  link.sent = [];
  p.seriesDefined([series('t', 'tempC')]);
  assert.is(link.sent.length, 0, 'nothing new');
  p.seriesDefined([series('lux', 'illuminanceLux')]);
  assert.ok(link.topics().includes('homeassistant/sensor/sensorctl_pi/lux/config'));
});

pub.run();
