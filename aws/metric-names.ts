/**
 * Names of the custom CloudWatch metrics the cloud emits, shared by the builder Lambda (which writes
 * them as Embedded Metric Format log lines through Powertools, `aws/build-metrics.ts`) and the
 * monitoring stack (which alarms on them and charts them). Imports nothing, so a Lambda bundle can
 * include it without the CDK. `test/cloud/infra/metric-contract.test.ts` runs the builder, captures
 * its lines and checks every alarm and dashboard metric of the synthesized stack against them.
 *
 * Per-window line the builder prints (one JSON object on one stdout line):
 * ```json
 * { "_aws": { "Timestamp": 1700000000000,
 *     "CloudWatchMetrics": [{ "Namespace": "Sensorctl",
 *       "Dimensions": [["service"], ["service", "Window"]],
 *       "Metrics": [{ "Name": "ConsecutiveStaleBuilds", "Unit": "Count" },
 *                   { "Name": "SnapshotAgeMs", "Unit": "Milliseconds" }] }] },
 *   "deviceId": "pi-1", "service": "sensorctl-builder", "Window": "1h",
 *   "ConsecutiveStaleBuilds": 0, "SnapshotAgeMs": 41000 }
 * ```
 * The `[service]` set aggregates every device and window: that series is what the alarm watches (an
 * alarm needs fixed dimensions, and devices come and go). Device ids stay out of the dimensions
 * (unbounded cardinality costs money); they are metadata for Logs Insights. Powertools always adds
 * its `service` dimension. Spec: CloudWatch "Embedded metric format specification",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** CloudWatch namespace of every custom metric. */
export const METRICS_NAMESPACE = 'Sensorctl';

/** Powertools' service dimension name, and the builder's value of it. */
export const DIMENSION_SERVICE = 'service';
export const BUILDER_SERVICE_NAME = 'sensorctl-builder';
/** The API Lambda's Powertools service name (its logs). */
export const API_SERVICE_NAME = 'sensorctl-api';

/**
 * `SnapshotMeta.consecutiveFailures` after the run, the maximum over the device's snapshots of that
 * window (Count). 0 after a good build; n after n failed builds in a row.
 */
export const METRIC_CONSECUTIVE_STALE_BUILDS = 'ConsecutiveStaleBuilds';

/** Age of the oldest good payload of the window at the end of the run, ms (now − generatedAt). */
export const METRIC_SNAPSHOT_AGE_MS = 'SnapshotAgeMs';

/** Per device run: DynamoDB items read (Count), read capacity units consumed (Count), run duration (Milliseconds). */
export const METRIC_ITEMS_READ = 'ItemsRead';
export const METRIC_CONSUMED_RCU = 'ConsumedRCU';
export const METRIC_DURATION_MS = 'DurationMs';

/**
 * Per builder invocation (one line, dimension set `[service]`): devices it built (Count), devices whose
 * build failed, wholly or for some snapshot (Count; the others were built all the same), and the invocation's wall time
 * over all its devices (Milliseconds; compare with the cadence of its windows).
 */
export const METRIC_DEVICES_BUILT = 'DevicesBuilt';
export const METRIC_DEVICE_BUILD_ERRORS = 'DeviceBuildErrors';
export const METRIC_FLEET_RUN_MS = 'FleetRunMs';

/** The per-window dimension: the window name (`1h` … `12m`, builder/constants.ts). */
export const DIMENSION_WINDOW = 'Window';

/** Alarm threshold: this many failed builds in a row of any snapshot raise the stale-builds alarm. */
export const STALE_BUILDS_ALARM_THRESHOLD = 3;
