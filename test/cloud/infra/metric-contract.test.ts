/**
 * The metric contract between the builder Lambda and the monitoring stack: the builder runs for real
 * (dynalite holding a day of the bme280-livingroom fixture, an in-memory bucket), its EMF lines are
 * captured, and every custom-namespace metric that a synthesized alarm or dashboard widget reads must
 * be one the builder emitted with exactly that dimension set and those dimension values. Before this
 * test the stale-builds alarm watched `ConsecutiveStaleBuilds` with no dimension while the builder
 * emitted it with `DeviceId`, and the dashboard charted a metric nothing emitted (issue 14).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOUD_SCHEDULED_WINDOWS } from '../../../builder/constants.js';
import { scheduleGroups } from '../../../cloud/infra/schedules.js';
import { silentLog as silent } from '../../../builder/ports.js';
import { runBuild } from '../../../builder/run-build.js';
import { DynamoDbSource } from '../../../aws/dynamodb-source.js';
import { METRICS_NAMESPACE } from '../../../aws/metric-names.js';
import { createBuilderHandler, type ScheduledResult } from '../../../cloud/builder-handler.js';
import { buildApp } from '../../../cloud/infra/app.js';
import { FIXTURE_DEVICE as DEV, FIXTURE_SERIES, fixtureSamples } from '../../support/bme280-fixture.js';
import { samplesToItems, startDynalite, writeCatalog, writeItems, type DynaliteHandle } from '../../support/dynalite.js';
import { MemoryObjectStore } from '../../support/memory-object-store.js';

/** `Namespace|MetricName|Dim=Value,…` with dimensions sorted by name: one CloudWatch metric. */
const metricId = (namespace: string, name: string, dims: Record<string, string>): string =>
  `${namespace}|${name}|${Object.keys(dims).sort().map((k) => `${k}=${dims[k]}`).join(',')}`;

/** Every metric (with its dimension values) an EMF line defines. */
function metricsOfEmf(line: Record<string, any>): string[] {
  const out: string[] = [];
  for (const directive of line._aws.CloudWatchMetrics as Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>) {
    for (const metric of directive.Metrics) {
      for (const set of directive.Dimensions) out.push(metricId(directive.Namespace, metric.Name, Object.fromEntries(set.map((d) => [d, String(line[d])]))));
    }
  }
  return out;
}

/** A CloudFormation value with intrinsic functions flattened to text (tokens become `TOKEN`). */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'Fn::Join' in value) {
    const [sep, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return parts.map(flatten).join(sep);
  }
  return 'TOKEN';
}

let db: DynaliteHandle;
let itemCount = 0;
const emitted: Array<Record<string, any>> = [];
let emittedIds = new Set<string>();
let template: { Resources: Record<string, { Type: string; Properties: any }> };

const contract = suite('builder metrics ↔ alarms and dashboard');
contract.before(async () => {
  const samples = fixtureSamples().slice(-3 * 8640);
  itemCount = new Set(samples.map((s) => s.tsMs)).size;
  const nowMs = Math.max(...samples.map((s) => s.tsMs)) + 60_000;
  db = await startDynalite();
  await writeCatalog(db.client, db.table, DEV, FIXTURE_SERIES);
  await writeItems(db.client, db.table, samplesToItems(DEV, samples));
  const clock = { nowMs: () => nowMs };
  const handler = createBuilderHandler({
    bucket: new MemoryObjectStore(), sourceFor: () => new DynamoDbSource(db.client, db.table, clock), build: runBuild, clock, log: silent,
    discoverDevices: async () => [DEV], emit: (line) => emitted.push(JSON.parse(line)),
  });
  // The windows the stack's schedules build (an on-read window is never built by the builder, so
  // a widget or alarm per on-read window would chart a metric nothing emits).
  const scheduled = scheduleGroups().flatMap((g) => g.windows);
  const out = (await handler({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: { windows: scheduled } })) as ScheduledResult;
  assert.is(out.reports[0].built, 4 * scheduled.length);
  emittedIds = new Set(emitted.flatMap(metricsOfEmf));
  const outdir = mkdtempSync(join(tmpdir(), 'sensorctl-cdk-'));
  template = Template.fromStack(buildApp({ outdir, bundle: false }).stack).toJSON() as typeof template;
  rmSync(outdir, { recursive: true, force: true });
});
contract.after(() => db.close());

contract('the builder emits run metrics and per-window health in the [service] and [service, Window] sets, the device as metadata', () => {
  const perWindow = emitted.filter((l) => 'Window' in l);
  assert.equal(perWindow.map((l) => l.Window), [...CLOUD_SCHEDULED_WINDOWS]);
  for (const l of perWindow) {
    assert.equal(l._aws.CloudWatchMetrics[0].Dimensions, [['service'], ['service', 'Window']]);
    assert.is(l.ConsecutiveStaleBuilds, 0);
    assert.is(l.SnapshotAgeMs, 0, 'built at the clock\'s now');
    assert.is(l.deviceId, DEV);
    assert.not.ok('DeviceId' in l, 'no device dimension');
  }
  const run = emitted.find((l) => 'ItemsRead' in l)!;
  assert.equal(run._aws.CloudWatchMetrics[0].Dimensions, [['service']]);
  assert.ok(run.ItemsRead >= itemCount + 1, `${run.ItemsRead} items read, ${itemCount} items + the catalogue stored`);
  assert.ok(run.ConsumedRCU > 0);
});

contract('every alarm on a Sensorctl metric watches a metric, dimension set and values the builder emits', () => {
  const alarms = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Namespace === METRICS_NAMESPACE);
  assert.ok(alarms.length >= 1, 'the stale-builds alarm is on a custom metric');
  for (const { Properties: a } of alarms) {
    const dims = Object.fromEntries(((a.Dimensions ?? []) as Array<{ Name: string; Value: unknown }>).map((d) => [d.Name, flatten(d.Value)]));
    const id = metricId(a.Namespace, a.MetricName, dims);
    assert.ok(emittedIds.has(id), `alarm ${a.AlarmDescription}: ${id} is not emitted; emitted: ${[...emittedIds].join(' ')}`);
    assert.ok(['Maximum', 'Sum', 'Average', 'Minimum', 'SampleCount'].includes(a.Statistic) || /^p\d+/.test(a.ExtendedStatistic), `statistic of ${id}`);
  }
});

contract('every dashboard widget metric in the Sensorctl namespace is emitted with its dimensions', () => {
  const [dashboard] = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
  const body = JSON.parse(flatten(dashboard.Properties.DashboardBody)) as { widgets: Array<{ properties: { metrics?: unknown[][] } }> };
  const charted = body.widgets.flatMap((w) => w.properties.metrics ?? []).filter((m) => m[0] === METRICS_NAMESPACE);
  assert.ok(charted.length >= 2 * CLOUD_SCHEDULED_WINDOWS.length + 3, `${charted.length} custom metrics charted`);
  for (const m of charted) {
    const [namespace, name, ...rest] = m as [string, string, ...unknown[]];
    const pairs = rest.filter((x) => typeof x === 'string') as string[];
    const dims: Record<string, string> = {};
    for (let i = 0; i + 1 < pairs.length; i += 2) dims[pairs[i]] = pairs[i + 1];
    const id = metricId(namespace, name, dims);
    assert.ok(emittedIds.has(id), `dashboard charts ${id}, which the builder does not emit`);
  }
});

contract.run();
