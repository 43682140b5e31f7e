/**
 * `/metrics` as Prometheus reads it: the registry's text passes `promtool check metrics`, carries the
 * values of its source, and one real Prometheus scrapes it through the Node server with the scrape
 * config of docs/prometheus.md.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createAgentMetrics, type AgentMetricsSource } from '../../prometheus/agent-metrics.js';
import { startNodeServer } from '../../platform/node-http-api.js';
import type { SensorStatus } from '../../agent/sampling/sensor-status.js';
import { PROMETHEUS_HINT, PROMETHEUS_MISSING, promtoolCheck, startPrometheus } from '../support/prometheus.js';
import { requiring } from '../support/requirement.js';

const NOW_MS = Date.UTC(2026, 11, 3, 12);
const sensor = (id: string, state: SensorStatus['state'], failedReads: number, errorCounts: Record<string, number>): SensorStatus => ({
  id, type: 'bme280', state, sinceMs: NOW_MS, consecutiveFailures: 0, reads: 100, failedReads, errorCounts, reinits: 0,
});

function source(overrides: Partial<AgentMetricsSource> = {}): AgentMetricsSource {
  return {
    deviceId: 'pi-test',
    version: '0.1.0',
    latest: () => [
      { series: { deviceId: 'pi-test', seriesId: 'bme.tempC', sensorId: 'bme', metric: 'tempC', unit: '°C', kind: 'gauge' }, tsMs: NOW_MS, value: 21.25 },
      { series: { deviceId: 'pi-test', seriesId: 'bme.pressurePa', sensorId: 'bme', metric: 'pressurePa', unit: 'Pa', kind: 'gauge' }, tsMs: NOW_MS, value: 101325 },
    ],
    storedSamples: () => 1234,
    sensors: () => [sensor('bme', 'online', 2, { crc_mismatch: 2 }), sensor('sht', 'offline', 7, { eremoteio: 7 })],
    clockDiscarded: () => 5,
    upload: () => ({ backlogItems: 17, oldestPendingTsMs: NOW_MS - 60_000, lastSuccessMs: NOW_MS - 30_000, forcedLoss: 0 }),
    snapshots: async () => [{ window: '1h', granularity: 500, ageS: 12, isStale: false }, { window: '12m', granularity: 20, isStale: true }],
    database: () => ({ fileBytes: 4096, walBytes: 1024 }),
    mqtt: () => ({ isConnected: true, published: 99, dropped: 3 }),
    ...overrides,
  };
}

const line = (text: string, prefix: string): string | undefined => text.split('\n').find((l) => l.startsWith(prefix));

const metrics = suite('createAgentMetrics');
const withPromtool = requiring(metrics, PROMETHEUS_MISSING, PROMETHEUS_HINT);

metrics('exposes the latest value of each series, the health, the sensor states and Node metrics', async () => {
  const m = createAgentMetrics(source());
  m.observeBuild('1h', 250, true);
  const text = await m.registry.metrics();
  const expected = [
    'sensorctl_series_value{device="pi-test",series="bme.tempC",unit="°C"} 21.25',
    'sensorctl_series_value{device="pi-test",series="bme.pressurePa",unit="Pa"} 101325',
    `sensorctl_series_last_sample_timestamp_seconds{device="pi-test",series="bme.tempC"} ${NOW_MS / 1000}`,
    'sensorctl_samples_stored_total{device="pi-test"} 1234',
    'sensorctl_samples_lost_total{device="pi-test",cause="sensor_read"} 9',
    'sensorctl_samples_lost_total{device="pi-test",cause="clock_untrusted"} 5',
    'sensorctl_samples_lost_total{device="pi-test",cause="retention_unsent"} 0',
    'sensorctl_sensor_state{sensor="sht",type="bme280",state="offline"} 1',
    'sensorctl_sensor_state{sensor="sht",type="bme280",state="online"} 0',
    'sensorctl_sensor_read_errors_total{sensor="sht",code="eremoteio"} 7',
    'sensorctl_upload_backlog_items 17',
    `sensorctl_upload_last_success_timestamp_seconds ${(NOW_MS - 30_000) / 1000}`,
    'sensorctl_snapshot_age_seconds{window="1h",granularity="500"} 12',
    'sensorctl_snapshot_stale{window="12m",granularity="20"} 1',
    'sensorctl_database_size_bytes 4096',
    'sensorctl_database_wal_size_bytes 1024',
    'sensorctl_build_duration_seconds_count{window="1h",outcome="ok"} 1',
    'sensorctl_build_duration_seconds_sum{window="1h",outcome="ok"} 0.25',
    'sensorctl_mqtt_connected 1',
    'sensorctl_mqtt_messages_dropped_total 3',
    'sensorctl_info{device="pi-test",version="0.1.0"} 1',
  ];
  for (const l of expected) assert.ok(text.split('\n').includes(l), `missing line: ${l}`);
  assert.ok(line(text, 'nodejs_eventloop_lag_seconds '), 'event-loop lag from the default collectors');
  assert.not.ok(line(text, 'sensorctl_snapshot_age_seconds{window="12m"'), 'no age for a snapshot never built');
});

metrics('without an uplink or MQTT those metrics are absent rather than zero', async () => {
  const text = await createAgentMetrics(source({ upload: undefined, mqtt: undefined })).registry.metrics();
  assert.not.ok(line(text, 'sensorctl_upload_backlog_items '));
  assert.not.ok(text.includes('sensorctl_mqtt_connected'));
});

withPromtool('passes promtool check metrics (names, types, units, help)', async () => {
  const text = await createAgentMetrics(source()).registry.metrics();
  const r = promtoolCheck(text);
  assert.is(r.output, '', r.output);
  assert.is(r.status, 0);
});

withPromtool('promtool would catch a bad exposition (the check is live)', () => {
  const r = promtoolCheck('# HELP x_seconds_total a\n# TYPE x_seconds_total gauge\nx_seconds_total 1\n');
  assert.ok(r.output.length > 0, 'promtool reported nothing for a gauge named _total');
});

withPromtool('a real Prometheus scrapes /metrics from the Node server with the documented scrape config', async () => {
  const m = createAgentMetrics(source());
  const server = await startNodeServer(async () => new Response('api', { status: 404 }), '127.0.0.1', 0, { routes: { '/metrics': m.handle } });
  const target = new URL(server.url).host;
  const prom = await startPrometheus(target);
  try {
    const end = Date.now() + 30_000;
    let up: Awaited<ReturnType<typeof prom.query>> = [];
    while (Date.now() < end) {
      up = await prom.query('up{job="sensorctl"}');
      if (up.length && up[0].value[1] === '1') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.is(up[0]?.value[1], '1', `target not up: ${JSON.stringify(up)}`);
    const temp = await prom.query('sensorctl_series_value{series="bme.tempC"}');
    assert.is(temp[0].value[1], '21.25');
    assert.is(temp[0].metric.unit, '°C');
    assert.is(temp[0].metric.instance, target);
    const lag = await prom.query('nodejs_eventloop_lag_seconds');
    assert.is(lag.length, 1);
  } finally {
    await prom.close();
    await server.close();
  }
});

metrics('GET and HEAD only: another method is a 405 naming GET', async () => {
  const m = createAgentMetrics(source());
  const r = await m.handle(new Request('http://x/metrics', { method: 'POST' }));
  assert.is(r.status, 405);
  assert.is(r.headers.get('allow'), 'GET, HEAD');
  const ok = await m.handle(new Request('http://x/metrics'));
  assert.match(ok.headers.get('content-type')!, /^text\/plain; version=0.0.4/);
});

metrics.run();
