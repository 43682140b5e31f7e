/**
 * CloudWatch Embedded Metric Format line for one device's build run (pure). Namespace `Sensorctl`,
 * dimension `DeviceId`, metrics `ItemsRead` (Count), `ConsumedRCU` (Count, read capacity units),
 * `DurationMs` (Milliseconds), `ConsecutiveStaleBuilds` (Count). Written to stdout by the Lambda,
 * CloudWatch Logs extracts the metrics; the alarm watches ConsecutiveStaleBuilds.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const EMF_NAMESPACE = 'Sensorctl';

export interface RunMetrics {
  deviceId: string;
  itemsRead: number;
  consumedRcu: number;
  durationMs: number;
  consecutiveStaleBuilds: number;
}

/** One JSON line (no newline) in EMF; `tsMs` is the run's end, epoch ms. Extra `fields` are logged, not metrics. */
export function emfLine(metrics: RunMetrics, tsMs: number, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    _aws: {
      Timestamp: tsMs,
      CloudWatchMetrics: [
        {
          Namespace: EMF_NAMESPACE,
          Dimensions: [['DeviceId']],
          Metrics: [
            { Name: 'ItemsRead', Unit: 'Count' },
            { Name: 'ConsumedRCU', Unit: 'Count' },
            { Name: 'DurationMs', Unit: 'Milliseconds' },
            { Name: 'ConsecutiveStaleBuilds', Unit: 'Count' },
          ],
        },
      ],
    },
    ...fields,
    DeviceId: metrics.deviceId,
    ItemsRead: metrics.itemsRead,
    ConsumedRCU: metrics.consumedRcu,
    DurationMs: metrics.durationMs,
    ConsecutiveStaleBuilds: metrics.consecutiveStaleBuilds,
  });
}
