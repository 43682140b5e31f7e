/**
 * Names of the custom CloudWatch metrics the cloud emits, shared by the builder Lambda (which writes
 * them as Embedded Metric Format log lines) and the monitoring stack (which alarms on them).
 * Imports nothing, so a Lambda bundle can include it without the CDK.
 *
 * EMF line the builder prints once per run (one JSON object on one stdout line):
 * ```json
 * { "_aws": { "Timestamp": 1700000000000,
 *     "CloudWatchMetrics": [{ "Namespace": "Sensorctl",
 *       "Dimensions": [[], ["Window"]],
 *       "Metrics": [{ "Name": "ConsecutiveStaleBuilds", "Unit": "Count" },
 *                   { "Name": "SnapshotAgeMs", "Unit": "Milliseconds" }] }] },
 *   "Window": "1h", "ConsecutiveStaleBuilds": 0, "SnapshotAgeMs": 41000 }
 * ```
 * One line per window built in the run. The empty dimension set `[]` aggregates every device and
 * window: that series is what the alarms watch (an alarm needs fixed dimensions, and devices come
 * and go). Device ids stay out of the dimensions (unbounded cardinality costs money); put them in
 * the line as plain properties for Logs Insights. Spec: CloudWatch "Embedded metric format
 * specification", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** CloudWatch namespace of every custom metric. */
export const METRICS_NAMESPACE = 'Sensorctl';

/**
 * `SnapshotMeta.consecutiveFailures` after the run, the maximum over the device's snapshots of that
 * window (Count). 0 after a good build; n after n failed builds in a row.
 */
export const METRIC_CONSECUTIVE_STALE_BUILDS = 'ConsecutiveStaleBuilds';

/** Age of the newest good payload of the window at the end of the run, ms (now − generatedAt). */
export const METRIC_SNAPSHOT_AGE_MS = 'SnapshotAgeMs';

/** The one optional dimension: the window name (`1h` … `12m`, builder/constants.ts). */
export const DIMENSION_WINDOW = 'Window';

/** Alarm threshold: this many failed builds in a row of any snapshot raise the stale-builds alarm. */
export const STALE_BUILDS_ALARM_THRESHOLD = 3;
