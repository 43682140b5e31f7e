/**
 * MQTT publish latency: from a sample stored (the SQLite insert through the observed buffer returned)
 * to its state message received by a subscriber on the same real mosquitto (127.0.0.1), one sample
 * at a time; and what publishing adds to an insert (the sampler's cost), with the broker up and down.
 * Run alone: `npm run bench -- --only mqtt`.
 */
import { join } from 'node:path';
import { ObservedBuffer } from '../../agent/buffer/observed-buffer.js';
import { parseMqttConfig } from '../../agent/config/mqtt-config.js';
import { silentLog } from '../../builder/ports.js';
import { startMqtt } from '../../pi/mqtt-service.js';
import { SqliteBuffer } from '../../sqlite/sqlite-buffer.js';
import { MOSQUITTO_MISSING, record, startMosquitto } from '../../test/support/mosquitto.js';
import type { BenchSection, Figure } from '../section.js';

const SAMPLES = 500;
const DEVICE = 'pi-bench';

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export const MQTT_SECTION: BenchSection = {
  name: 'mqtt/latency',
  skip: () => (MOSQUITTO_MISSING.length ? `${MOSQUITTO_MISSING.join(', ')} missing (apt-get install mosquitto)` : undefined),
  async run(ctx) {
    const broker = await startMosquitto();
    const mqtt = await startMqtt({ mqtt: parseMqttConfig({ url: broker.url })!, deviceId: DEVICE, version: 'bench', log: silentLog, health: async () => ({ uploadBacklogItems: 0, staleSnapshots: 0, sensorsFailing: 0 }), link: { reconnectPeriodMs: 200 } });
    const sqlite = SqliteBuffer.open(join(ctx.tmpDir, 'mqtt-bench.db'));
    const buffer = new ObservedBuffer(sqlite);
    buffer.observe(mqtt.publisher);
    buffer.defineSeries([{ deviceId: DEVICE, seriesId: 'bme.tempC', sensorId: 'bme', metric: 'tempC', unit: '°C', kind: 'gauge' }]);
    const rec = await record(broker.url, [`sensorctl/${DEVICE}/series/#`]);
    try {
      while (!mqtt.isConnected()) await new Promise((r) => setTimeout(r, 10));
      const latencies: number[] = [];
      const insertUp: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const t0 = performance.now();
        buffer.insert(DEVICE, [{ seriesId: 'bme.tempC', tsMs: 1_000 * (i + 1), value: i }]);
        const stored = performance.now();
        insertUp.push(stored - t0);
        const m = await rec.waitFor((x) => JSON.parse(x.payload).value === i, 5_000);
        latencies.push(m.atMs - stored);
      }
      const plain: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const t0 = performance.now();
        sqlite.insert(DEVICE, [{ seriesId: 'bme.tempC', tsMs: 1_000 * (SAMPLES + i + 1), value: i }]);
        plain.push(performance.now() - t0);
      }
      await broker.stop();
      while (mqtt.isConnected()) await new Promise((r) => setTimeout(r, 10));
      const insertDown: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const t0 = performance.now();
        buffer.insert(DEVICE, [{ seriesId: 'bme.tempC', tsMs: 1_000 * (2 * SAMPLES + i + 1), value: i }]);
        insertDown.push(performance.now() - t0);
      }
      ctx.log(`mqtt: ${SAMPLES} samples, broker up then down`);
      const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
      const lat = sorted(latencies);
      const p50 = (xs: number[]) => quantile(sorted(xs), 0.5);
      const plainP50 = p50(plain);
      const figures: Figure[] = [
        { name: 'stored → received p50', value: quantile(lat, 0.5), unit: 'ms', note: `${SAMPLES} samples, one at a time, QoS 1, mosquitto on 127.0.0.1` },
        { name: 'stored → received p95', value: quantile(lat, 0.95), unit: 'ms' },
        { name: 'stored → received max', value: lat[lat.length - 1], unit: 'ms' },
        { name: 'insert p50, broker up', value: p50(insertUp), unit: 'ms', baseline: { name: 'insert p50, no observer', value: plainP50, unit: 'ms' }, ratio: p50(insertUp) / plainP50 },
        { name: 'insert p50, broker down', value: p50(insertDown), unit: 'ms', baseline: { name: 'insert p50, no observer', value: plainP50, unit: 'ms' }, ratio: p50(insertDown) / plainP50 },
        { name: 'insert max, broker down', value: Math.max(...insertDown), unit: 'ms' },
      ];
      return figures;
    } finally {
      await rec.close().catch(() => undefined);
      await mqtt.stop();
      sqlite.close();
      await broker.close();
    }
  },
};
