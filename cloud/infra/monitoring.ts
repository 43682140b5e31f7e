/**
 * Alarms and the dashboard: Lambda errors and p95 duration, builder not running, DynamoDB throttles
 * and p95 latency, consecutive stale builds and snapshot age per scheduled window (the builder's EMF
 * metrics; an on-read window is never built by the builder, so it has none;
 * aws/metric-names.ts), refresh jobs in
 * the dead-letter queue. Every alarm notifies one SNS topic (subscribe an email with the
 * `alarmEmail` context value).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CLOUD_SCHEDULED_WINDOWS } from '../../builder/constants.js';
import {
  BUILDER_SERVICE_NAME, DIMENSION_SERVICE, DIMENSION_WINDOW, METRIC_CONSECUTIVE_STALE_BUILDS, METRIC_CONSUMED_RCU, METRIC_DURATION_MS,
  METRIC_ITEMS_READ, METRIC_SNAPSHOT_AGE_MS, METRICS_NAMESPACE, STALE_BUILDS_ALARM_THRESHOLD,
} from '../../aws/metric-names.js';

export interface MonitoringProps {
  builder: lambda.IFunction;
  api: lambda.IFunction;
  samplesTable: dynamodb.ITable;
  jobsTable: dynamodb.ITable;
  deadLetterQueue: sqs.IQueue;
  /** p95 duration thresholds, ms. */
  builderP95Ms: number;
  apiP95Ms: number;
  /** p95 DynamoDB request latency threshold, ms. */
  dynamoLatencyMs: number;
  alarmEmail?: string;
}

const FIVE_MIN = Duration.minutes(5);

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, p: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'sensorctl alarms', enforceSSL: true });
    if (p.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(p.alarmEmail));

    const alarm = (name: string, metric: cloudwatch.Metric | cloudwatch.MathExpression, threshold: number, description: string,
      extra: Partial<cloudwatch.CreateAlarmOptions> = {}) => {
      const a = metric.createAlarm(this, name, {
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
        ...extra,
      });
      a.addAlarmAction(new actions.SnsAction(this.topic));
      a.addOkAction(new actions.SnsAction(this.topic));
      this.alarms.push(a);
      return a;
    };

    const errors = (fn: lambda.IFunction) => fn.metricErrors({ period: FIVE_MIN, statistic: 'Sum' });
    const p95 = (fn: lambda.IFunction) => fn.metricDuration({ period: FIVE_MIN, statistic: 'p95' });
    alarm('BuilderErrors', errors(p.builder), 3, 'Builder Lambda: 3 or more errors in 5 min (see its log group).');
    alarm('ApiErrors', errors(p.api), 5, 'API Lambda: 5 or more errors in 5 min.');
    alarm('BuilderP95Duration', p95(p.builder), p.builderP95Ms, `Builder Lambda p95 duration ≥ ${p.builderP95Ms} ms.`, { evaluationPeriods: 3 });
    alarm('ApiP95Duration', p95(p.api), p.apiP95Ms, `API Lambda p95 duration ≥ ${p.apiP95Ms} ms.`, { evaluationPeriods: 3 });
    alarm('BuilderNotRunning', p.builder.metricInvocations({ period: Duration.minutes(10), statistic: 'Sum' }), 1,
      'Builder Lambda had no invocation in 10 min: schedules disabled or failing.', {
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });

    const throttles = (t: dynamodb.ITable, id: string) => new cloudwatch.MathExpression({
      expression: `${id}r + ${id}w`,
      usingMetrics: {
        [`${id}r`]: t.metric('ReadThrottleEvents', { period: FIVE_MIN, statistic: 'Sum' }),
        [`${id}w`]: t.metric('WriteThrottleEvents', { period: FIVE_MIN, statistic: 'Sum' }),
      },
      label: 'Throttle events',
      period: FIVE_MIN,
    });
    alarm('SamplesTableThrottles', throttles(p.samplesTable, 'samples'), 1, 'Samples table: read or write throttle events.');
    alarm('JobsTableThrottles', throttles(p.jobsTable, 'jobs'), 1, 'Jobs table: read or write throttle events.');
    const latency = (op: string) => p.samplesTable.metricSuccessfulRequestLatency({ dimensionsMap: { TableName: p.samplesTable.tableName, Operation: op }, period: FIVE_MIN, statistic: 'p95' });
    alarm('SamplesQueryLatency', latency('Query'), p.dynamoLatencyMs, `Samples table Query p95 latency ≥ ${p.dynamoLatencyMs} ms.`, { evaluationPeriods: 3 });
    alarm('SamplesWriteLatency', latency('BatchWriteItem'), p.dynamoLatencyMs, `Samples table BatchWriteItem p95 latency ≥ ${p.dynamoLatencyMs} ms.`, { evaluationPeriods: 3 });

    // The builder's own metrics (aws/build-metrics.ts): the [service] set aggregates devices and windows.
    const builderMetric = (metricName: string, statistic: string, window?: string) => new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE, metricName, period: FIVE_MIN, statistic,
      dimensionsMap: { [DIMENSION_SERVICE]: BUILDER_SERVICE_NAME, ...(window === undefined ? {} : { [DIMENSION_WINDOW]: window }) },
    });
    const stale = builderMetric(METRIC_CONSECUTIVE_STALE_BUILDS, 'Maximum');
    alarm('ConsecutiveStaleBuilds', stale, STALE_BUILDS_ALARM_THRESHOLD,
      `A snapshot failed ${STALE_BUILDS_ALARM_THRESHOLD} or more builds in a row (metric ${METRICS_NAMESPACE}/${METRIC_CONSECUTIVE_STALE_BUILDS}); readers get stale data and the Pi may push fallback snapshots.`);
    const dlq = p.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MIN, statistic: 'Maximum' });
    alarm('RefreshDeadLetters', dlq, 1, 'Refresh jobs landed in the dead-letter queue (failed 3 times).');

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(6) });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Lambda errors', left: [errors(p.builder).with({ label: 'builder' }), errors(p.api).with({ label: 'api' })] }),
      new cloudwatch.GraphWidget({ title: 'Lambda p95 duration (ms)', left: [p95(p.builder).with({ label: 'builder' }), p95(p.api).with({ label: 'api' })] }),
      new cloudwatch.GraphWidget({ title: 'DynamoDB throttles', left: [throttles(p.samplesTable, 'samples').with({ label: 'samples' }), throttles(p.jobsTable, 'jobs').with({ label: 'jobs' })] }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'DynamoDB latency (ms, p95)', left: [latency('Query').with({ label: 'Query' }), latency('BatchWriteItem').with({ label: 'BatchWriteItem' })] }),
      new cloudwatch.GraphWidget({ title: 'Consecutive stale builds per window (max)', left: CLOUD_SCHEDULED_WINDOWS.map((w) => builderMetric(METRIC_CONSECUTIVE_STALE_BUILDS, 'Maximum', w).with({ label: w })) }),
      new cloudwatch.GraphWidget({ title: 'Snapshot age per window (ms, max)', left: CLOUD_SCHEDULED_WINDOWS.map((w) => builderMetric(METRIC_SNAPSHOT_AGE_MS, 'Maximum', w).with({ label: w })) }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Builder DynamoDB reads per 5 min', left: [builderMetric(METRIC_ITEMS_READ, 'Sum').with({ label: 'items read' })], right: [builderMetric(METRIC_CONSUMED_RCU, 'Sum').with({ label: 'RCU' })] }),
      new cloudwatch.GraphWidget({ title: 'Builder device run duration (ms, p95)', left: [builderMetric(METRIC_DURATION_MS, 'p95')] }),
      new cloudwatch.GraphWidget({ title: 'Refresh dead letters', left: [dlq] }),
    );
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
  }
}
