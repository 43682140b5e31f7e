/**
 * The builder Lambda's CloudWatch metrics in Embedded Metric Format, serialized by Powertools for AWS
 * Lambda (`@aws-lambda-powertools/metrics`: EMF schema, limits and validation are its job). Names,
 * namespace, service and dimension sets come from `cloud/infra/metric-names.ts`, the one definition
 * the alarms and the dashboard read too (`test/cloud/infra/metric-contract.test.ts` checks they match).
 *
 * Per device run, lines (one JSON object each, no newline):
 * - one run line, dimension set `[service]`: `ItemsRead` (Count), `ConsumedRCU` (Count, read capacity
 *   units), `DurationMs` (Milliseconds);
 * - one line per window built, dimension sets `[service]` and `[service, Window]`:
 *   `ConsecutiveStaleBuilds` (Count) and, once the window has a good payload, `SnapshotAgeMs`
 *   (Milliseconds, now − the oldest `generatedAt` of its granularities).
 * Per invocation, one fleet line (`fleetMetricsLine`), dimension set `[service]`: `DevicesBuilt`,
 * `DeviceBuildErrors` (Count) and `FleetRunMs` (Milliseconds).
 * The device id is metadata (a plain property for Logs Insights), never a dimension: devices come and
 * go, and every dimension value is a billed metric.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Window } from '../builder/constants.js';
import type { Logger } from '../builder/ports.js';
import {
  BUILDER_SERVICE_NAME, DIMENSION_WINDOW, METRIC_CONSECUTIVE_STALE_BUILDS, METRIC_CONSUMED_RCU, METRIC_DEVICE_BUILD_ERRORS,
  METRIC_DEVICES_BUILT, METRIC_DURATION_MS, METRIC_FLEET_RUN_MS, METRIC_ITEMS_READ, METRIC_SNAPSHOT_AGE_MS, METRICS_NAMESPACE,
} from './metric-names.js';

/** One window's health after a run. */
export interface WindowHealth {
  window: Window;
  /** Largest `consecutiveFailures` over the window's snapshots (or failed runs in a row, if larger). */
  consecutiveStaleBuilds: number;
  /** now − the oldest good `generatedAt` of the window's granularities, ms; null before any good build. */
  snapshotAgeMs: number | null;
}

/** What one device's run measured (a `DeviceRunReport` fits). */
export interface RunMetrics {
  deviceId: string;
  itemsRead: number;
  consumedRcu: number;
  durationMs: number;
  windowHealth: readonly WindowHealth[];
}

export interface RunMetricsOptions {
  /** Epoch ms stamped on every line (the run's end). */
  tsMs: number;
  /** Extra properties logged on the run line (not metrics): builder, windows, requestId, error … */
  fields?: Record<string, unknown>;
  /** Where Powertools' own warnings go (a timestamp CloudWatch would skip, …). */
  log?: Logger;
}

function newMetrics(log: Logger | undefined): Metrics {
  const warn = log ? (...args: unknown[]) => log.warn(args.map(String).join(' ')) : () => undefined;
  return new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: BUILDER_SERVICE_NAME,
    logger: { debug: () => undefined, info: () => undefined, warn, error: warn },
  });
}

/** What one invocation did over its devices. */
export interface FleetRunMetrics {
  /** Devices the invocation built (with or without error). */
  devices: number;
  /** Devices whose build failed, as a whole (`DeviceRunReport.error`) or for some snapshot (`stale > 0`). */
  failedDevices: number;
  /** Wall time of the invocation's builds, ms. */
  durationMs: number;
}

/** The fleet line of one invocation (see the module comment). */
export function fleetMetricsLine(run: FleetRunMetrics, options: RunMetricsOptions): string {
  const metrics = newMetrics(options.log);
  for (const [key, value] of Object.entries(options.fields ?? {})) if (value !== undefined) metrics.addMetadata(key, value as string);
  metrics.addMetric(METRIC_DEVICES_BUILT, MetricUnit.Count, run.devices);
  metrics.addMetric(METRIC_DEVICE_BUILD_ERRORS, MetricUnit.Count, run.failedDevices);
  metrics.addMetric(METRIC_FLEET_RUN_MS, MetricUnit.Milliseconds, run.durationMs);
  metrics.setTimestamp(options.tsMs);
  return JSON.stringify(metrics.serializeMetrics());
}

/** EMF lines for one device's run (see the module comment). Pure apart from Powertools' validation warnings. */
export function runMetricsLines(run: RunMetrics, options: RunMetricsOptions): string[] {
  const metrics = newMetrics(options.log);
  const take = (): string => {
    metrics.setTimestamp(options.tsMs);
    const line = JSON.stringify(metrics.serializeMetrics());
    metrics.clearMetrics();
    metrics.clearDimensions();
    metrics.clearMetadata();
    return line;
  };
  for (const [key, value] of Object.entries({ ...options.fields, deviceId: run.deviceId })) if (value !== undefined) metrics.addMetadata(key, value as string);
  metrics.addMetric(METRIC_ITEMS_READ, MetricUnit.Count, run.itemsRead);
  metrics.addMetric(METRIC_CONSUMED_RCU, MetricUnit.Count, run.consumedRcu);
  metrics.addMetric(METRIC_DURATION_MS, MetricUnit.Milliseconds, run.durationMs);
  const lines = [take()];
  for (const health of run.windowHealth) {
    metrics.addDimensions({});
    metrics.addDimensions({ [DIMENSION_WINDOW]: health.window });
    metrics.addMetadata('deviceId', run.deviceId);
    metrics.addMetric(METRIC_CONSECUTIVE_STALE_BUILDS, MetricUnit.Count, health.consecutiveStaleBuilds);
    if (health.snapshotAgeMs !== null) metrics.addMetric(METRIC_SNAPSHOT_AGE_MS, MetricUnit.Milliseconds, health.snapshotAgeMs);
    lines.push(take());
  }
  return lines;
}
