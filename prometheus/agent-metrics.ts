/**
 * Prometheus adapter (`prom-client` 15): the agent's metrics registry and the `GET /metrics` handler
 * (text exposition format 0.0.4). Values are read from `AgentMetricsSource` at scrape time (the
 * latest stored values, the sensor states, the upload queue, the snapshot metas, the database files),
 * so a scrape shows the state at that moment; build durations are observed as they happen. Node's own
 * metrics (`process_*`, `nodejs_*`, among them `nodejs_eventloop_lag_seconds`) come from
 * prom-client's default collectors. Metric list: docs/prometheus.md.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LatestSample } from '../agent/buffer/observed-buffer.js';
import type { SensorState, SensorStatus } from '../agent/sampling/sensor-status.js';

/** One snapshot's freshness (from its meta file). */
export interface SnapshotFreshness {
  window: string;
  granularity: number;
  /** Seconds since it was generated; undefined when never built. */
  ageS?: number;
  isStale: boolean;
}

/** Everything `/metrics` reads, from the composition root. Times are epoch ms, sizes bytes. */
export interface AgentMetricsSource {
  deviceId: string;
  version: string;
  latest(): readonly LatestSample[];
  /** Samples newly stored since the agent started. */
  storedSamples(): number;
  sensors(): readonly SensorStatus[];
  /** Clock guard: samples discarded while the wall clock could not be trusted. */
  clockDiscarded(): number;
  /** Absent without an uplink (`cloud` section). */
  upload?(): { backlogItems: number; oldestPendingTsMs?: number; lastSuccessMs?: number; forcedLoss: number };
  snapshots(): Promise<readonly SnapshotFreshness[]>;
  database(): { fileBytes: number; walBytes: number };
  /** Undefined without an `mqtt` section. */
  mqtt?(): { isConnected: boolean; published: number; dropped: number };
}

const SENSOR_STATES: readonly SensorState[] = ['starting', 'online', 'failing', 'offline', 'disabled'];
const MISNAMED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
/** Build durations span ms (1h window) to minutes (a 12-month rebuild on a Pi Zero), s. */
const BUILD_BUCKETS_S = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** A counter whose value is read from the source at scrape time (reset, then set to the total). */
function totalCounter(registry: Registry, name: string, help: string, labelNames: string[], read: (set: (labels: Record<string, string>, total: number) => void) => void): void {
  new Counter({
    name, help, labelNames, registers: [registry],
    collect() {
      this.reset();
      read((labels, total) => this.inc(labels, total));
    },
  });
}

function gauge(registry: Registry, name: string, help: string, labelNames: string[], read: (g: Gauge) => void | Promise<void>): void {
  new Gauge({
    name, help, labelNames, registers: [registry],
    async collect() {
      this.reset();
      await read(this);
    },
  });
}

function sampleMetrics(r: Registry, s: AgentMetricsSource): void {
  gauge(r, 'sensorctl_series_value', 'Latest stored value of each series, in the unit named by the unit label.', ['device', 'series', 'unit'], (g) => {
    for (const l of s.latest()) g.set({ device: l.series.deviceId, series: l.series.seriesId, unit: l.series.unit }, l.value);
  });
  gauge(r, 'sensorctl_series_last_sample_timestamp_seconds', 'Time of the latest stored sample of each series (Unix time).', ['device', 'series'], (g) => {
    for (const l of s.latest()) g.set({ device: l.series.deviceId, series: l.series.seriesId }, l.tsMs / 1000);
  });
  totalCounter(r, 'sensorctl_samples_stored_total', 'Samples newly stored in SQLite since the agent started.', ['device'], (set) => set({ device: s.deviceId }, s.storedSamples()));
  totalCounter(r, 'sensorctl_samples_lost_total', 'Samples not stored or lost, by cause: sensor_read (a read gave no valid value), clock_untrusted (discarded by the clock guard), retention_unsent (deleted before upload).', ['device', 'cause'], (set) => {
    set({ device: s.deviceId, cause: 'sensor_read' }, s.sensors().reduce((a, x) => a + x.failedReads, 0));
    set({ device: s.deviceId, cause: 'clock_untrusted' }, s.clockDiscarded());
    set({ device: s.deviceId, cause: 'retention_unsent' }, s.upload?.().forcedLoss ?? 0);
  });
}

function sensorMetrics(r: Registry, s: AgentMetricsSource): void {
  gauge(r, 'sensorctl_sensor_state', 'Sensor state: 1 for the current state of each sensor, 0 for the others.', ['sensor', 'type', 'state'], (g) => {
    for (const x of s.sensors()) for (const state of SENSOR_STATES) g.set({ sensor: x.id, type: x.type, state }, x.state === state ? 1 : 0);
  });
  totalCounter(r, 'sensorctl_sensor_read_errors_total', 'Sensor read problems since the agent started, by sensor and error code.', ['sensor', 'code'], (set) => {
    for (const x of s.sensors()) for (const [code, n] of Object.entries(x.errorCounts)) set({ sensor: x.id, code }, n);
  });
}

function healthMetrics(r: Registry, s: AgentMetricsSource): void {
  if (s.upload) {
    const upload = s.upload;
    gauge(r, 'sensorctl_upload_backlog_items', 'Upload items waiting for DynamoDB.', [], (g) => g.set(upload().backlogItems));
    gauge(r, 'sensorctl_upload_last_success_timestamp_seconds', 'Time of the last upload run that confirmed items (Unix time; 0 before the first).', [], (g) => g.set((upload().lastSuccessMs ?? 0) / 1000));
    gauge(r, 'sensorctl_upload_oldest_pending_timestamp_seconds', 'Sample time of the oldest item waiting for upload (Unix time; 0 when none waits).', [], (g) => g.set((upload().oldestPendingTsMs ?? 0) / 1000));
  }
  gauge(r, 'sensorctl_snapshot_age_seconds', 'Seconds since each snapshot was generated (absent when never built).', ['window', 'granularity'], async (g) => {
    for (const x of await s.snapshots()) if (x.ageS !== undefined) g.set({ window: x.window, granularity: String(x.granularity) }, x.ageS);
  });
  gauge(r, 'sensorctl_snapshot_stale', '1 when the latest build of the snapshot failed or its meta expired, else 0.', ['window', 'granularity'], async (g) => {
    for (const x of await s.snapshots()) g.set({ window: x.window, granularity: String(x.granularity) }, x.isStale ? 1 : 0);
  });
  gauge(r, 'sensorctl_database_size_bytes', 'Size of the SQLite database file on disk.', [], (g) => g.set(s.database().fileBytes));
  gauge(r, 'sensorctl_database_wal_size_bytes', 'Size of the SQLite write-ahead log on disk.', [], (g) => g.set(s.database().walBytes));
  if (s.mqtt) {
    const mqtt = s.mqtt;
    gauge(r, 'sensorctl_mqtt_connected', '1 while connected to the MQTT broker.', [], (g) => g.set(mqtt().isConnected ? 1 : 0));
    totalCounter(r, 'sensorctl_mqtt_messages_published_total', 'State messages handed to the MQTT broker since start.', [], (set) => set({}, mqtt().published));
    totalCounter(r, 'sensorctl_mqtt_messages_dropped_total', 'State messages not sent because the broker was unreachable.', [], (set) => set({}, mqtt().dropped));
  }
}

/** The registry of one agent, and how to feed it build durations. */
export interface AgentMetrics {
  registry: Registry;
  /** Record one build of `window` that took `durationMs` (`isOk` false when a snapshot failed). */
  observeBuild(window: string, durationMs: number, isOk: boolean): void;
  /** `GET /metrics` as a fetch-shaped handler. */
  handle(request: Request): Promise<Response>;
}

/**
 * Build the registry over `source`. Call once per process for the default collectors (a second
 * registry gets its own collectors; prom-client allows that).
 */
export function createAgentMetrics(source: AgentMetricsSource): AgentMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // prom-client also exports these three as gauges named `_total`, which promtool rejects (a `_total`
  // name is a counter); the same counts stay available by type as `nodejs_active_handles` etc.
  for (const name of MISNAMED_DEFAULT_METRICS) registry.removeSingleMetric(name);
  new Gauge({ name: 'sensorctl_info', help: 'Always 1; the labels name the agent.', labelNames: ['device', 'version'], registers: [registry] }).set({ device: source.deviceId, version: source.version }, 1);
  sampleMetrics(registry, source);
  sensorMetrics(registry, source);
  healthMetrics(registry, source);
  const builds = new Histogram({ name: 'sensorctl_build_duration_seconds', help: 'Duration of the scheduled snapshot builds, per window and outcome.', labelNames: ['window', 'outcome'], buckets: BUILD_BUCKETS_S, registers: [registry] });
  return {
    registry,
    observeBuild: (window, durationMs, isOk) => builds.observe({ window, outcome: isOk ? 'ok' : 'failed' }, durationMs / 1000),
    async handle(request) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed; use GET\n', { status: 405, headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' } });
      const body = await registry.metrics();
      return new Response(request.method === 'HEAD' ? null : body, { headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
    },
  };
}
