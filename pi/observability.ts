/**
 * The daemon's outward views of itself: `GET /metrics` (Prometheus, always on) and, with an `mqtt`
 * section, MQTT state messages with Home Assistant discovery. Both read the samples the buffer
 * stored (through `ObservedBuffer`, handed to the sampler) and the agent's health (sensor states,
 * upload queue, snapshot metas, database files). `prom-client` and `mqtt` are loaded here, lazily, so
 * other commands never pay for them.
 */
import type { Clock, Logger } from '../builder/ports.js';
import type { Config } from '../agent/config/config.js';
import { LatestValues, ObservedBuffer } from '../agent/buffer/observed-buffer.js';
import { readClockStatus, readSensorStatuses } from '../agent/sampling/sensor-status.js';
import { agentHealthOf, type AgentHealth } from '../agent/mqtt/home-assistant.js';
import type { FetchHandler } from '../api/create-api.js';
import type { Db } from '../sqlite/sqlite-db.js';
import type { SampleBuffer } from '../agent/buffer/ports.js';
import type { SqliteBuffer } from '../sqlite/sqlite-buffer.js';
import { databaseFileSizes } from '../sqlite/database-files.js';
import { systemClock } from '../platform/system-clock.js';
import { collectSnapshots } from './snapshot-status.js';
import { uploadStatus } from './upload-status.js';
import type { RunningMqtt } from './mqtt-service.js';
import { appVersion } from '../platform/app-dir.js';

/** How long one read of the snapshot metas is reused, ms. */
const SNAPSHOT_READ_REUSE_MS = 1_000;

export interface Observability {
  /** The buffer to give the sampler: the SQLite buffer, observed. */
  buffer: ObservedBuffer;
  /** Extra HTTP routes for the node server (`/metrics`). */
  routes: Record<string, FetchHandler>;
  /** Run one scheduled build of `window`, recording its duration. */
  timeBuild(window: string, run: () => Promise<void>): Promise<void>;
  /** The agent's health now (the MQTT health message). */
  health(): Promise<AgentHealth>;
  /**
   * With an `mqtt` section: connect (in the background) and publish what the buffer stores from now
   * on. Called once the HTTP port is claimed, so a daemon that cannot start never announces itself.
   * @throws {ConfigError} when the password file, variable or a TLS file named by the config cannot be read.
   */
  startMqtt(): Promise<void>;
  mqtt?: RunningMqtt;
  stop(): Promise<void>;
}

/** Build the metrics and the observed buffer; MQTT starts with `startMqtt()`. */
export async function startObservability(options: {
  config: Config; snapshotDir: string; db: Db; buffer: SqliteBuffer; log: Logger; env?: Record<string, string | undefined>;
  /** The daemon's wall clock (snapshot ages, upload backlog; default the system clock). */
  clock?: Clock;
  /** Where the sampler's inserts go once observed (default `buffer`; the daemon's batch of held samples). */
  sink?: SampleBuffer;
}): Promise<Observability> {
  const { config, buffer, log } = options;
  const deviceId = config.deviceId;
  const observed = new ObservedBuffer(options.sink ?? buffer, (err) => log.warn('a sample observer failed (sampling continues)', { error: err as Error }));
  const latest = new LatestValues();
  observed.observe(latest);
  const clock = options.clock ?? systemClock;
  const upload = () => (config.cloud ? uploadStatus(options.db, deviceId, clock.nowMs()) : undefined);
  // One read of the 24 meta files serves a whole scrape (age and staleness gauges) and the health message.
  let snapshotRead: { atMs: number; value: ReturnType<typeof collectSnapshots> } | undefined;
  const snapshots = () => {
    const nowMs = clock.nowMs();
    if (!snapshotRead || nowMs - snapshotRead.atMs > SNAPSHOT_READ_REUSE_MS) snapshotRead = { atMs: nowMs, value: collectSnapshots(options.snapshotDir, deviceId, nowMs) };
    return snapshotRead.value;
  };
  const health = async () => agentHealthOf({ sensorStates: readSensorStatuses(observed).map((s) => s.state), snapshots: await snapshots(), uploadBacklogItems: upload()?.backlogItems });
  let mqtt: RunningMqtt | undefined;
  const { createAgentMetrics } = await import('../prometheus/agent-metrics.js');
  const metrics = createAgentMetrics({
    deviceId,
    version: appVersion(),
    latest: () => latest.values(),
    storedSamples: () => latest.storedSamples,
    // Through the sink: the status held for the next commit is the current one (pi/daemon.ts batches it).
    sensors: () => readSensorStatuses(observed),
    clockDiscarded: () => readClockStatus(observed)?.discarded ?? 0,
    ...(config.cloud ? {
      upload: () => {
        const u = uploadStatus(options.db, deviceId);
        return { backlogItems: u.backlogItems, oldestPendingTsMs: u.oldestPendingTsMs, lastSuccessMs: u.lastSuccessMs, forcedLoss: u.counters.forcedLoss };
      },
    } : {}),
    snapshots,
    database: () => databaseFileSizes(buffer.path),
    ...(config.mqtt ? { mqtt: () => ({ isConnected: mqtt?.isConnected() ?? false, published: mqtt?.publisher.counts.published ?? 0, dropped: mqtt?.publisher.counts.dropped ?? 0 }) } : {}),
  });
  const obs: Observability = {
    buffer: observed,
    routes: { '/metrics': metrics.handle },
    async timeBuild(window, run) {
      const t0 = performance.now();
      let isOk = false;
      try {
        await run();
        isOk = true;
      } finally {
        metrics.observeBuild(window, performance.now() - t0, isOk);
      }
    },
    health,
    async startMqtt() {
      if (!config.mqtt || mqtt) return;
      const { startMqtt } = await import('./mqtt-service.js');
      mqtt = await startMqtt({ mqtt: config.mqtt, deviceId, version: appVersion(), health, log, env: options.env });
      observed.observe(mqtt.publisher);
      obs.mqtt = mqtt;
    },
    stop: async () => mqtt?.stop(),
  };
  return obs;
}
